import { createHash } from 'node:crypto';
import type { ChatPort } from '../chat/port.js';
import type { Clock } from '../clock.js';
import type { CommsService } from '../comms/index.js';
import { ROOT_CAUSE_EVENT } from '../comms/index.js';
import type { QuellConfig } from '../config/schema.js';
import type { ContainmentService } from '../containment/index.js';
import { QuellError, UsageError } from '../errors.js';
import { type Incident, SYSTEM_ACTOR } from '../incidents/model.js';
import {
  type ActorRule,
  type PermissionDecision,
  type Permissions,
  RulePermissions,
  uncheckedNote,
} from '../incidents/permissions.js';
import type { IncidentChange, IncidentService } from '../incidents/service.js';
import type { IncidentStore } from '../incidents/store.js';
import type { Logger } from '../logging/logger.js';
import type { CorrectiveActions } from './actions.js';
import {
  describeMissing,
  evaluateGate,
  GATE_ITEM_IDS,
  GATE_ITEM_LABELS,
  type GateItemId,
  type GateState,
} from './gate.js';
import { buildPostmortemValues } from './postmortem.js';
import type { PostmortemTemplate } from './postmortem-template.js';
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
} as const;

/** Resolution refused: required restart-gate items are not ticked. */
export class GateBlockedError extends QuellError {
  constructor(
    readonly incidentId: string,
    readonly missing: readonly GateItemId[],
  ) {
    super(
      'restart_gate_blocked',
      `${incidentId} cannot be resolved yet: the restart gate is missing\n${describeMissing(missing)}\nTick them in the checklist (\`/incident resolve\`), or ask someone allowed to override to force it with a reason.`,
    );
  }
}

export class NotPermittedError extends QuellError {
  constructor(message: string) {
    super('not_permitted', message);
  }
}

export const MIN_OVERRIDE_REASON = 10;

/**
 * The end of an incident: the restart gate (ticks with who and when, refusal with the missing
 * items, a recorded override), the root-cause category, and the postmortem draft posted as a file
 * when the incident is resolved, whichever way it was resolved.
 */
export class ResolutionService {
  private readonly permissions: Permissions;

  constructor(private readonly deps: ResolutionServiceDeps) {
    this.permissions = deps.permissions ?? new RulePermissions(deps);
  }

  async gate(incident: Incident): Promise<GateState> {
    const ticks = await this.deps.store.ticks(incident.id);
    return evaluateGate(this.deps.config.resolution.gate.required[incident.severity], ticks);
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
   * The checklist's checkboxes as submitted: ticks what was newly selected and unticks what was
   * cleared, each recorded with who and when. Approval is only the approvers' to give or take back.
   */
  async applyChecklist(
    incidentId: string,
    actor: string,
    selected: readonly GateItemId[],
  ): Promise<GateState> {
    const incident = await this.deps.incidentStore.require(incidentId);
    const ticks = await this.deps.store.ticks(incidentId);
    const added = GATE_ITEM_IDS.filter((i) => selected.includes(i) && !ticks[i]);
    const removed = GATE_ITEM_IDS.filter((i) => !selected.includes(i) && ticks[i]);
    if (added.includes('approval') || removed.includes('approval')) {
      const decision = await this.decide(this.approverRule(), incident, actor);
      if (!decision.allowed) {
        await this.refreshGate(incidentId);
        throw new NotPermittedError(
          `Only ${this.permissions.describe(this.approverRule())}${uncheckedNote(decision)} can give or withdraw the restart approval.`,
        );
      }
    }
    const now = this.deps.clock.now().toISOString();
    for (const item of added) {
      if (await this.deps.store.tick(incidentId, item, actor, now))
        await this.deps.incidents.record(
          incidentId,
          actor,
          GATE_EVENTS.ticked,
          `ticked restart gate: ${GATE_ITEM_LABELS[item]}`,
          {
            item,
            label: GATE_ITEM_LABELS[item],
          },
        );
    }
    for (const item of removed) {
      if (await this.deps.store.untick(incidentId, item))
        await this.deps.incidents.record(
          incidentId,
          actor,
          GATE_EVENTS.unticked,
          `unticked restart gate: ${GATE_ITEM_LABELS[item]}`,
          {
            item,
            label: GATE_ITEM_LABELS[item],
            previously: ticks[item],
          },
        );
    }
    await this.refreshGate(incidentId);
    return this.gate(incident);
  }

  /** Resolves if every required item is ticked; otherwise refuses with the missing items. */
  async resolve(incidentId: string, actor: string): Promise<Incident> {
    const incident = await this.requireOpen(incidentId);
    const state = await this.gate(incident);
    if (!state.passed) throw new GateBlockedError(incident.id, state.missing);
    await this.deps.incidents.record(incident.id, actor, GATE_EVENTS.passed, 'passed the restart gate', {
      required: state.required,
      ticks: state.ticks,
    });
    return this.deps.incidents.setStatus(incident.id, actor, 'resolved', this.deps.resolveKey);
  }

  /** The override: someone allowed to force it resolves with items missing and a written reason. */
  async forceResolve(incidentId: string, actor: string, reason: string): Promise<Incident> {
    const incident = await this.requireOpen(incidentId);
    const text = reason.trim();
    if (text.length < MIN_OVERRIDE_REASON)
      throw new UsageError(
        `Write why the gate is being overridden (at least ${MIN_OVERRIDE_REASON} characters).`,
      );
    const decision = await this.decide(this.overrideRule(), incident, actor);
    if (!decision.allowed)
      throw new NotPermittedError(
        `Only ${this.permissions.describe(this.overrideRule())}${uncheckedNote(decision)} can resolve with restart-gate items missing.`,
      );
    const state = await this.gate(incident);
    await this.deps.incidents.record(
      incident.id,
      actor,
      GATE_EVENTS.overridden,
      `overrode the restart gate${state.missing.length ? ` (missing: ${state.missing.map((i) => GATE_ITEM_LABELS[i]).join('; ')})` : ''}: ${text}`,
      { reason: text, missing: state.missing, required: state.required, ticks: state.ticks },
    );
    return this.deps.incidents.setStatus(incident.id, actor, 'resolved', this.deps.resolveKey);
  }

  async mayOverride(incident: Incident, user: string): Promise<boolean> {
    return (await this.decide(this.overrideRule(), incident, user)).allowed;
  }

  async isApprover(incident: Incident, user: string): Promise<boolean> {
    return (await this.decide(this.approverRule(), incident, user)).allowed;
  }

  private approverRule(): ActorRule {
    return { ...this.deps.config.resolution.gate.approvers, source: 'resolution.gate.approvers' };
  }

  private overrideRule(): ActorRule {
    return { ...this.deps.config.resolution.gate.override, source: 'resolution.gate.override' };
  }

  private decide(rule: ActorRule, incident: Incident, user: string): Promise<PermissionDecision> {
    return this.permissions.mayAct(user, rule, incident);
  }

  async setRootCauseCategory(incidentId: string, actor: string, category: RootCauseCategory): Promise<void> {
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
  async renderPostmortem(incidentId: string): Promise<{ incident: Incident; markdown: string }> {
    const { incidentStore, containment, comms, actions, config, clock } = this.deps;
    const incident = await incidentStore.require(incidentId);
    const [timeline, audit, history, gate, corrective] = await Promise.all([
      incidentStore.timeline(incidentId),
      containment.audit(incidentId),
      comms.history(incidentId),
      this.gate(incident),
      actions.ofIncident(incidentId),
    ]);
    const values = buildPostmortemValues({
      incident,
      timeline,
      audit,
      comms: history,
      gate,
      actions: corrective,
      severityLabel: config.severities[incident.severity].label,
      timezone: config.incidents.timezone,
      now: clock.now(),
      rootCauseEvent: ROOT_CAUSE_EVENT,
    });
    return { incident, markdown: this.deps.template.render(values) };
  }

  /** Drafts the postmortem and posts it as a file in the incident channel; recorded on the timeline. */
  async draftPostmortem(incidentId: string, actor: string): Promise<{ fileIds: string[] }> {
    const { incident, markdown } = await this.renderPostmortem(incidentId);
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
      `:memo: ${drill}Postmortem draft for ${incident.id}, filled in from the timeline, containment audit, comms, restart gate and corrective actions. Complete the TODO sections.`,
    );
    await this.deps.incidents.record(
      incident.id,
      actor,
      'postmortem_drafted',
      `drafted the postmortem (${markdown.length} characters)`,
      {
        fileIds,
        sha256,
        bytes: content.byteLength,
      },
    );
    return { fileIds };
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
