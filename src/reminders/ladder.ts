import type { QuellConfig } from '../config/schema.js';
import { cadenceFor } from '../incidents/cadence.js';
import type { Severity } from '../incidents/model.js';
import type { LadderConfig, LadderTime } from './config.js';

/**
 * The escalation ladder of a missing update, resolved for one severity: pure functions. Step `i`
 * (0-based) beyond the configured steps is a repeat of the last one, every `repeatEveryMs`.
 */
export interface Ladder {
  /** Each step's time after the update fell due, in ms, ascending. */
  stepsAfterMs: number[];
  repeatEveryMs: number;
  steps: LadderConfig['steps'];
}

export interface LadderStepTargets {
  commander: boolean;
  users: string[];
  usergroups: string[];
  /** 0-based; >= steps.length means a repeat. */
  step: number;
  repeat: boolean;
}

function toMs(time: LadderTime, cadenceMs: number): number {
  return 'ms' in time ? time.ms : Math.round(time.cadences * cadenceMs);
}

/** A ladder step that fired, as told to `Reminders`' `onEscalationStep` (paging listens to it). */
export interface EscalationStep {
  /** 0-based; at or beyond the configured steps, a repeat of the last. */
  index: number;
  repeat: boolean;
  /** The due time whose prompt went unanswered, and when that update first fell due. */
  dueAt: string;
  overdueSince: string;
  /**
   * The same for every run of this step (a run retried after a crash tells it again): whoever
   * pages on it dedupes on this key.
   */
  key: string;
}

/** Who an escalation step mentioned: the commander's user id (null: none, or not this step). */
export interface EscalationTargets {
  commander: string | null;
  users: readonly string[];
  usergroups: readonly string[];
}

/** The ladder for a severity; null when it has no cadence (nothing is prompted, nothing escalates). */
export function ladderFor(severity: Severity, config: QuellConfig): Ladder | null {
  const cadenceMs = cadenceFor(severity, config);
  if (cadenceMs === null) return null;
  const { ladder, overdueAfter } = config.reminders;
  const chosen: LadderConfig = ladder[severity] ??
    ladder.default ?? {
      steps:
        overdueAfter !== undefined
          ? [{ after: { ms: overdueAfter }, commander: true, escalateTo: true, users: [], usergroups: [] }]
          : [
              { after: { cadences: 1 }, commander: true, escalateTo: false, users: [], usergroups: [] },
              { after: { cadences: 2 }, commander: true, escalateTo: true, users: [], usergroups: [] },
            ],
      repeatEvery: overdueAfter !== undefined ? { ms: overdueAfter } : { cadences: 1 },
    };
  const stepsAfterMs = chosen.steps.map((s) => toMs(s.after, cadenceMs));
  for (let i = 1; i < stepsAfterMs.length; i++)
    stepsAfterMs[i] = Math.max(stepsAfterMs[i]!, stepsAfterMs[i - 1]!);
  return {
    stepsAfterMs,
    repeatEveryMs: Math.max(1_000, toMs(chosen.repeatEvery, cadenceMs)),
    steps: chosen.steps,
  };
}

/**
 * How long after the previous step (or, for the first, after the due time) step `i` comes. After a
 * snooze the rest of the ladder keeps these gaps from the snoozed prompt's due time: a snooze moves
 * the ladder, it does not restart it.
 */
export function gapBefore(ladder: Ladder, step: number): number {
  const { stepsAfterMs } = ladder;
  if (step === 0) return stepsAfterMs[0]!;
  if (step < stepsAfterMs.length) return stepsAfterMs[step]! - stepsAfterMs[step - 1]!;
  return ladder.repeatEveryMs;
}

/** Who step `i` mentions: its own configuration (a repeat mentions what the last step did). */
export function stepTargets(ladder: Ladder, step: number, config: QuellConfig): LadderStepTargets {
  const repeat = step >= ladder.steps.length;
  const s = ladder.steps[Math.min(step, ladder.steps.length - 1)]!;
  const extra = s.escalateTo ? config.reminders.escalateTo : { users: [], usergroups: [] };
  return {
    commander: s.commander,
    users: [...new Set([...s.users, ...extra.users])],
    usergroups: [...new Set([...s.usergroups, ...extra.usergroups])],
    step,
    repeat,
  };
}
