import type { QuellConfig } from '../config/schema.js';
import { type Incident, SEVERITIES } from '../incidents/model.js';
import type { IncidentStore } from '../incidents/store.js';
import type { TalkingPoints } from './presenter.js';
import type { CommsStore } from './store.js';

/** What support staff read: the latest approved message of `comms.talkingPointsAudience` per incident. */
export class TalkingPointsReader {
  constructor(private readonly deps: { store: IncidentStore; comms: CommsStore; config: QuellConfig }) {}

  /** Active, non-drill incidents with their latest approved talking points, most severe first. */
  async all(): Promise<TalkingPoints[]> {
    const incidents = (await this.deps.store.listActive())
      .filter((i) => !i.drill)
      .sort((a, b) => SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity) || b.seq - a.seq);
    return Promise.all(incidents.map((incident) => this.of(incident)));
  }

  /** One incident's latest approved talking points, whatever its state. */
  async forIncident(incidentId: string): Promise<TalkingPoints> {
    return this.of(await this.deps.store.require(incidentId));
  }

  private async of(incident: Incident): Promise<TalkingPoints> {
    const approved = await this.deps.comms.approved(
      incident.id,
      this.deps.config.comms.talkingPointsAudience,
    );
    return approved ? { incident, approved } : { incident };
  }
}
