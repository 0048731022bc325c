import type { ChatPort } from '../chat/port.js';
import type { Clock } from '../clock.js';
import { UsageError } from '../errors.js';
import type { Incident } from '../incidents/model.js';
import type { IncidentService } from '../incidents/service.js';
import type { Logger } from '../logging/logger.js';
import {
  AFFECTED_LIMITS,
  type AffectedInput,
  type AffectedObject,
  affectedProblems,
  describeObject,
} from './inventory.js';
import type { InventoryStore } from './inventory-store.js';
import type { ResolutionPresenter } from './presenter.js';

export interface RollbackInventoryDeps {
  store: InventoryStore;
  incidents: IncidentService;
  chat: ChatPort;
  views: Pick<ResolutionPresenter, 'inventorySummary'>;
  clock: Clock;
  logger: Logger;
}

/** Refused entry: the problems by field, so a form can show each next to its input. */
export class AffectedInputError extends UsageError {
  constructor(readonly problems: Partial<Record<keyof AffectedInput, string>>) {
    super(Object.values(problems).join(' '));
  }
}

const trimmed = (text: string | undefined) => (text?.trim() ? text.trim() : undefined);

/**
 * Records what the agent changed. Each entry is validated, stored (the same system and object id
 * again updates the entry, keeping who first recorded it), put on the timeline, and the inventory
 * summary in the incident channel is posted or refreshed.
 */
export class RollbackInventory {
  constructor(private readonly deps: RollbackInventoryDeps) {}

  list(incidentId: string): Promise<AffectedObject[]> {
    return this.deps.store.list(incidentId);
  }

  async record(incident: Incident, actor: string, input: AffectedInput): Promise<AffectedObject> {
    const problems = affectedProblems(input);
    if (Object.keys(problems).length) throw new AffectedInputError(problems);
    const { store, clock } = this.deps;
    const earlier = await store.get(incident.id, input.system, input.objectId);
    if (!earlier && (await store.count(incident.id)) >= AFFECTED_LIMITS.entries)
      throw new UsageError(
        `${incident.id} already has ${AFFECTED_LIMITS.entries} affected objects; record the rest as one entry (a batch, a query or a range of ids).`,
      );
    const now = clock.now().toISOString();
    const before = trimmed(input.before);
    const after = trimmed(input.after);
    const note = trimmed(input.note);
    const disclosure = trimmed(input.disclosure);
    const object: AffectedObject = {
      system: input.system.trim(),
      objectId: input.objectId.trim(),
      change: input.change.trim(),
      ...(before ? { before } : {}),
      ...(after ? { after } : {}),
      reversible: input.reversible,
      state: input.state,
      ...(note ? { note } : {}),
      ...(disclosure ? { disclosure } : {}),
      recordedBy: earlier?.recordedBy ?? actor,
      recordedAt: earlier?.recordedAt ?? now,
      updatedBy: actor,
      updatedAt: now,
    };
    await store.save(incident.id, object);
    const what = object.reversible ? 'reversible' : 'irreversible';
    await this.deps.incidents.record(
      incident.id,
      actor,
      'affected_recorded',
      `${earlier ? 'updated' : 'recorded'} affected object ${describeObject(object)} (${what}, ${object.state}): ${object.change}`,
      { ...object, previousState: earlier?.state ?? null },
    );
    await this.refreshSummary(incident);
    return object;
  }

  /** Posts the inventory summary in the channel the first time, then edits that message (best effort). */
  async refreshSummary(incident: Incident): Promise<void> {
    if (!incident.channelId) return;
    const { store, chat, views } = this.deps;
    try {
      const message = views.inventorySummary(incident, await store.list(incident.id));
      const ref = await store.summaryMessage(incident.id);
      if (ref) await chat.updateMessage(ref.channel, ref.ts, message);
      else {
        const { ts } = await chat.postMessage(incident.channelId, message);
        await store.setSummaryMessage(incident.id, { channel: incident.channelId, ts });
      }
    } catch (error) {
      this.deps.logger.warn(
        { err: error, incident: incident.id },
        'rollback inventory summary refresh failed',
      );
    }
  }
}
