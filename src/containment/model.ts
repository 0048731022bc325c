import { z } from 'zod';

/** A request as it appears in a plan, a dry run and the audit (always redacted). */
export const plannedRequestSchema = z.object({
  method: z.string(),
  url: z.string(),
  headers: z.record(z.string(), z.string()).optional(),
  body: z.unknown().optional(),
});

const phaseResultSchema = z.object({
  outcome: z.enum(['ok', 'failed']),
  detail: z.string(),
  error: z.string().optional(),
  status: z.number().int().optional(),
  retryable: z.boolean().optional(),
  attempts: z.number().int().optional(),
  durationMs: z.number(),
  at: z.string(),
  by: z.string(),
});

const verifyResultSchema = z.object({
  outcome: z.enum(['verified', 'not_verified', 'failed']),
  observed: z.string(),
  /** Recorded but not yet true everywhere (caches): when it will be; verified again then. */
  effectiveBy: z.string().optional(),
  /** Work that was already running and still is. */
  inFlight: z.array(z.string()).optional(),
  error: z.string().optional(),
  status: z.number().int().optional(),
  durationMs: z.number(),
  at: z.string(),
});

export const RUN_STATUSES = ['dry_run', 'running', 'in_force', 'failed', 'undone', 'undo_failed'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/** One action run: what was done, to what, by whom, with what result. Ids: `r1`, `r2`... per incident. */
export const containmentRunSchema = z.object({
  id: z.string(),
  incidentId: z.string(),
  action: z.string(),
  adapter: z.string(),
  target: z.string(),
  playbook: z.object({ name: z.string(), id: z.string() }).optional(),
  args: z.record(z.string(), z.unknown()),
  requestedBy: z.string(),
  confirmedBy: z.string(),
  startedAt: z.string(),
  dryRun: z.boolean(),
  irreversible: z.boolean(),
  undoable: z.boolean(),
  status: z.enum(RUN_STATUSES),
  /** What execute would send / sent (redacted). */
  requests: z.array(plannedRequestSchema),
  execute: phaseResultSchema.optional(),
  verify: verifyResultSchema.optional(),
  undo: phaseResultSchema.optional(),
  undoVerify: verifyResultSchema.optional(),
  /** Adapter state remembered for verify and undo (e.g. the previous replica count). */
  state: z.record(z.string(), z.unknown()).default({}),
  /** The run this one retries, if any. */
  retryOf: z.string().optional(),
  /** Re-verification while the incident is open (containment/drift.ts). */
  check: z
    .object({
      at: z.string(),
      outcome: z.enum(['verified', 'not_verified', 'failed']),
      observed: z.string(),
      /** Set while the control no longer holds; cleared when it holds again (or is re-applied). */
      driftSince: z.string().optional(),
      /** When the last drift alert (with its one-use Re-apply) was posted. */
      alertedAt: z.string().optional(),
    })
    .optional(),
});
export type ContainmentRun = z.infer<typeof containmentRunSchema>;

export const AUDIT_EVENTS = [
  'refused',
  /** Recorded before the first request to a target: a run that reached it is always audited. */
  'started',
  'dry_run',
  'executed',
  'verified',
  'undone',
  'cancelled',
  'drift',
  'reapplied',
] as const;
export type AuditEventName = (typeof AUDIT_EVENTS)[number];

/**
 * One entry of the append-only containment audit (issue 7 archives it, issue 8 summarizes it):
 * who, when, what action on which target, the request without secrets, response status, duration
 * and result. Read it with `ContainmentService.audit(incidentId)`.
 */
export const auditEntrySchema = z.object({
  seq: z.number().int().positive(),
  at: z.string(),
  incidentId: z.string(),
  actor: z.string(),
  event: z.enum(AUDIT_EVENTS),
  action: z.string(),
  adapter: z.string(),
  target: z.string(),
  runId: z.string().optional(),
  playbook: z.object({ name: z.string(), id: z.string() }).optional(),
  dryRun: z.boolean(),
  /** ok | failed | verified | not_verified | refused | dry_run | cancelled */
  outcome: z.string(),
  requests: z.array(plannedRequestSchema),
  responseStatus: z.number().int().optional(),
  attempts: z.number().int().optional(),
  durationMs: z.number().optional(),
  detail: z.string().optional(),
  error: z.string().optional(),
  args: z.record(z.string(), z.unknown()).optional(),
});
export type AuditEntry = z.infer<typeof auditEntrySchema>;

/** What a confirmation button stands for until pressed (stored with a TTL). */
export const pendingConfirmationSchema = z.object({
  token: z.string(),
  incidentId: z.string(),
  requestedBy: z.string(),
  kind: z.enum(['action', 'playbook', 'undo', 'retry', 'reapply']),
  name: z.string(),
  args: z.record(z.string(), z.string()),
  dryRun: z.boolean(),
  createdAt: z.string(),
});
export type PendingConfirmation = z.infer<typeof pendingConfirmationSchema>;

/**
 * A pressed Run, recorded before the confirmation is consumed and before any request goes out:
 * the request that pressed it (its idempotency key), who, what, and the run ids of every step, so
 * a run resumed on another replica after a crash is the same run with the same ids.
 */
export const confirmedRunSchema = z.object({
  requestKey: z.string(),
  confirmedBy: z.string(),
  at: z.string(),
  pending: pendingConfirmationSchema,
  playbook: z.object({ name: z.string(), id: z.string() }).optional(),
  runIds: z.array(z.array(z.string())),
});
export type ConfirmedRun = z.infer<typeof confirmedRunSchema>;
