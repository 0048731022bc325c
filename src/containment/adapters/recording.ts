import { z } from 'zod';
import { defineAdapter, type PlanContext, type PlannedRequest, TargetError } from '../contract.js';

/**
 * `recording`: a real adapter that touches nothing. It records what it was asked to do and answers
 * as configured, so it serves tests, game days and benchmarks alike (configure it like any target:
 * `adapter: recording`). Its plan has the same shape as every other adapter's, which is also what a
 * dry run shows for a real target.
 */
const settingsSchema = z.strictObject({
  /** What the fake target does: succeed, refuse (like a 4xx), fail (like a 5xx) or not take effect. */
  outcome: z.enum(['ok', 'refuse', 'fail', 'not-verified']).default('ok'),
  /** Simulated target latency per call. */
  delayMs: z.number().int().min(0).max(60_000).default(0),
  irreversible: z.boolean().default(false),
  undoable: z.boolean().default(true),
  label: z.string().optional(),
});
type Settings = z.output<typeof settingsSchema>;

const argsSchema = z.record(z.string(), z.string()).default({});
type Args = z.output<typeof argsSchema>;

export interface RecordedCall {
  phase: 'execute' | 'verify' | 'undo';
  incidentId: string;
  actionName: string;
  args: Record<string, string>;
  idempotencyKey: string;
  at: string;
}

/** Every call the recording adapter received in this process, oldest first. */
export const recordedCalls: RecordedCall[] = [];

function planned(ctx: PlanContext<Settings, Args>, phase: RecordedCall['phase']): PlannedRequest {
  return {
    method: 'RECORD',
    url: `recording://${encodeURIComponent(ctx.actionName)}/${phase}`,
    ...(ctx.secrets.token ? { headers: { authorization: `Bearer ${ctx.secrets.token}` } } : {}),
    body: { incident: ctx.incidentId, args: ctx.args },
  };
}

const wait = (ms: number) => (ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve());

async function call(ctx: PlanContext<Settings, Args>, phase: RecordedCall['phase']): Promise<void> {
  recordedCalls.push({
    phase,
    incidentId: ctx.incidentId,
    actionName: ctx.actionName,
    args: ctx.args,
    idempotencyKey: ctx.idempotencyKey,
    at: new Date().toISOString(),
  });
  await wait(ctx.settings.delayMs);
  if (phase === 'execute' && ctx.settings.outcome === 'refuse')
    throw new TargetError('recording target refused: HTTP 403 forbidden', {
      status: 403,
      retryable: false,
      attempts: 1,
      targetMessage: 'forbidden',
    });
  if (phase === 'execute' && ctx.settings.outcome === 'fail')
    throw new TargetError('recording target failed: HTTP 503 unavailable', {
      status: 503,
      retryable: true,
      attempts: 1,
      targetMessage: 'unavailable',
    });
}

export const recordingAdapter = defineAdapter<Settings, Args>({
  id: 'recording',
  summary: 'Record the request and change nothing (tests, drills, game days)',
  settingsSchema,
  argsSchema,
  secrets: { required: [], optional: ['token'] },
  irreversible: (settings) => settings.irreversible,
  canUndo: (settings) => settings.undoable,
  describe: (ctx) => ctx.settings.label ?? `Record ${ctx.actionName} (no real target)`,
  consequence: (ctx) => `${ctx.actionName} cannot be undone (simulated).`,
  describeUndo: () => 'record the undo (nothing real changes)',
  plan: (phase, ctx) => [planned(ctx, phase)],
  async execute(ctx) {
    await call(ctx, 'execute');
    return {
      detail: 'recorded',
      state: {
        recordedAt: ctx.now.toISOString(),
        prior: { known: true, summary: 'not contained (simulated)', value: {} },
      },
    };
  },
  async verify(ctx) {
    await call(ctx, 'verify');
    const verified = ctx.settings.outcome !== 'not-verified';
    return { verified, observed: verified ? 'in force' : 'no effect observed' };
  },
  async undo(ctx) {
    await call(ctx, 'undo');
    return { detail: 'recorded undo' };
  },
});
