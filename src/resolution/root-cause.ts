/** Root-cause categories for AI-agent incidents, as responders classify them in the postmortem. */
export const ROOT_CAUSE_CATEGORIES = [
  'prompt-conflict',
  'retrieval-contamination',
  'tool-schema-mismatch',
  'over-broad-permissions',
  'model-regression',
  'safety-classifier-failure',
  'stale-memory',
  'bad-human-input',
] as const;
export type RootCauseCategory = (typeof ROOT_CAUSE_CATEGORIES)[number];

export const ROOT_CAUSE_LABELS: Record<RootCauseCategory, string> = {
  'prompt-conflict': 'Prompt conflict',
  'retrieval-contamination': 'Retrieval contamination',
  'tool-schema-mismatch': 'Tool schema mismatch',
  'over-broad-permissions': 'Over-broad permissions',
  'model-regression': 'Model version regression',
  'safety-classifier-failure': 'Safety classifier failure',
  'stale-memory': 'Stale memory',
  'bad-human-input': 'Bad human workflow input',
};

export const ROOT_CAUSE_EVENT_CATEGORY = 'root_cause_categorized';
