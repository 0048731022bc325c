import { z } from 'zod';

/** Who did it: a Slack user id, or SYSTEM_ACTOR for what the app did by itself. */
export { SYSTEM_ACTOR } from './model.js';

/**
 * Every kind of timeline event, by the feature that appends it. The timeline is shared vocabulary:
 * a feature reads another's events by kind (comms reads updates, containment and the root cause),
 * so a kind is added here, never made up at the call site.
 */
export const TIMELINE_KINDS = {
  incidents: [
    'declared',
    /** The triage form's suggestion and what the declarer chose (resolution/triage.ts). */
    'triage',
    /** Channel set-up (create, invite, pin, topic, announce) went partly wrong. */
    'setup_failed',
    'severity_changed',
    'status_changed',
    'role_assigned',
    'agent_fact',
    'reactivation_plan',
    'note',
    'message_added',
    /** Someone asked for an operation the permission model refused them (incidents/permissions.ts). */
    'permission_refused',
    /** Moved to a private follow-up channel (incidents/private-follow-up.ts). */
    'privacy_changed',
  ],
  /** A background job about the incident was given up (src/jobs: permanent refusal or attempts ran out). */
  jobs: ['job_failed'],
  reminders: ['update', 'update_snoozed', 'update_overdue', 'reminder_failed'],
  /** `containment_<audit event>`: one per entry of the containment audit (containment/model.ts). */
  containment: [
    'containment_refused',
    'containment_started',
    'containment_dry_run',
    'containment_executed',
    'containment_verified',
    'containment_undone',
    'containment_cancelled',
    'containment_drift',
    'containment_reapplied',
  ],
  comms: [
    'comms_drafted',
    'comms_edited',
    'comms_lint_override',
    'comms_approved',
    'comms_rejected',
    'comms_published',
    'comms_publish_failed',
    'root_cause_confirmed',
  ],
  resolution: [
    'gate_ticked',
    'gate_unticked',
    'gate_passed',
    'gate_overridden',
    /** An evaluated gate item accepted by hand with a reason (the record said no). */
    'gate_item_overridden',
    /** An entry of the rollback inventory recorded or updated (`/incident affected`). */
    'affected_recorded',
    'root_cause_categorized',
    'postmortem_drafted',
    'postmortem_failed',
    'action_added',
    'action_done',
    'action_overdue',
  ],
  evidence: ['evidence_archived', 'evidence_archive_failed'],
  /**
   * Alert intake (src/intake): an alert fired again (repeats coalesced: one event per flush, with
   * the count), resolved at its source (recorded; the incident stays open), a rule's step that did
   * not happen (on-call lookup, invite, auto-run), and the decision deadline passing with no
   * commander action.
   */
  intake: ['alert_fired', 'alert_resolved', 'alert_rule_step_failed', 'decision_overdue'],
  /** Pages to PagerDuty / Opsgenie (src/paging): sent (trigger, acknowledge, resolve), failed, or not sent (a drill). */
  paging: ['page_sent', 'page_failed', 'page_skipped'],
  /** A REST API token read the incident (src/api); its changes are the operations' own events. */
  api: ['api_read'],
  /** Forensic collection runs (src/forensics) and the responder-marked first unauthorized action. */
  forensics: ['forensics_planned', 'forensics_collected', 'forensics_failed', 'first_unauthorized_action'],
  /** Notification clocks (src/obligations): proposed, added, reports, waivers, reminders, missed deadlines. */
  obligations: [
    'obligation_proposed',
    'obligation_added',
    'obligation_initial',
    'obligation_submitted',
    'obligation_waived',
    'obligation_reminded',
    'obligation_overdue',
  ],
} as const;

export type TimelineKind = (typeof TIMELINE_KINDS)[keyof typeof TIMELINE_KINDS][number];
export type ContainmentTimelineKind = (typeof TIMELINE_KINDS.containment)[number];

export const ALL_TIMELINE_KINDS: readonly TimelineKind[] = Object.values(TIMELINE_KINDS).flat();

export function isTimelineKind(kind: string): kind is TimelineKind {
  return (ALL_TIMELINE_KINDS as readonly string[]).includes(kind);
}

export const timelineEventSchema = z.object({
  incidentId: z.string(),
  at: z.iso.datetime({ offset: true }),
  actor: z.string(),
  /** Machine-readable kind; see TIMELINE_KINDS. */
  kind: z.enum(ALL_TIMELINE_KINDS as [TimelineKind, ...TimelineKind[]]),
  /** One line a person reads in the timeline. */
  text: z.string(),
  data: z.record(z.string(), z.unknown()).default({}),
});

export type TimelineEvent = z.infer<typeof timelineEventSchema>;
export type NewTimelineEvent = Omit<TimelineEvent, 'incidentId' | 'at'> & { at?: string };
