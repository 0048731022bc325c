import type { Logger } from 'pino';
import { type ChatPort, chatErrorCode } from '../chat/port.js';
import type { Clock } from '../clock.js';
import type { QuellConfig } from '../config/schema.js';
import { QuellError, UsageError } from '../errors.js';
import type { Incident } from '../incidents/model.js';
import { type Permissions, RulePermissions, unionRules } from '../incidents/permissions.js';
import type { IncidentService } from '../incidents/service.js';
import type { IncidentStore } from '../incidents/store.js';
import { safeText } from '../text/safe-text.js';
import { CommsApprovers } from './approvers.js';
import { type Approvers, bannedPhrasesOf } from './config.js';
import { DraftMessages } from './draft-message.js';
import { assertDecided, assertLatest, assertOpen } from './draft-rules.js';
import { DraftNotFoundError, LintOverrideRequiredError } from './errors.js';
import { buildFields, FIELD_SOURCE_EVENTS, type IncidentFacts, ROOT_CAUSE_EVENT } from './fields.js';
import { describeFindings, errorsOf, type LintFinding, lintMessage, warningsOf } from './lint.js';
import {
  type ApprovedMessage,
  type CommsDraft,
  type CommsLogEntry,
  type CommsVersion,
  sha256,
} from './model.js';
import type { CommsPresenter, ResolvedDestination, TalkingPoints } from './presenter.js';
import { CommsPublisher, type Publication } from './publishing.js';
import type { CommsStore } from './store.js';
import { TalkingPointsReader } from './talking-points.js';
import type { CommsTemplate, TemplateLibrary } from './templates.js';

export interface CommsServiceDeps {
  store: IncidentStore;
  incidents: IncidentService;
  comms: CommsStore;
  templates: TemplateLibrary;
  chat: ChatPort;
  views: CommsPresenter;
  config: QuellConfig;
  clock: Clock;
  logger: Logger;
  /** Who-may-act checks; defaults to the rule + user-group check over `chat`. */
  permissions?: Permissions;
}

/** Everything kept about an incident's comms: for the evidence archive (issue 7) and `/comms history`. */
export interface CommsHistory {
  incidentId: string;
  /** Every draft, oldest first, with its status and every version (text, time, author, hash, lint). */
  drafts: CommsDraft[];
  /** Every override, approval, rejection and publication, in the order they happened. */
  log: CommsLogEntry[];
}

export interface ApproveInput {
  incidentId: string;
  draftId: string;
  /** The version the approver was shown; approving anything else is refused. */
  version: number;
  actor: string;
  /** Required when the version has lint warnings: the approver's reason, recorded. */
  override?: { reason: string };
}

export interface ApproveOutcome {
  draft: CommsDraft;
  approved: ApprovedMessage;
  publication?: Publication;
}

export const MAX_MESSAGE_LENGTH = 3000;

export { describeApprovers } from './approvers.js';
export { DraftNotFoundError, LintOverrideRequiredError } from './errors.js';
export { describeFindings } from './lint.js';

/**
 * Audience-specific messages: drafts rendered from templates, every version linted and kept,
 * approval by the audience's approvers only, publication to the audience's destination (never
 * outside the incident channel for drills), and the approved talking points support staff read.
 */
export class CommsService {
  private readonly approvers: CommsApprovers;
  private readonly publisher: CommsPublisher;
  private readonly talkingPointsReader: TalkingPointsReader;
  private readonly draftMessages: DraftMessages;

  private readonly permissions: Permissions;

  constructor(private readonly deps: CommsServiceDeps) {
    const permissions = deps.permissions ?? new RulePermissions(deps);
    this.permissions = permissions;
    this.approvers = new CommsApprovers({ config: deps.config, permissions });
    this.publisher = new CommsPublisher(deps);
    this.talkingPointsReader = new TalkingPointsReader(deps);
    this.draftMessages = new DraftMessages({ ...deps, publisher: this.publisher, approvers: this.approvers });
  }

  audiences(): CommsTemplate[] {
    return this.deps.templates.list();
  }

  requireTemplate(audience: string): CommsTemplate {
    const template = this.deps.templates.get(audience);
    if (!template)
      throw new UsageError(
        `There is no "${audience}" audience. Audiences: ${this.deps.templates.audiences().join(', ')}.`,
        '/comms draft <audience>',
      );
    return template;
  }

  /** Renders and lints one audience's message from the incident's current state (no side effects). */
  async render(incidentId: string, audience: string): Promise<{ text: string; findings: LintFinding[] }> {
    const template = this.requireTemplate(audience);
    const incident = await this.deps.store.require(incidentId);
    const { values, facts } = await this.fieldsOf(incident);
    const text = template.render(values);
    return { text, findings: this.lint(text, template.external, facts) };
  }

  /** Drafts a message for an audience and posts it, with its lint findings, in the incident channel. */
  async draft(incidentId: string, audience: string, actor: string): Promise<CommsDraft> {
    const template = this.requireTemplate(audience);
    const incident = await this.deps.store.require(incidentId);
    await this.permissions.authorize(actor, 'comms.draft', incident, { subject: template.title });
    if (!incident.channelId)
      throw new QuellError('comms_no_channel', `${incident.id} has no channel to post the draft in.`);
    const { values, facts } = await this.fieldsOf(incident);
    const text = template.render(values).slice(0, MAX_MESSAGE_LENGTH);
    const findings = this.lint(text, template.external, facts);
    const now = this.now();
    const draft = await this.deps.comms.createDraft(
      {
        incidentId,
        audience,
        title: template.title,
        external: template.external,
        createdBy: actor,
        createdAt: now,
      },
      { text, at: now, author: actor, source: 'template', sha256: sha256(text), findings },
    );
    const recordDrafted = (extra: Record<string, unknown> = {}) =>
      this.deps.incidents.record(
        incidentId,
        actor,
        'comms_drafted',
        `drafted the ${template.title.toLowerCase()} (v1, ${describeFindings(findings)})`,
        { draftId: draft.id, audience, version: 1, sha256: draft.versions[0]!.sha256, findings, ...extra },
      );
    let posted: { ts: string };
    try {
      posted = await this.deps.chat.postMessage(
        incident.channelId,
        this.deps.views.draft(this.draftMessages.view(incident, draft)),
      );
    } catch (error) {
      // the draft exists, so the timeline says so, with why nobody saw it
      await recordDrafted({ postError: chatErrorCode(error) });
      throw new QuellError(
        'comms_post_failed',
        `The ${template.title.toLowerCase()} draft is saved, but Slack refused to post it (${chatErrorCode(error)}).`,
        { cause: error },
      );
    }
    const message = { channel: incident.channelId, ts: posted.ts };
    const { status: _status, versions: _versions, ...record } = draft;
    // independent writes: the message reference and the timeline event
    await Promise.all([this.deps.comms.setMessage(record, message), recordDrafted()]);
    return { ...draft, message };
  }

  /**
   * Saves edited text as a new version (never replacing one), lints it and refreshes the draft
   * message. Concurrent edits both survive: each becomes its own version, newest last.
   */
  async edit(input: {
    incidentId: string;
    draftId: string;
    baseVersion: number;
    actor: string;
    text: string;
  }): Promise<{ draft: CommsDraft; version: CommsVersion; editedMeanwhile: boolean }> {
    const { incidentId, draftId, actor } = input;
    const text = input.text.trim();
    if (!text) throw new UsageError('The message cannot be empty.');
    if (text.length > MAX_MESSAGE_LENGTH)
      throw new UsageError(
        `Keep the message under ${MAX_MESSAGE_LENGTH} characters (it has ${text.length}).`,
      );
    const incident = await this.deps.store.require(incidentId);
    let draft = await this.requireDraft(incidentId, draftId);
    assertOpen(draft);
    await this.authorizeEdit(actor, draft, incident);
    const { facts } = await this.fieldsOf(incident);
    const findings = this.lint(text, draft.external, facts);
    let saved: CommsVersion | undefined;
    for (let attempt = 0; attempt < 5 && !saved; attempt++) {
      const base = draft.versions.length;
      const version: CommsVersion = {
        number: base + 1,
        text,
        at: this.now(),
        author: actor,
        source: 'edit',
        sha256: sha256(text),
        findings,
      };
      const result = await this.deps.comms.appendVersion(incidentId, draftId, base, version);
      if (result.ok) saved = version;
      else if (result.reason === 'closed') {
        draft = await this.requireDraft(incidentId, draftId);
        assertOpen(draft);
      } else draft = await this.requireDraft(incidentId, draftId);
    }
    if (!saved)
      throw new QuellError('comms_busy', 'This draft is being edited by several people at once; save again.');
    draft = await this.requireDraft(incidentId, draftId);
    await this.draftMessages.refresh(incident, draft);
    await this.deps.incidents.record(
      incidentId,
      actor,
      'comms_edited',
      `edited the ${draft.title.toLowerCase()} (v${saved.number}, ${describeFindings(findings)})`,
      { draftId, audience: draft.audience, version: saved.number, sha256: saved.sha256, findings },
    );
    return { draft, version: saved, editedMeanwhile: saved.number !== input.baseVersion + 1 };
  }

  /**
   * Refuses unless `actor` may edit the draft (the Edit button asks before opening the form, saving
   * asks again): whoever may draft may edit, and so may the audience's approvers (legal edits its
   * own notice). The refusal is recorded on the timeline and says who may.
   */
  async authorizeEdit(actor: string, draft: CommsDraft, incident: Incident): Promise<void> {
    await this.permissions.authorize(actor, 'comms.edit', incident, {
      subject: draft.title,
      rule: unionRules(this.permissions.ruleOf('comms.edit'), this.approvers.rule(draft.audience)),
    });
  }

  /**
   * Approves the version the approver saw and publishes it. Refused for people who are not approvers
   * of the audience, for versions with lint errors, for a version that is no longer the latest, and
   * (unless an override with a reason is given, and recorded) for versions with warnings.
   */
  async approve(input: ApproveInput): Promise<ApproveOutcome> {
    const { incidentId, draftId, actor } = input;
    const incident = await this.deps.store.require(incidentId);
    const draft = await this.requireDraft(incidentId, draftId);
    assertOpen(draft);
    const latest = assertLatest(draft, input.version);
    await this.approvers.assert(actor, draft, incident);
    // approving publishes: `comms.publish` may narrow who does (default: the same approvers)
    await this.approvers.assert(actor, draft, incident, 'comms.publish');

    const errors = errorsOf(latest.findings);
    if (errors.length > 0)
      throw new QuellError(
        'comms_lint_errors',
        `v${latest.number} cannot be approved until its lint errors are fixed (Edit):\n${errors.map((e) => `• ${e.message}`).join('\n')}`,
      );
    const warnings = warningsOf(latest.findings);
    const reason = input.override?.reason.trim();
    if (warnings.length > 0 && !reason) throw new LintOverrideRequiredError(warnings);

    const at = this.now();
    const common = {
      draftId,
      audience: draft.audience,
      version: latest.number,
      sha256: latest.sha256,
      actor,
      at,
    };
    const entries: CommsLogEntry[] = [];
    if (warnings.length > 0) entries.push({ kind: 'override', ...common, reason: reason!, warnings });
    const approvedEntry = { kind: 'approved' as const, ...common, overridden: warnings.length > 0 };
    entries.push(approvedEntry);
    const approved: ApprovedMessage = {
      draftId,
      audience: draft.audience,
      version: latest.number,
      text: latest.text,
      sha256: latest.sha256,
      approvedBy: actor,
      approvedAt: at,
    };
    const decided = await this.deps.comms.decide(
      incidentId,
      draftId,
      'approved',
      latest.number,
      entries,
      approved,
    );
    assertDecided(decided, draft);

    if (warnings.length > 0)
      await this.deps.incidents.record(
        incidentId,
        actor,
        'comms_lint_override',
        `overrode ${warnings.length} lint warning${warnings.length === 1 ? '' : 's'} on the ${draft.title.toLowerCase()} v${latest.number}: ${safeText(reason ?? '', 'plain')}`,
        { ...common, reason, warnings },
      );
    await this.deps.incidents.record(
      incidentId,
      actor,
      'comms_approved',
      `approved the ${draft.title.toLowerCase()} v${latest.number} (sha256 ${latest.sha256.slice(0, 12)}…)`,
      { ...common, approver: actor, approvedAt: at, overridden: warnings.length > 0 },
    );

    const closed = { ...draft, status: 'approved' as const };
    const publication = await this.publisher.publish(incident, closed, approved);
    await this.draftMessages.refresh(incident, closed, approvedEntry, publication);
    return { draft: closed, approved, publication };
  }

  async reject(input: {
    incidentId: string;
    draftId: string;
    version: number;
    actor: string;
  }): Promise<CommsDraft> {
    const { incidentId, draftId, actor } = input;
    const incident = await this.deps.store.require(incidentId);
    const draft = await this.requireDraft(incidentId, draftId);
    assertOpen(draft);
    const latest = assertLatest(draft, input.version);
    await this.approvers.assert(actor, draft, incident);
    const entry = {
      kind: 'rejected' as const,
      draftId,
      audience: draft.audience,
      version: latest.number,
      sha256: latest.sha256,
      actor,
      at: this.now(),
    };
    assertDecided(
      await this.deps.comms.decide(incidentId, draftId, 'rejected', latest.number, [entry]),
      draft,
    );
    await this.deps.incidents.record(
      incidentId,
      actor,
      'comms_rejected',
      `rejected the ${draft.title.toLowerCase()} v${latest.number}`,
      { draftId, audience: draft.audience, version: latest.number, sha256: latest.sha256 },
    );
    const closed = { ...draft, status: 'rejected' as const };
    await this.draftMessages.refresh(incident, closed, entry);
    return closed;
  }

  /** Records a confirmed root cause; customer-facing messages may state a cause only after this. */
  async confirmRootCause(incidentId: string, actor: string, summary: string): Promise<void> {
    const text = summary.trim();
    if (!text) throw new UsageError('Say what the root cause is.', '/comms root-cause <summary>');
    await this.permissions.authorize(actor, 'comms.edit', await this.deps.store.require(incidentId), {
      subject: 'confirm the root cause',
    });
    await this.deps.incidents.record(
      incidentId,
      actor,
      ROOT_CAUSE_EVENT,
      `confirmed the root cause: ${safeText(text, 'plain')}`,
      {
        summary: text,
      },
    );
  }

  /**
   * Every draft with all its versions and every override, approval, rejection and publication.
   * The contract the evidence archive reads; nothing here is ever deleted or rewritten.
   */
  async history(incidentId: string): Promise<CommsHistory> {
    const [drafts, log] = await Promise.all([
      this.deps.comms.listDrafts(incidentId),
      this.deps.comms.log(incidentId),
    ]);
    return { incidentId, drafts, log };
  }

  /** Whether `user` may approve messages for the draft's audience in this incident right now. */
  isApprover(user: string, audience: string, incident: Incident): Promise<boolean> {
    return this.approvers.may(user, audience, incident);
  }

  approversFor(audience: string): Approvers {
    return this.approvers.for(audience);
  }

  destinationFor(audience: string, incident: Incident): ResolvedDestination {
    return this.publisher.destinationFor(audience, incident);
  }

  /** Active, non-drill incidents with their latest approved talking points, most severe first. */
  talkingPoints(): Promise<TalkingPoints[]> {
    return this.talkingPointsReader.all();
  }

  /** One incident's latest approved talking points, whatever its state. */
  talkingPointsFor(incidentId: string): Promise<TalkingPoints> {
    return this.talkingPointsReader.forIncident(incidentId);
  }

  async getDraft(incidentId: string, draftId: string): Promise<CommsDraft> {
    return this.requireDraft(incidentId, draftId);
  }

  private async fieldsOf(incident: Incident) {
    const { config, clock } = this.deps;
    const timeline = await this.deps.store.timelineOfKinds(incident.id, FIELD_SOURCE_EVENTS);
    const severity = config.severities[incident.severity];
    return buildFields({
      incident,
      timeline,
      severityLabel: severity.label,
      severityDescription: severity.description,
      timezone: config.comms.timezone ?? config.incidents.timezone,
      now: clock.now(),
    });
  }

  private lint(text: string, external: boolean, facts: IncidentFacts): LintFinding[] {
    return lintMessage(text, { facts, external, bannedPhrases: bannedPhrasesOf(this.deps.config.comms) });
  }

  private async requireDraft(incidentId: string, draftId: string): Promise<CommsDraft> {
    const draft = await this.deps.comms.getDraft(incidentId, draftId);
    if (!draft) throw new DraftNotFoundError(incidentId, draftId);
    return draft;
  }

  private now(): string {
    return this.deps.clock.now().toISOString();
  }
}
