/** Every Slack id Quell sends or matches (commands, callback ids, action ids, block ids), in one place. */
export const COMMANDS = {
  incident: '/incident',
  comms: '/comms',
  contain: '/contain',
} as const;

export const SHORTCUTS = {
  addToTimeline: 'quell_add_to_timeline',
} as const;

export const VIEWS = {
  declare: 'quell_declare',
  /** Edit form of a comms draft. */
  commsEdit: 'quell_comms_edit',
  /** Approve-despite-warnings form of a comms draft. */
  commsOverride: 'quell_comms_override',
  /** The App Home tab. */
  home: 'quell_home',
  update: 'quell_update',
  /** Written reason for resolving with restart-gate items missing. */
  gateOverride: 'quell_gate_override',
  /** `/incident triage`: the side-effect questions, then the suggested severity to accept or change. */
  triageQuestions: 'quell_triage_questions',
  triageDecision: 'quell_triage_decision',
  /** `/incident affected`: one entry of the rollback inventory. */
  affected: 'quell_affected',
} as const;

export const DECLARE_FIELDS = {
  title: { block: 'declare_title', action: 'title' },
  severity: { block: 'declare_severity', action: 'severity' },
  description: { block: 'declare_description', action: 'description' },
  agentName: { block: 'declare_agent_name', action: 'agent_name' },
  agentVersion: { block: 'declare_agent_version', action: 'agent_version' },
  agentModel: { block: 'declare_agent_model', action: 'agent_model' },
  environment: { block: 'declare_environment', action: 'environment' },
  options: { block: 'declare_options', action: 'options' },
  category: { block: 'declare_category', action: 'category' },
  /** When the agent's misbehaviour started (datetimepicker; optional: unknown by default). */
  started: { block: 'declare_started', action: 'started' },
} as const;

export const COMMS_FIELDS = {
  text: { block: 'comms_text', action: 'text' },
  overrideReason: { block: 'comms_override_reason', action: 'reason' },
} as const;

export const ACTIONS = {
  /** "Mark as first unauthorized action" on an agent-timeline entry; value `<incident id>|<entry id>`. */
  forensicsMarkFirst: 'quell_forensics_mark_first',
  /** "Retry" on a failed evidence archive; value is the incident id. */
  evidenceRetry: 'quell_evidence_retry',
  /** "Declare a private follow-up channel" (`/incident private`); value is the incident id. */
  privateFollowUp: 'quell_private_follow_up',
  /** Buttons on a comms draft. */
  commsEdit: 'quell_comms_edit',
  commsApprove: 'quell_comms_approve',
  commsReject: 'quell_comms_reject',
  /** "Post update" on an update prompt: opens the update form. */
  postUpdate: 'quell_update_post',
  /** The "Snooze" menu on an update prompt. */
  snoozeUpdate: 'quell_update_snooze',
  /** Containment confirmation buttons carry the pending request's token as value. */
  containmentConfirm: 'quell_containment_confirm',
  containmentCancel: 'quell_containment_cancel',
  /** Retry button of a failed step; value `<incident id>|<run id>`. */
  containmentRetry: 'quell_containment_retry',
  containmentReapply: 'quell_containment_reapply',
  /** The restart gate checklist (checkboxes; value of each option is a gate item id). */
  gateChecklist: 'quell_gate_checklist',
  /** Resolve button of the checklist; value is the incident id. */
  gateResolve: 'quell_gate_resolve',
  /** "Override…" button of the checklist: opens the reason form; value is the incident id. */
  gateOverride: 'quell_gate_override',
  /** Root-cause category menu on the checklist. */
  rootCauseCategory: 'quell_root_cause_category',
  /** "Override…" next to an item checked from the record; value is the gate item id. */
  gateItemOverride: 'quell_gate_item_override',
  /** "Record an affected object" on the rollback inventory summary; value is the incident id. */
  affectedAdd: 'quell_affected_add',
  /** "Run" on an alert card's suggested playbook or one of its actions; value `<incident id>|playbook|<name>` or `…|action|<name>`. */
  intakeRun: 'quell_intake_run',
} as const;

export const GATE_BLOCKS = {
  /**
   * The checkboxes' block; its id also carries which options that message showed ticked
   * (`gate_checklist~<bits>`), so a click is read against what the clicker saw.
   */
  checklist: 'gate_checklist',
  /** One section per item checked from the record: `gate_item_<item id>`. */
  evaluatedItem: (item: string) => `gate_item_${item}`,
  rootCause: 'gate_root_cause',
  buttons: 'gate_buttons',
} as const;

export const GATE_OVERRIDE_FIELDS = {
  reason: { block: 'gate_override_reason', action: 'reason' },
} as const;

/** The rollback inventory form (`/incident affected`). */
export const AFFECTED_FIELDS = {
  system: { block: 'affected_system', action: 'system' },
  objectId: { block: 'affected_object_id', action: 'object_id' },
  change: { block: 'affected_change', action: 'change' },
  before: { block: 'affected_before', action: 'before' },
  after: { block: 'affected_after', action: 'after' },
  reversible: { block: 'affected_reversible', action: 'reversible' },
  state: { block: 'affected_state', action: 'state' },
  note: { block: 'affected_note', action: 'note' },
  disclosure: { block: 'affected_disclosure', action: 'disclosure' },
} as const;

/** Triage form: one radio block per question (block id `triage_<question>`, action `answer`). */
export const TRIAGE_FIELDS = {
  title: { block: 'triage_title', action: 'title' },
  questionBlock: (question: string) => `triage_${question}`,
  answer: 'answer',
  severity: { block: 'triage_severity', action: 'severity' },
} as const;

export const UPDATE_FIELDS = {
  impact: { block: 'update_impact', action: 'impact' },
  containment: { block: 'update_containment', action: 'containment' },
  investigation: { block: 'update_investigation', action: 'investigation' },
  nextUpdate: { block: 'update_next', action: 'next_update' },
} as const;
