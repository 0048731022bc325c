import type { ChatPort } from '../chat/port.js';
import type { Clock } from '../clock.js';
import type { CommsService } from '../comms/index.js';
import { ROOT_CAUSE_EVENT } from '../comms/index.js';
import type { QuellConfig } from '../config/schema.js';
import type { ContainmentService } from '../containment/index.js';
import { QuellError, UsageError } from '../errors.js';
import { type Incident, SYSTEM_ACTOR } from '../incidents/model.js';
import { NotPermittedError, type Permissions, RulePermissions } from '../incidents/permissions.js';
import type { IncidentChange, IncidentService } from '../incidents/service.js';
import type { IncidentStore } from '../incidents/store.js';
import type { Logger } from '../logging/logger.js';
import { safeText } from '../text/safe-text.js';
import type { CorrectiveActions } from './actions.js';
import {
  checklistChange,
  describeMissing,
  evaluateGate,
  GATE_ITEM_LABELS,
  type GateItemId,
  type GateState,
  OBLIGATIONS_ITEM,
} from './gate.js';
import { checkObligations } from './gate-checks.js';
import { type EvidenceVerifier, GateRecord } from './gate-record.js';
import type { AffectedInput, AffectedObject } from './inventory.js';
import type { RollbackInventory } from './inventory-service.js';
import type { PostmortemTemplate } from './postmortem-template.js';
import { PostmortemWriter } from './postmortem-writer.js';
import type { ResolutionPresenter } from './presenter.js';
import { ROOT_CAUSE_EVENT_CATEGORY, ROOT_CAUSE_LABELS, type RootCauseCategory } from './root-cause.js';
import type { ResolutionStore } from './store.js';

export interface ResolutionServiceDeps {
  config: QuellConfig;
  store: ResolutionStore;
  incidentStore: IncidentStore;
  incidents: IncidentService;
  containment: ContainmentService;
  comms: CommsService;
  actions: CorrectiveActions;
  inventory: RollbackInventory;
  /** Re-checks an archived bundle against its manifest (services.ts wires the evidence feature's). */
  verifyEvidence?: EvidenceVerifier;
  chat: ChatPort;
  views: ResolutionPresenter;
  template: PostmortemTemplate;
  clock: Clock;
  logger: Logger;
  /** Who-may-act checks; defaults to the rule + user-group check over `chat`. */
  permissions?: Permissions;
  /** From `incidents.guardResolution()`: once held, only this service resolves incidents (services.ts). */
  resolveKey: symbol;
}

export const GATE_EVENTS = {
  ticked: 'gate_ticked',
  unticked: 'gate_unticked',
  passed: 'gate_passed',
  overridden: 'gate_overridden',
  itemOverridden: 'gate_item_overridden',
} as const;

/** Resolution refused: required restart-gate items are not ticked. */
export class GateBlockedError extends QuellError {
  constructor(
    readonly incidentId: string,
    readonly missing: readonly GateItemId[],
    state?: GateState,
  ) {
    super(
      'restart_gate_blocked',
      `${incidentId} cannot be resolved yet: the restart gate is missing\n${describeMissing(missing, state)}\nTick the manual items in the checklist (\`/incident resolve\`); items checked from the record pass once the record shows them. Someone allowed to override can accept an item, or force the resolution, with a reason.`,
    );
  }
}

/** Refusals come from the permission model (incidents/permissions.ts): one class for every feature. */
export { NotPermittedError };

export const MIN_OVERRIDE_REASON = 10;

/** Timeline kinds (besides every `containment_*`) after which the evaluated items may read differently. */
const RECORD_EVENT_KINDS: readonly string[] = [
  'evidence_archived',
  'action_added',
  'action_done',
  ROOT_CAUSE_EVENT,
];

/** A checkbox click: the options the clicker's message showed ticked, and their selection now. */
export interface ChecklistClick {
  seen: readonly GateItemId[];
  selected: readonly GateItemId[];
}

/**
 * The end of an incident: the restart gate (ticks with who and when, refusal with the missing
 * items, a recorded override), the root-cause category, and the postmortem draft posted as a file
 * when the incident is resolved, whichever way it was resolved.
 */
export class ResolutionService {
  private readonly permissions: Permissions;
  private readonly record: GateRecord;
  private readonly postmortem: PostmortemWriter;

  constructor(private readonly deps: ResolutionServiceDeps) {
    this.permissions = deps.permissions ?? new RulePermissions(deps);
    this.record = new GateRecord({
      store: deps.store,
      incidentStore: deps.incidentStore,
      containment: deps.containment,
      actions: deps.actions,
      inventory: deps.inventory,
      ...(deps.verifyEvidence ? { verifyEvidence: deps.verifyEvidence } : {}),
      rootCauseEvent: ROOT_CAUSE_EVENT,
      clock: deps.clock,
    });
    this.postmortem = new PostmortemWriter({ ...deps, gate: (incident) => this.gate(incident) });
  }

  /** The gate now: ticks for manual items, the record (or an override) for evaluated ones. */
  async gate(incident: Incident): Promise<GateState> {
    const { required, evaluated } = this.deps.config.resolution.gate;
    const items = evaluated[incident.severity];
    const [ticks, overrides, checks] = await Promise.all([
      this.deps.store.ticks(incident.id),
      this.deps.store.overrides(incident.id),
      this.record.checks(incident, items),
    ]);
    // a notification clock holds the restart until it is submitted or waived, whatever the severity
    const clocks = incident.obligations?.length ? [OBLIGATIONS_ITEM] : [];
    return evaluateGate([...required[incident.severity], ...clocks], ticks, {
      evaluated: [...items, ...clocks],
      checks: clocks.length
        ? { ...checks, [OBLIGATIONS_ITEM]: checkObligations(incident.obligations ?? []) }
        : checks,
      overrides,
    });
  }

  private evaluatedItems(incident: Incident): readonly GateItemId[] {
    return this.deps.config.resolution.gate.evaluated[incident.severity];
  }

  /** `/incident resolve`: posts the checklist in the incident channel and remembers it for refreshes. */
  async showGate(incidentId: string): Promise<void> {
    const incident = await this.deps.incidentStore.require(incidentId);
    if (!incident.channelId)
      throw new QuellError('no_channel', `${incident.id} has no channel to show the checklist in.`);
    const { ts } = await this.deps.chat.postMessage(incident.channelId, await this.checklist(incident));
    await this.deps.store.setGateMessage(incident.id, { channel: incident.channelId, ts });
  }

  /**
   * A checkbox click: ticks what the clicker newly selected and unticks what they cleared, compared
   * with the message they clicked (never a whole-set replace, so two people ticking different items
   * a moment apart both stick). Each change is recorded with who and when. Approval is only the
   * approvers' to give or take back; items checked from the record cannot be ticked at all.
   */
  async applyChecklist(incidentId: string, actor: string, click: ChecklistClick): Promise<GateState> {
    const incident = await this.deps.incidentStore.require(incidentId);
    const { added, removed } = checklistChange(click.seen, click.selected);
    const evaluated = [...added, ...removed].filter((i) => this.evaluatedItems(incident).includes(i));
    if (evaluated.length) {
      await this.refreshGate(incidentId);
      throw new NotPermittedError(
        `${evaluated.map((i) => `"${GATE_ITEM_LABELS[i]}"`).join(' and ')} ${evaluated.length === 1 ? 'is' : 'are'} checked from the record and cannot be ticked by hand; someone allowed to override can accept ${evaluated.length === 1 ? 'it' : 'them'} with a reason (Override… next to the item).`,
      );
    }
    if (added.length === 0 && removed.length === 0) return this.gate(incident);
    try {
      // the approval is the approvers' own tick; every other item is a responder's
      const items = [...added, ...removed].filter((i) => i !== 'approval');
      if (items.length)
        await this.permissions.authorize(actor, 'gate.tick', incident, {
          subject: items.map((i) => GATE_ITEM_LABELS[i]).join('; '),
        });
      if (added.includes('approval') || removed.includes('approval'))
        await this.permissions.authorize(actor, 'gate.approve', incident, {
          subject: added.includes('approval') ? 'give the restart approval' : 'withdraw the restart approval',
        });
    } catch (error) {
      // the refused person's checkboxes show their click: put the message back to the record
      await this.refreshGate(incidentId);
      throw error;
    }
    const ticks = await this.deps.store.ticks(incidentId);
    const now = this.deps.clock.now().toISOString();
    for (const item of added) {
      if (await this.deps.store.tick(incidentId, item, actor, now))
        await this.deps.incidents.record(
          incidentId,
          actor,
          GATE_EVENTS.ticked,
          `ticked restart gate: ${GATE_ITEM_LABELS[item]}`,
          { item, label: GATE_ITEM_LABELS[item] },
        );
    }
    for (const item of removed) {
      if (await this.deps.store.untick(incidentId, item))
        await this.deps.incidents.record(
          incidentId,
          actor,
          GATE_EVENTS.unticked,
          `unticked restart gate: ${GATE_ITEM_LABELS[item]}`,
          { item, label: GATE_ITEM_LABELS[item], previously: ticks[item] },
        );
    }
    await this.refreshGate(incidentId);
    return this.gate(incident);
  }

  /**
   * Accepts an evaluated item the record does not show (e.g. a control Quell cannot see), by
   * someone allowed to override, with a written reason; recorded, and shown in the gate and postmortem.
   */
  async overrideItem(
    incidentId: string,
    actor: string,
    item: GateItemId,
    reason: string,
  ): Promise<GateState> {
    const incident = await this.requireOpen(incidentId);
    const text = reason.trim();
    if (!this.evaluatedItems(incident).includes(item))
      throw new UsageError(`"${GATE_ITEM_LABELS[item]}" is ticked in the checklist, not overridden.`);
    if (text.length < MIN_OVERRIDE_REASON)
      throw new UsageError(`Write why it is accepted (at least ${MIN_OVERRIDE_REASON} characters).`);
    await this.permissions.authorize(actor, 'gate.override', incident, {
      subject: `accept "${GATE_ITEM_LABELS[item]}" against the record`,
    });
    const state = await this.gate(incident);
    const check = state.items.find((i) => i.id === item)?.check;
    const at = this.deps.clock.now().toISOString();
    if (await this.deps.store.override(incidentId, item, { by: actor, at, reason: text }))
      await this.deps.incidents.record(
        incidentId,
        actor,
        GATE_EVENTS.itemOverridden,
        `accepted restart gate item "${GATE_ITEM_LABELS[item]}" against the record (${check?.reason ?? 'not checked'}): ${safeText(text, 'plain')}`,
        { item, label: GATE_ITEM_LABELS[item], reason: text, record: check ?? null },
      );
    await this.refreshGate(incidentId);
    return this.gate(incident);
  }

  /** `/incident affected`: records one affected object, then refreshes the gate (rollback is evaluated from it). */
  async recordAffected(incidentId: string, actor: string, input: AffectedInput): Promise<AffectedObject> {
    const incident = await this.deps.incidentStore.require(incidentId);
    await this.permissions.authorize(actor, 'gate.tick', incident, { subject: 'record an affected object' });
    const object = await this.deps.inventory.record(incident, actor, input);
    await this.refreshGate(incidentId);
    return object;
  }

  affected(incidentId: string): Promise<AffectedObject[]> {
    return this.deps.inventory.list(incidentId);
  }

  /** Resolves if every required item is met (ticked, or shown by the record); otherwise refuses with the missing items. */
  async resolve(incidentId: string, actor: string): Promise<Incident> {
    const incident = await this.requireOpen(incidentId);
    // who may resolve is decided before anything is recorded (the gate passing is an event)
    await this.permissions.authorize(actor, 'resolve', incident);
    const state = await this.gate(incident);
    if (!state.passed) {
      await this.refreshGate(incident.id);
      throw new GateBlockedError(incident.id, state.missing, state);
    }
    await this.deps.incidents.record(incident.id, actor, GATE_EVENTS.passed, 'passed the restart gate', {
      required: state.required,
      ticks: state.ticks,
      evaluated: Object.fromEntries(
        state.items.filter((i) => i.mode === 'evaluated').map((i) => [i.id, i.override ?? i.check ?? null]),
      ),
    });
    return this.deps.incidents.setStatus(incident.id, actor, 'resolved', this.deps.resolveKey);
  }

  /** The override: someone allowed to force it resolves with items missing and a written reason. */
  async forceResolve(incidentId: string, actor: string, reason: string): Promise<Incident> {
    const incident = await this.requireOpen(incidentId);
    await this.permissions.authorize(actor, 'resolve', incident);
    const text = reason.trim();
    if (text.length < MIN_OVERRIDE_REASON)
      throw new UsageError(
        `Write why the gate is being overridden (at least ${MIN_OVERRIDE_REASON} characters).`,
      );
    await this.permissions.authorize(actor, 'gate.override', incident, {
      subject: 'resolve with restart-gate items missing',
    });
    const state = await this.gate(incident);
    await this.deps.incidents.record(
      incident.id,
      actor,
      GATE_EVENTS.overridden,
      `overrode the restart gate${state.missing.length ? ` (missing: ${state.missing.map((i) => GATE_ITEM_LABELS[i]).join('; ')})` : ''}: ${safeText(text, 'plain')}`,
      {
        reason: text,
        missing: state.missing,
        required: state.required,
        ticks: state.ticks,
        record: Object.fromEntries(state.items.filter((i) => i.check).map((i) => [i.id, i.check])),
      },
    );
    return this.deps.incidents.setStatus(incident.id, actor, 'resolved', this.deps.resolveKey);
  }

  async mayOverride(incident: Incident, user: string): Promise<boolean> {
    return (await this.permissions.check(user, 'gate.override', incident)).allowed;
  }

  async isApprover(incident: Incident, user: string): Promise<boolean> {
    return (await this.permissions.check(user, 'gate.approve', incident)).allowed;
  }

  async setRootCauseCategory(incidentId: string, actor: string, category: RootCauseCategory): Promise<void> {
    await this.permissions.authorize(actor, 'postmortem', await this.deps.incidentStore.require(incidentId), {
      subject: 'root-cause category',
    });
    await this.deps.incidents.record(
      incidentId,
      actor,
      ROOT_CAUSE_EVENT_CATEGORY,
      `categorized the root cause: ${ROOT_CAUSE_LABELS[category]}`,
      { category },
    );
    await this.refreshGate(incidentId);
  }

  async rootCauseCategory(incidentId: string): Promise<RootCauseCategory | undefined> {
    const events = await this.deps.incidentStore.timeline(incidentId);
    const latest = events.findLast((e) => e.kind === ROOT_CAUSE_EVENT_CATEGORY);
    return latest?.data.category as RootCauseCategory | undefined;
  }

  /** Renders the postmortem draft from the incident's records (no side effects). */
  renderPostmortem(incidentId: string): Promise<{ incident: Incident; markdown: string }> {
    return this.postmortem.render(incidentId);
  }

  /** Drafts the postmortem and posts it as a file in the incident channel; recorded on the timeline. */
  draftPostmortem(incidentId: string, actor: string): Promise<{ fileIds: string[] }> {
    return this.postmortem.draft(incidentId, actor);
  }

  /**
   * A fact an evaluated item reads changed (a control run, undone or re-verified, a bundle archived,
   * a corrective action added or closed, the root cause confirmed): the checklist in the channel
   * shows the record as it is now. services.ts subscribes it to every incident change.
   */
  async onRecordChange({ event }: IncidentChange): Promise<void> {
    if (!event.kind.startsWith('containment_') && !RECORD_EVENT_KINDS.includes(event.kind)) return;
    await this.refreshGate(event.incidentId);
  }

  /** Drafts the postmortem when an incident is resolved; services.ts subscribes it when configured. */
  async onIncidentChange({ before, incident, event }: IncidentChange): Promise<void> {
    if (!before || before.status === 'resolved' || incident.status !== 'resolved') return;
    await this.refreshGate(incident.id).catch(() => undefined);
    try {
      await this.draftPostmortem(incident.id, event.actor);
    } catch (error) {
      this.deps.logger.warn({ err: error, incident: incident.id }, 'postmortem draft failed');
      await this.deps.incidents.record(
        incident.id,
        SYSTEM_ACTOR,
        'postmortem_failed',
        `could not post the postmortem draft (${(error as Error).message}); run /incident postmortem`,
        { error: (error as Error).message },
      );
    }
  }

  private async requireOpen(incidentId: string): Promise<Incident> {
    const incident = await this.deps.incidentStore.require(incidentId);
    if (incident.status === 'resolved') throw new UsageError(`${incident.id} is already resolved.`);
    return incident;
  }

  private async checklist(incident: Incident) {
    const state = await this.gate(incident);
    const rootCauseCategory = await this.rootCauseCategory(incident.id);
    return this.deps.views.gateChecklist({
      incident,
      state,
      ...(rootCauseCategory ? { rootCauseCategory } : {}),
    });
  }

  /** Re-renders the latest checklist message (best effort: the stored ticks are the record). */
  async refreshGate(incidentId: string): Promise<void> {
    const ref = await this.deps.store.gateMessage(incidentId);
    if (!ref) return;
    const incident = await this.deps.incidentStore.require(incidentId);
    try {
      await this.deps.chat.updateMessage(ref.channel, ref.ts, await this.checklist(incident));
    } catch (error) {
      this.deps.logger.warn({ err: error, incident: incidentId }, 'restart gate message refresh failed');
    }
  }
}
