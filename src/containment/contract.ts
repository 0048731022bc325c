import type { z } from 'zod';
import type { HttpClient } from '../http/client.js';

/**
 * The containment adapter contract. An adapter is one kind of target (a LiteLLM proxy, a flag
 * service, a Kubernetes API server...): an id, zod schemas for its settings (from the config file)
 * and its arguments (config defaults overridden at run time), the secret slots it needs (filled from
 * environment variables named in the config), and its operations.
 *
 * `plan` is pure: it returns the exact requests an operation would send. Dry runs (drills) show the
 * plan and send nothing; the conformance suite checks that `execute` sends exactly what `plan` says.
 */
export interface ContainmentAdapter<Settings = unknown, Args = unknown> {
  id: string;
  /** One line for `/contain` listings: what this kind of control does. */
  summary: string;
  settingsSchema: z.ZodType<Settings>;
  argsSchema: z.ZodType<Args>;
  /** Secret slots: required ones must be mapped to an env var in the config; optional ones may be. */
  secrets: { required: readonly string[]; optional?: readonly string[] };
  /** True when execute cannot be reversed; the confirmation says so in bold and names the consequence. */
  irreversible(settings: Settings): boolean;
  /** One line naming the target and effect, e.g. "Block LiteLLM key … on https://llm.internal". */
  describe(ctx: PlanContext<Settings, Args>): string;
  /** For irreversible actions: the consequence in plain words, shown in the confirmation. */
  consequence?(ctx: PlanContext<Settings, Args>): string;
  plan(phase: Phase, ctx: PlanContext<Settings, Args>, state?: RunState): PlannedRequest[];
  execute(ctx: RunContext<Settings, Args>): Promise<ExecuteOutcome>;
  /** Reads the target's state back: did the control take effect (or, after undo, is it lifted)? */
  verify(ctx: RunContext<Settings, Args>, state: RunState, after: 'execute' | 'undo'): Promise<VerifyOutcome>;
  /**
   * Restores the prior state execute recorded (`state.prior`), exactly: a flag that was already off
   * stays off. When the prior state is unknown, undo does what `describeUndo` said it would, and
   * only after the person confirming was told so.
   */
  undo?(ctx: RunContext<Settings, Args>, state: RunState): Promise<ExecuteOutcome>;
  /** What undo will do with this run's recorded state, in a few words ("turn the flag back on"). */
  describeUndo?(ctx: PlanContext<Settings, Args>, state: RunState): string;
  /** When undo depends on settings (e.g. a webhook without an undo URL); default: undo exists. */
  canUndo?(settings: Settings): boolean;
  /**
   * Secret slots read from files named in the settings (slot → path), e.g. a GitHub App's PEM.
   * The registry reads them at start-up into the action's secrets, so the redactor covers them.
   */
  fileSecrets?(settings: Settings): Record<string, string>;
  /**
   * A problem with settings and mapped secret slots together, checked at config time (e.g. a
   * GitHub App key that is neither a secret nor a file); undefined when fine.
   */
  configProblem?(
    settings: Settings,
    mappedSecrets: readonly string[],
  ): { path: string[]; message: string } | undefined;
  /**
   * The identity this action acts on and what it was allowed to do, in a sentence (forensics reads
   * it for "what the agent was allowed to do"); from settings only, no I/O.
   */
  describeIdentity?(settings: Settings): string;
  /**
   * Approval-gated changes: execute found that the target requires approval, created the vendor's
   * approval request and recorded it under `state.approval` (see `ApprovalRef`). This reads the
   * request and, once approved, applies it (unless the vendor applies approved changes itself).
   * The approval watch (approval-watch.ts) calls it on a schedule until it is no longer pending,
   * then verifies the run.
   */
  advanceApproval?(ctx: RunContext<Settings, Args>, state: RunState): Promise<ApprovalProgress>;
}

/** An approval request a run is waiting for, kept in `state.approval`. */
export interface ApprovalRef {
  id: string;
  /** Where a person reviews it (posted in the channel). */
  url: string;
  status: 'pending' | 'applied' | 'declined';
  requestedAt: string;
}

export interface ApprovalProgress {
  status: ApprovalRef['status'];
  /** What happened, in a few words ("approved by a reviewer and applied"). */
  detail: string;
  /** The run state to keep (with `approval.status` updated). */
  state: RunState;
}

/** The approval a run is still waiting for, if any. */
export function pendingApproval(state: RunState | undefined): ApprovalRef | undefined {
  const approval = state?.approval as ApprovalRef | undefined;
  return approval && typeof approval === 'object' && approval.status === 'pending' ? approval : undefined;
}

/**
 * What execute read from the target before changing it, kept in the run record (and so the audit)
 * under `state.prior`. `known: false` when the target offers no read-back (a webhook without a
 * verify URL) or the read failed: undo then says so and asks before it acts.
 */
export interface PriorState {
  known: boolean;
  /** For people: "flag on", "replicas 3", "workflow active". */
  summary: string;
  /** The values undo restores (adapter-specific, JSON-safe). */
  value?: Record<string, unknown>;
}

export function priorOf(state: RunState | undefined): PriorState | undefined {
  const prior = state?.prior as PriorState | undefined;
  return prior && typeof prior === 'object' && typeof prior.known === 'boolean' ? prior : undefined;
}

/** The prior state when known, else undefined (callers then fall back to the documented default). */
export function knownPrior(state: RunState | undefined): Record<string, unknown> | undefined {
  const prior = priorOf(state);
  return prior?.known ? (prior.value ?? {}) : undefined;
}

export const UNKNOWN_PRIOR: PriorState = { known: false, summary: 'not recorded' };

export type Phase = 'execute' | 'verify' | 'undo';

/** JSON-safe state an execute remembers for verify and undo (e.g. the previous replica count). */
export type RunState = Record<string, unknown>;

export interface PlanContext<Settings, Args> {
  settings: Settings;
  args: Args;
  /** Secret values by slot name. Plans may use them; the runner redacts every output. */
  secrets: Readonly<Record<string, string>>;
  /** Stable per run: the same run never acts twice on an idempotent target. */
  idempotencyKey: string;
  /** The run's instant (signatures, event bodies). */
  now: Date;
  incidentId: string;
  actionName: string;
}

export interface RunContext<Settings, Args> extends PlanContext<Settings, Args> {
  http: HttpClient;
  /** Per-attempt timeout in ms for anything the adapter does outside the HTTP core. */
  timeoutMs: number;
  /** Waits between polls (verify waiting for pods to stop); tests shorten it. Default: a timer. */
  sleep?: (ms: number) => Promise<void>;
}

/** A request as shown to people and kept in the audit (after redaction). */
export interface PlannedRequest {
  method: string;
  url: string;
  headers?: Record<string, string>;
  body?: unknown;
}

export interface ExecuteOutcome {
  /** What the target answered, in a few words ("key blocked", "replicas 3 → 0"). */
  detail: string;
  /** Remembered for verify and undo. */
  state?: RunState;
  /** HTTP status of the last request, when there was one. */
  status?: number;
}

export interface VerifyOutcome {
  /** The effect holds now (not merely: the target accepted the change). */
  verified: boolean;
  /** What was read back ("blocked: true", "replicas 0"). */
  observed: string;
  status?: number;
  /**
   * When the effect is recorded but not yet true everywhere (LiteLLM proxies cache keys): the
   * instant it will be. The run is verified again then.
   */
  effectiveBy?: string;
  /** Work that was already running and still is (run ids, job or pod names). */
  inFlight?: string[];
  /**
   * Not in force yet because a person must approve it at the vendor (`url`): not drift; the
   * approval watch applies and verifies it once approved.
   */
  awaitingApproval?: { url: string };
}

/** Any adapter; the registry keeps them behind this erased type. */
// biome-ignore lint/suspicious/noExplicitAny: adapters are heterogeneous by design; each validates its own settings
export type AnyAdapter = ContainmentAdapter<any, any>;

export function defineAdapter<Settings, Args>(
  adapter: ContainmentAdapter<Settings, Args>,
): ContainmentAdapter<Settings, Args> {
  return adapter;
}

export { TargetError } from '../http/target-error.js';
