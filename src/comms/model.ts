import { createHash } from 'node:crypto';
import { z } from 'zod';
import { LINT_RULES } from './lint.js';

const isoInstant = z.iso.datetime({ offset: true });

export const findingSchema = z.object({
  rule: z.enum(LINT_RULES),
  level: z.enum(['error', 'warning']),
  message: z.string(),
});

/** One saved text of a draft. Versions are append-only: an edit adds one, nothing is replaced. */
export const versionSchema = z.object({
  number: z.number().int().positive(),
  text: z.string(),
  at: isoInstant,
  author: z.string(),
  /** `template`: rendered by Quell; `edit`: saved by a person from the Edit form. */
  source: z.enum(['template', 'edit']),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  findings: z.array(findingSchema),
});
export type CommsVersion = z.infer<typeof versionSchema>;

export const DRAFT_STATUSES = ['open', 'approved', 'rejected'] as const;
export type DraftStatus = (typeof DRAFT_STATUSES)[number];

/** A draft's fixed facts; its status and versions are kept beside it. */
export const draftSchema = z.object({
  id: z.string(),
  incidentId: z.string(),
  audience: z.string(),
  title: z.string(),
  external: z.boolean(),
  createdBy: z.string(),
  createdAt: isoInstant,
  /** The draft message in the incident channel, once posted. */
  message: z.object({ channel: z.string(), ts: z.string() }).optional(),
});
export type CommsDraftRecord = z.infer<typeof draftSchema>;

/** What every log entry records: which version of which draft, its hash, who and when. */
const logEntryBase = {
  draftId: z.string(),
  audience: z.string(),
  version: z.number().int(),
  sha256: z.string(),
  actor: z.string(),
  at: isoInstant,
};

/**
 * The append-only comms log of an incident: every override, decision and publication (versions are
 * kept with their draft). Read by the evidence archive through CommsService.history().
 */
export const logEntrySchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('override'),
    ...logEntryBase,
    reason: z.string(),
    warnings: z.array(findingSchema),
  }),
  z.object({
    kind: z.literal('approved'),
    ...logEntryBase,
    overridden: z.boolean(),
  }),
  z.object({
    kind: z.literal('rejected'),
    ...logEntryBase,
  }),
  z.object({
    kind: z.literal('published'),
    ...logEntryBase,
    channel: z.string(),
    ts: z.string(),
    drill: z.boolean(),
  }),
  z.object({
    kind: z.literal('publish_failed'),
    ...logEntryBase,
    channel: z.string(),
    error: z.string(),
  }),
]);
export type CommsLogEntry = z.infer<typeof logEntrySchema>;

/** The latest approved text of one audience for one incident. */
export const approvedSchema = z.object({
  draftId: z.string(),
  audience: z.string(),
  version: z.number().int(),
  text: z.string(),
  sha256: z.string(),
  approvedBy: z.string(),
  approvedAt: isoInstant,
});
export type ApprovedMessage = z.infer<typeof approvedSchema>;

export interface CommsDraft extends CommsDraftRecord {
  status: DraftStatus;
  versions: CommsVersion[];
}

export function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
