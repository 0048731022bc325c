/**
 * The restart gate: what must be true before an agent that caused an incident is trusted again.
 * Pure: which items exist, which are required for a severity, which are checked from the record
 * (evaluated) rather than ticked, and what is still missing.
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
/**
 * Not in the configurable lists: whenever an incident has a notification obligation (src/obligations)
 * this item is required and checked from the record: every obligation submitted or waived.
 */
export const OBLIGATIONS_ITEM = 'obligations' as const;
/** An item of the configurable checklist (`resolution.gate.required` / `evaluated`). */
export type ConfigurableGateItemId = (typeof GATE_ITEM_IDS)[number];
export type GateItemId = ConfigurableGateItemId | typeof OBLIGATIONS_ITEM;

/** Items Quell can check against its own records; the others can only be ticked by a person. */
export const EVALUABLE_ITEM_IDS = [
  'contained',
  'records-identified',
  'rollback',
  'evidence-archived',
  'owner-assigned',
  'root-cause',
] as const satisfies readonly GateItemId[];
export type EvaluableItemId = (typeof EVALUABLE_ITEM_IDS)[number];

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
  obligations: 'Notification obligations submitted or waived',
};

/** Who ticked an item and when. */
export interface GateTick {
  by: string;
  at: string;
}

export type GateTicks = Partial<Record<GateItemId, GateTick>>;

/** An evaluated item accepted by hand: who, when and why (the record said no). */
export interface GateOverride extends GateTick {
  reason: string;
}
export type GateOverrides = Partial<Record<GateItemId, GateOverride>>;

/** What the record says about one evaluated item. */
export interface GateCheck {
  ok: boolean;
  /** One line: "3 controls in force, all verified (r1, r2, p1)". */
  reason: string;
  /** The instant the reason is true as of (e.g. when the bundle's manifest was verified). */
  asOf?: string;
  /** Where to look or what to run: "`/contain status`", a bundle location. */
  see?: string;
}
export type GateChecks = Partial<Record<GateItemId, GateCheck>>;

export interface GateItemState {
  id: GateItemId;
  label: string;
  required: boolean;
  mode: 'manual' | 'evaluated';
  done: boolean;
  tick?: GateTick;
  check?: GateCheck;
  override?: GateOverride;
}

export interface GateState {
  required: readonly GateItemId[];
  evaluated: readonly GateItemId[];
  ticks: GateTicks;
  items: GateItemState[];
  /** Required items not done, in checklist order. */
  missing: GateItemId[];
  passed: boolean;
}

export function isEvaluable(item: GateItemId): item is EvaluableItemId {
  return (EVALUABLE_ITEM_IDS as readonly string[]).includes(item);
}

/**
 * Combines ticks (manual items), record checks and overrides (evaluated items). An evaluated item
 * is done when the record says so or someone allowed to has overridden it; a tick never counts.
 */
export function evaluateGate(
  required: readonly GateItemId[],
  ticks: GateTicks,
  record: { evaluated?: readonly GateItemId[]; checks?: GateChecks; overrides?: GateOverrides } = {},
): GateState {
  const evaluated = record.evaluated ?? [];
  // the obligations item exists only where the caller evaluates it (an incident with obligations)
  const ids: GateItemId[] = [
    ...GATE_ITEM_IDS,
    ...(evaluated.includes(OBLIGATIONS_ITEM) ? [OBLIGATIONS_ITEM] : []),
  ];
  const items = ids.map((id): GateItemState => {
    const mode = evaluated.includes(id) ? 'evaluated' : 'manual';
    const tick = ticks[id];
    const check = record.checks?.[id];
    const override = record.overrides?.[id];
    const done = mode === 'manual' ? Boolean(tick) : Boolean(check?.ok || override);
    return {
      id,
      label: GATE_ITEM_LABELS[id],
      required: required.includes(id),
      mode,
      done,
      ...(mode === 'manual' && tick ? { tick } : {}),
      ...(mode === 'evaluated' && check ? { check } : {}),
      ...(mode === 'evaluated' && override ? { override } : {}),
    };
  });
  const missing = items.filter((i) => i.required && !i.done).map((i) => i.id);
  return { required, evaluated, ticks, items, missing, passed: missing.length === 0 };
}

export function isGateItem(value: string): value is GateItemId {
  return (GATE_ITEM_IDS as readonly string[]).includes(value);
}

export function describeMissing(missing: readonly GateItemId[], state?: GateState): string {
  return missing
    .map((item) => {
      const check = state?.items.find((i) => i.id === item)?.check;
      return `• ${GATE_ITEM_LABELS[item]}${check ? ` (${check.reason})` : ''}`;
    })
    .join('\n');
}

/**
 * A checkbox click as the clicker made it: what they selected compared with what the message they
 * clicked showed, so two people ticking different items on the same message both stick.
 */
export function checklistChange(
  seen: readonly GateItemId[],
  selected: readonly GateItemId[],
): { added: GateItemId[]; removed: GateItemId[] } {
  return {
    added: GATE_ITEM_IDS.filter((i) => selected.includes(i) && !seen.includes(i)),
    removed: GATE_ITEM_IDS.filter((i) => seen.includes(i) && !selected.includes(i)),
  };
}
