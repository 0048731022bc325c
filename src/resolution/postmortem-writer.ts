import { createHash } from 'node:crypto';
import type { ChatPort } from '../chat/port.js';
import type { Clock } from '../clock.js';
import type { CommsService } from '../comms/index.js';
import { ROOT_CAUSE_EVENT } from '../comms/index.js';
import type { QuellConfig } from '../config/schema.js';
import type { ContainmentService } from '../containment/index.js';
import { QuellError } from '../errors.js';
import type { Incident } from '../incidents/model.js';
import type { IncidentService } from '../incidents/service.js';
import type { IncidentStore } from '../incidents/store.js';
import type { Logger } from '../logging/logger.js';
import type { CorrectiveActions } from './actions.js';
import type { GateState } from './gate.js';
import type { RollbackInventory } from './inventory-service.js';
import { buildPostmortemValues, mentionedUsers } from './postmortem.js';
import type { PostmortemTemplate } from './postmortem-template.js';

export interface PostmortemWriterDeps {
  config: QuellConfig;
  incidentStore: IncidentStore;
  incidents: IncidentService;
  containment: Pick<ContainmentService, 'audit' | 'runs'>;
  comms: Pick<CommsService, 'history'>;
  actions: Pick<CorrectiveActions, 'ofIncident'>;
  inventory: Pick<RollbackInventory, 'list'>;
  chat: Pick<ChatPort, 'shareFiles' | 'userInfo'>;
  template: PostmortemTemplate;
  clock: Clock;
  logger: Logger;
  gate(incident: Incident): Promise<GateState>;
}

/** Lookups in flight at once while naming people: a long incident names dozens. */
const NAME_LOOKUPS_AT_ONCE = 8;

/**
 * The postmortem draft: rendered from the incident's records (timeline, containment audit and runs,
 * comms, restart gate, corrective actions, rollback inventory, the latest evidence bundle), people
 * named by display name (their ids stay in the raw evidence), posted as a file in the channel.
 */
export class PostmortemWriter {
  constructor(private readonly deps: PostmortemWriterDeps) {}

  async render(incidentId: string): Promise<{ incident: Incident; markdown: string }> {
    const { incidentStore, containment, comms, actions, inventory, config, clock } = this.deps;
    const incident = await incidentStore.require(incidentId);
    const [timeline, audit, runs, history, gate, corrective, objects] = await Promise.all([
      incidentStore.timeline(incidentId),
      containment.audit(incidentId),
      containment.runs(incidentId),
      comms.history(incidentId),
      this.deps.gate(incident),
      actions.ofIncident(incidentId),
      inventory.list(incidentId),
    ]);
    const ids = mentionedUsers([
      incident.declaredBy,
      ...Object.values(incident.roles).filter((r): r is string => Boolean(r)),
      ...timeline.flatMap((e) => [e.actor, e.text]),
      ...audit.map((a) => a.actor),
      ...history.log.map((l) => l.actor),
      ...gate.items.flatMap((i) => [i.tick?.by ?? '', i.override?.by ?? '', i.check?.reason ?? '']),
      ...corrective.map((a) => a.owner),
      ...objects.flatMap((o) => [o.recordedBy, o.updatedBy]),
      ...(incident.reactivationPlan?.steps.map((s) => s.owner) ?? []),
    ]);
    const values = buildPostmortemValues({
      incident,
      timeline,
      audit,
      runs,
      comms: history,
      gate,
      actions: corrective,
      inventory: objects,
      names: await this.names(ids),
      severityLabel: config.severities[incident.severity].label,
      timezone: config.incidents.timezone,
      now: clock.now(),
      rootCauseEvent: ROOT_CAUSE_EVENT,
    });
    return { incident, markdown: this.deps.template.render(values) };
  }

  async draft(incidentId: string, actor: string): Promise<{ fileIds: string[] }> {
    const { incident, markdown } = await this.render(incidentId);
    if (!incident.channelId)
      throw new QuellError('no_channel', `${incident.id} has no channel to post the postmortem in.`);
    const content = new TextEncoder().encode(markdown);
    const sha256 = createHash('sha256').update(content).digest('hex');
    const drill = incident.drill ? '[DRILL] ' : '';
    const { fileIds } = await this.deps.chat.shareFiles(
      incident.channelId,
      [
        {
          filename: `${incident.id}-postmortem-draft.md`,
          title: `${drill}${incident.id} postmortem draft`,
          content,
        },
      ],
      `:memo: ${drill}Postmortem draft for ${incident.id}, filled in from the timeline, containment audit, comms, restart gate, rollback inventory, evidence bundle and corrective actions. Complete the TODO sections.`,
    );
    await this.deps.incidents.record(
      incident.id,
      actor,
      'postmortem_drafted',
      `drafted the postmortem (${markdown.length} characters)`,
      { fileIds, sha256, bytes: content.byteLength },
    );
    return { fileIds };
  }

  /** Display names by id; a failed lookup leaves the id (the draft is never blocked by a profile). */
  private async names(ids: readonly string[]): Promise<Record<string, string>> {
    const names: Record<string, string> = {};
    for (let i = 0; i < ids.length; i += NAME_LOOKUPS_AT_ONCE) {
      await Promise.all(
        ids.slice(i, i + NAME_LOOKUPS_AT_ONCE).map(async (id) => {
          try {
            const profile = await this.deps.chat.userInfo(id);
            if (profile.name) names[id] = profile.name;
          } catch (error) {
            this.deps.logger.debug({ err: error, user: id }, 'postmortem: no display name');
          }
        }),
      );
    }
    return names;
  }
}
