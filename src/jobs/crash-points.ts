/**
 * Deterministic crash points, for crash tests: `QUELL_CRASH_AT=<point>` (parsed in config/env.ts,
 * armed by main.ts) makes the process die with SIGKILL the moment it reaches that point, as a
 * `kill -9` or an OOM kill would: no finally blocks, no shutdown, no reply. Unarmed (always in
 * production) `crashPoint` does nothing.
 *
 * A point is named `<flow>.<step>` (`declare.channel`, `update.recorded`, `contain.target`) and
 * sits right after a step's effect (a Slack call, a request to a target) and before that step is
 * recorded: the worst moment, since the effect happened and nothing says so yet. A flow that
 * resumes correctly from every point never does an effect twice and never loses one.
 */

export const CRASH_POINT = /^[a-z][a-z-]*\.[a-z][a-z-]*$/;

let armed: string | undefined;
let exit: () => void = () => process.kill(process.pid, 'SIGKILL');

/** Arms one point for this process (undefined disarms). `onCrash` replaces the kill (unit tests). */
export function armCrashPoint(point: string | undefined, onCrash?: () => void): void {
  if (point !== undefined && !CRASH_POINT.test(point))
    throw new Error(`crash point "${point}" must look like <flow>.<step>, e.g. declare.channel`);
  armed = point;
  if (onCrash) exit = onCrash;
}

/** Dies here when this point is armed. */
export function crashPoint(point: string): void {
  if (armed !== undefined && armed === point) exit();
}
