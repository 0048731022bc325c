import { z } from 'zod';
import { redactDeep, redactor } from '../http/redact.js';
import { TargetError } from '../http/target-error.js';
import { isActive } from '../incidents/model.js';
import { defineJob, type JobDefinition, type JobRuntime, jobIdOf } from '../jobs/index.js';
import { pendingApproval, type RunContext } from './contract.js';
import { bestEffort, type ContainmentKit } from './kit.js';
import type { ContainmentRun } from './model.js';
import { runAuditFields, VERIFY_LABEL, verifyRun } from './phase.js';
import type { ExecutionReport, StepReport } from './presenter.js';
import type { ResolvedAction } from './registry.js';

/**
 * Approval-gated changes: when a vendor requires approval (LaunchDarkly's 405), execute creates the
 * vendor's approval request and its link goes to the channel with the run's report. This watch
 * reads each pending request on a schedule (durable jobs on the job runtime, so a restart loses
 * nothing), applies it once approved (the adapter's `advanceApproval`), verifies the run, and says
 * so on the timeline and in the channel; a declined request is recorded and the run is not in force.
 */
const DEFAULT_POLL_SECONDS = 30;
/** A request nobody reviews is not watched for ever; the channel is told when the watch stops. */
const MAX_WATCH_MS = 7 * 24 * 3600_000;

const payload = z.object({ incidentId: z.string().min(1), at: z.number().int().nonnegative() });
export type ApprovalCheckPayload = z.output<typeof payload>;
export const CONTAINMENT_APPROVAL_JOB = 'containment-approval';

export function containmentApprovalJob(
  check: (incidentId: string) => Promise<unknown>,
): JobDefinition<ApprovalCheckPayload> {
  return defineJob({
    name: CONTAINMENT_APPROVAL_JOB,
    lane: 'background',
    payload,
    jobId: (p) => jobIdOf('containment-approval', p.incidentId, p.at),
    retry: { attempts: 3, baseMs: 5_000, maxMs: 30_000 },
    handle: async (p) => {
      await check(p.incidentId);
    },
  });
}

export interface ApprovalSchedule {
  checkAt(incidentId: string, at: Date): Promise<void>;
}

export function jobApprovalSchedule(
  jobs: JobRuntime,
  definition: () => JobDefinition<ApprovalCheckPayload>,
): ApprovalSchedule {
  return {
    async checkAt(incidentId, at) {
      await jobs.enqueue(definition(), { incidentId, at: at.getTime() }, { at });
    },
  };
}

function pollMs(action: ResolvedAction): number {
  const seconds = (action.settings as { approvals?: { pollSeconds?: number } }).approvals?.pollSeconds;
  return (seconds ?? DEFAULT_POLL_SECONDS) * 1000;
}

export class ApprovalWatch {
  constructor(
    private readonly kit: ContainmentKit,
    private readonly schedule?: ApprovalSchedule,
  ) {}

  /** After a run: a check for each step that is waiting for an approval. */
  async afterRun(incidentId: string, report: ExecutionReport): Promise<void> {
    if (!this.schedule || report.dryRun) return;
    for (const step of report.groups.flat()) {
      if (step.state !== 'ok' || !step.runId) continue;
      const run = await this.kit.deps.store.run(incidentId, step.runId);
      const action = run && this.kit.deps.registry.action(run.action);
      if (run && action && pendingApproval(run.state)) await this.next(incidentId, action);
    }
  }

  /** One round: every run of the incident waiting for an approval is read, and applied once approved. */
  async check(incidentId: string): Promise<void> {
    const { store, incidentStore } = this.kit.deps;
    const incident = await incidentStore.get(incidentId);
    if (!incident || !isActive(incident)) return;
    const waiting = (await store.runs(incidentId)).filter(
      (r) => r.status === 'in_force' && !r.dryRun && pendingApproval(r.state),
    );
    for (const run of waiting) {
      const action = this.kit.deps.registry.action(run.action);
      if (!action?.adapter.advanceApproval) continue;
      const stillPending = await this.advance(run, action);
      if (stillPending) await this.next(incidentId, action, run);
    }
  }

  private async next(incidentId: string, action: ResolvedAction, run?: ContainmentRun) {
    const now = this.kit.deps.clock.now();
    const since = run ? Date.parse(pendingApproval(run.state)!.requestedAt) : now.getTime();
    if (now.getTime() - since > MAX_WATCH_MS) {
      await this.kit.audit.recordTimeline(
        incidentId,
        'quell',
        'containment_verified',
        `stopped watching the approval request of ${run!.action} (${run!.id}) after 7 days: ${pendingApproval(run!.state)!.url}`,
        { runId: run!.id },
      );
      return;
    }
    await this.schedule?.checkAt(incidentId, new Date(now.getTime() + pollMs(action)));
  }

  /** Returns true while the request is still pending. */
  private async advance(run: ContainmentRun, action: ResolvedAction): Promise<boolean> {
    const { clock } = this.kit.deps;
    const redact = redactor(action.secrets);
    const ctx = this.runContext(action, run);
    const common = runAuditFields(run, action, 'quell');
    const started = performance.now();
    let progress: Awaited<ReturnType<NonNullable<typeof action.adapter.advanceApproval>>>;
    try {
      progress = await action.adapter.advanceApproval!(ctx, run.state);
    } catch (error) {
      // a read that fails is tried again at the next round; a refusal is recorded each time
      await this.kit.audit.record(
        {
          ...common,
          at: clock.now().toISOString(),
          event: 'executed',
          outcome: 'failed',
          requests: [],
          responseStatus: error instanceof TargetError ? error.details.status : undefined,
          durationMs: Math.round(performance.now() - started),
          detail: 'reading the approval request',
          error: redact((error as Error).message),
        },
        null,
        run,
      );
      return true;
    }
    if (progress.status === 'pending') return true;
    run.state = redactDeep(progress.state, redact);
    const at = clock.now().toISOString();
    const detail = redact(progress.detail);
    if (progress.status === 'declined') {
      run.status = 'failed';
      await this.kit.audit.record(
        {
          ...common,
          at,
          event: 'executed',
          outcome: 'failed',
          requests: [],
          durationMs: Math.round(performance.now() - started),
          detail,
        },
        `containment ${run.action} (${run.id}) not applied: ${detail}`,
        run,
      );
      await this.report(run, { state: 'failed', error: detail });
      return false;
    }
    await this.kit.audit.record(
      {
        ...common,
        at,
        event: 'executed',
        outcome: 'ok',
        requests: [],
        durationMs: Math.round(performance.now() - started),
        detail,
      },
      `containment ${run.action} (${run.id}): ${detail}`,
      run,
    );
    const verify = await verifyRun(
      this.kit,
      action,
      { ...ctx, http: this.kit.actions.httpClient(action) },
      run,
      'execute',
      common,
    );
    await this.kit.audit.recordTimeline(
      run.incidentId,
      'quell',
      'containment_verified',
      `containment ${run.action} (${run.id}) after approval: ${VERIFY_LABEL[verify.outcome]} (${verify.error ?? verify.observed})`,
      { runId: run.id, outcome: verify.outcome },
    );
    await this.report(run, {
      state: 'ok',
      detail,
      verify: { outcome: verify.outcome, observed: verify.error ?? verify.observed },
    });
    return false;
  }

  private async report(run: ContainmentRun, step: Partial<StepReport> & Pick<StepReport, 'state'>) {
    const { incidentStore, chat, views, logger } = this.kit.deps;
    const incident = await incidentStore.get(run.incidentId);
    if (!incident?.channelId) return;
    const report: ExecutionReport = {
      incidentId: run.incidentId,
      kind: 'reapply',
      title: `Approval for ${run.action} (${run.id})`,
      by: 'quell',
      dryRun: false,
      drill: incident.drill,
      groups: [
        [
          {
            action: run.action,
            target: run.target,
            runId: run.id,
            irreversible: run.irreversible,
            undoable: run.undoable,
            ...step,
          },
        ],
      ],
      finished: true,
      durationMs: 0,
    };
    const channel = incident.channelId;
    await bestEffort(logger, 'post approval outcome', () => chat.postMessage(channel, views.report(report)));
  }

  private runContext(action: ResolvedAction, run: ContainmentRun): RunContext<unknown, unknown> {
    const { actions } = this.kit;
    return actions.runContext(action, actions.planContext(action, run.args, run.incidentId, run.id));
  }
}
