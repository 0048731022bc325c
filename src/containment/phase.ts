import type { HttpClient } from '../http/client.js';
import { redactDeep, redactor } from '../http/redact.js';
import { TargetError } from '../http/target-error.js';
import type { ExecuteOutcome, PlannedRequest, RunContext } from './contract.js';
import type { ContainmentKit } from './kit.js';
import type { AuditEntry, ContainmentRun } from './model.js';
import type { ResolvedAction } from './registry.js';

/** One phase against a target (execute or undo) and the read-back that checks its effect (verify). */

export const VERIFY_LABEL = {
  verified: 'verified',
  not_verified: 'NOT verified',
  failed: 'could not verify',
} as const;

export type PhaseResult = NonNullable<ContainmentRun['execute']>;

/**
 * Runs execute or undo against the target and describes the phase as the run keeps it, whether the
 * target accepted it or not; `outcome` is set only when it did.
 */
export async function runPhase(
  phase: () => Promise<ExecuteOutcome>,
  http: HttpClient,
  redact: (text: string) => string,
  refusal: string,
  now: () => string,
  by: string,
): Promise<{ result: PhaseResult; outcome?: ExecuteOutcome }> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  try {
    const outcome = await phase();
    return {
      outcome,
      result: {
        outcome: 'ok',
        detail: redact(outcome.detail),
        status: outcome.status ?? http.lastStatus,
        attempts: http.attempts.length || undefined,
        durationMs: elapsed(),
        at: now(),
        by,
      },
    };
  } catch (error) {
    const target = error instanceof TargetError ? error.details : undefined;
    return {
      result: {
        outcome: 'failed',
        detail: refusal,
        error: redact((error as Error).message),
        status: target?.status ?? http.lastStatus,
        retryable: target?.retryable,
        attempts: target?.attempts ?? (http.attempts.length || undefined),
        durationMs: elapsed(),
        at: now(),
        by,
      },
    };
  }
}

/** The audit fields every entry about a recorded (not dry) run carries. */
export function runAuditFields(run: ContainmentRun, action: ResolvedAction, actor: string) {
  return {
    incidentId: run.incidentId,
    actor,
    action: run.action,
    adapter: action.adapter.id,
    target: run.target,
    runId: run.id,
    playbook: run.playbook,
    dryRun: false,
    args: run.args,
  };
}

/** The audit entry of an executed or undone phase. */
export function phaseEntry<Common extends object>(
  common: Common,
  event: 'executed' | 'undone',
  phase: PhaseResult,
  requests: PlannedRequest[],
) {
  return {
    ...common,
    at: phase.at,
    event,
    outcome: phase.outcome,
    requests,
    responseStatus: phase.status,
    attempts: phase.attempts,
    durationMs: phase.durationMs,
    detail: phase.detail,
    error: phase.error,
  };
}

export async function verifyRun(
  kit: ContainmentKit,
  action: ResolvedAction,
  ctx: RunContext<unknown, unknown>,
  run: ContainmentRun,
  after: 'execute' | 'undo',
  common: Omit<AuditEntry, 'seq' | 'at' | 'event' | 'outcome' | 'requests'>,
): Promise<NonNullable<ContainmentRun['verify']>> {
  const redact = redactor(action.secrets);
  const http = kit.actions.httpClient(action);
  const started = performance.now();
  const planned = redactDeep(action.adapter.plan('verify', ctx, run.state), redact);
  let result: NonNullable<ContainmentRun['verify']>;
  try {
    const outcome = await action.adapter.verify({ ...ctx, http }, run.state, after);
    result = {
      outcome: outcome.verified ? 'verified' : 'not_verified',
      observed: redact(outcome.observed),
      ...(outcome.effectiveBy ? { effectiveBy: outcome.effectiveBy } : {}),
      ...(outcome.inFlight?.length ? { inFlight: outcome.inFlight.map(redact) } : {}),
      status: outcome.status ?? http.lastStatus,
      durationMs: Math.round(performance.now() - started),
      at: kit.deps.clock.now().toISOString(),
    };
  } catch (error) {
    result = {
      outcome: 'failed',
      observed: 'could not read the target back',
      error: redact((error as Error).message),
      status: error instanceof TargetError ? error.details.status : http.lastStatus,
      durationMs: Math.round(performance.now() - started),
      at: kit.deps.clock.now().toISOString(),
    };
  }
  if (after === 'execute') run.verify = result;
  else run.undoVerify = result;
  await kit.audit.record(
    {
      ...common,
      at: result.at,
      event: 'verified',
      outcome: result.outcome,
      requests: planned,
      responseStatus: result.status,
      durationMs: result.durationMs,
      detail: `after ${after}: ${result.observed}`,
      error: result.error,
    },
    null,
    run,
  );
  return result;
}
