import type { Clock } from '../clock.js';
import { UsageError } from '../errors.js';
import { DEFAULT_HTTP_OPTIONS, HttpClient, type HttpOptions } from '../http/client.js';
import { redactor } from '../http/redact.js';
import type { PlanContext, RunContext } from './contract.js';
import type { ContainmentRegistry, ResolvedAction } from './registry.js';

/**
 * Per-action helpers every part of containment needs: find a configured action, parse its
 * arguments, build the adapter's plan and run contexts, describe the target, and build its HTTP core.
 */
export class ActionTools {
  constructor(
    private readonly deps: {
      registry: ContainmentRegistry;
      clock: Clock;
      http?: Partial<Omit<HttpOptions, 'redact' | 'timeoutMs' | 'maxAttempts'>>;
    },
  ) {}

  require(name: string): ResolvedAction {
    const action = this.deps.registry.action(name);
    if (!action) throw new UsageError(`The action "${name}" is no longer configured.`);
    return action;
  }

  parseArgs(action: ResolvedAction, given: Record<string, string>): Record<string, unknown> {
    const parsed = action.adapter.argsSchema.safeParse({ ...action.defaultArgs, ...given });
    if (!parsed.success) {
      const problems = parsed.error.issues
        .map((i) => `${i.path.join('.') || 'arguments'}: ${i.message}`)
        .join('; ');
      throw new UsageError(
        `Bad arguments for ${action.name}: ${problems}`,
        `/contain ${action.name} [key=value ...]`,
      );
    }
    return parsed.data as Record<string, unknown>;
  }

  planContext(
    action: ResolvedAction,
    args: Record<string, unknown>,
    incidentId: string,
    runId: string,
  ): PlanContext<unknown, unknown> {
    return {
      settings: action.settings,
      args,
      secrets: action.secrets,
      idempotencyKey: `quell-${incidentId}-${runId}`,
      now: this.deps.clock.now(),
      incidentId,
      actionName: action.name,
    };
  }

  /** The plan context plus what an attempt needs: the action's HTTP core and timeout. */
  runContext(action: ResolvedAction, ctx: PlanContext<unknown, unknown>): RunContext<unknown, unknown> {
    return { ...ctx, http: this.httpClient(action), timeoutMs: action.timeoutMs };
  }

  /** What the action would do, for people; never throws (a broken adapter reads as its id). */
  describe(action: ResolvedAction, args: Record<string, unknown>, incidentId: string): string {
    try {
      return redactor(action.secrets)(
        action.adapter.describe(this.planContext(action, args, incidentId, 'preview')),
      );
    } catch {
      return `${action.adapter.id} action`;
    }
  }

  /** The HTTP core for one attempt of this action: its timeout, the configured retries, its secrets redacted. */
  httpClient(action: ResolvedAction): HttpClient {
    return new HttpClient({
      ...DEFAULT_HTTP_OPTIONS,
      ...this.deps.http,
      timeoutMs: action.timeoutMs,
      maxAttempts: this.deps.registry.retries + 1,
      redact: redactor(action.secrets),
    });
  }
}
