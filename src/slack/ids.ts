/** Every Slack id Quell sends or matches (commands, callback ids, action ids, block ids), in one place. */
export const COMMANDS = {
  incident: '/incident',
} as const;

export const SHORTCUTS = {
  addToTimeline: 'quell_add_to_timeline',
} as const;

export const VIEWS = {
  declare: 'quell_declare',
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
} as const;

export const ACTIONS = {
  /** Link buttons still send an action; Quell acks and ignores it. */
  openChannel: 'quell_open_channel',
} as const;
