/**
 * The restart gate: what must be true before an agent that caused an incident is trusted again.
 * Pure: which items exist, which are required for a severity, and what is still missing.
 */

export const GATE_ITEM_IDS = [
  'contained',
  'records-identified',
  'rollback',
  'evidence-archived',
  'owner-assigned',
  'root-cause',
  'guardrails',
  'tests-passed',
  'approval',
] as const;
export type GateItemId = (typeof GATE_ITEM_IDS)[number];

export const GATE_ITEM_LABELS: Record<GateItemId, string> = {
  contained: 'Contained: the agent can no longer act',
  'records-identified': 'Affected records identified',
  rollback: 'Rollback complete, or explicitly accepted',
  'evidence-archived': 'Evidence archived',
  'owner-assigned': 'Owner assigned for the fix',
  'root-cause': 'Root cause understood enough to remediate',
  guardrails: 'Guardrails changed',
  'tests-passed': 'Tests or shadow runs passed',
  approval: 'Severity owner approved the restart',
};

/** Who ticked an item and when. */
export interface GateTick {
  by: string;
  at: string;
}

export type GateTicks = Partial<Record<GateItemId, GateTick>>;

export interface GateState {
  required: readonly GateItemId[];
  ticks: GateTicks;
  /** Required items not ticked, in checklist order. */
  missing: GateItemId[];
  passed: boolean;
}

export function evaluateGate(required: readonly GateItemId[], ticks: GateTicks): GateState {
  const missing = GATE_ITEM_IDS.filter((item) => required.includes(item) && !ticks[item]);
  return { required, ticks, missing, passed: missing.length === 0 };
}

export function isGateItem(value: string): value is GateItemId {
  return (GATE_ITEM_IDS as readonly string[]).includes(value);
}

export function describeMissing(missing: readonly GateItemId[]): string {
  return missing.map((item) => `• ${GATE_ITEM_LABELS[item]}`).join('\n');
}
