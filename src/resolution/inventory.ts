import { z } from 'zod';

/**
 * The rollback inventory: what the agent changed, one entry per affected object (system + object
 * id), with what changed, the before/after where known, whether it can be reversed, and how it was
 * reversed or why it could not be. The restart gate's "rollback" item is evaluated from it.
 */

export const AFFECTED_LIMITS = {
  system: 80,
  objectId: 200,
  change: 1000,
  value: 1000,
  note: 1000,
  disclosure: 1000,
  /** Objects per incident: beyond this, record them as one entry (e.g. a batch or a query). */
  entries: 500,
} as const;

/** Where the object stands: not dealt with yet, reversed, or (irreversible) accepted with a disclosure. */
export const AFFECTED_STATES = ['pending', 'reversed', 'accepted'] as const;
export type AffectedState = (typeof AFFECTED_STATES)[number];

const isoInstant = z.iso.datetime({ offset: true });

export const affectedObjectSchema = z.object({
  system: z.string().min(1).max(AFFECTED_LIMITS.system),
  objectId: z.string().min(1).max(AFFECTED_LIMITS.objectId),
  change: z.string().min(1).max(AFFECTED_LIMITS.change),
  before: z.string().max(AFFECTED_LIMITS.value).optional(),
  after: z.string().max(AFFECTED_LIMITS.value).optional(),
  reversible: z.boolean(),
  state: z.enum(AFFECTED_STATES),
  /** How it was reversed, or why it cannot be / was accepted. */
  note: z.string().max(AFFECTED_LIMITS.note).optional(),
  /** For an accepted irreversible change: who was told, where, when. */
  disclosure: z.string().max(AFFECTED_LIMITS.disclosure).optional(),
  recordedBy: z.string(),
  recordedAt: isoInstant,
  updatedBy: z.string(),
  updatedAt: isoInstant,
});
export type AffectedObject = z.infer<typeof affectedObjectSchema>;

/** What a person enters for one object (the form or a test); who and when are added by the service. */
export type AffectedInput = Pick<
  AffectedObject,
  'system' | 'objectId' | 'change' | 'before' | 'after' | 'reversible' | 'state' | 'note' | 'disclosure'
>;

/** The identity of an entry: recording the same system and object id again updates it. */
export function affectedKey(system: string, objectId: string): string {
  return `${system.trim().toLowerCase()}\u0000${objectId.trim()}`;
}

/** Field-level problems with an entry, keyed by field; empty when it may be recorded. */
export function affectedProblems(input: AffectedInput): Partial<Record<keyof AffectedInput, string>> {
  const problems: Partial<Record<keyof AffectedInput, string>> = {};
  if (!input.system.trim()) problems.system = 'Name the system (e.g. crm, billing, mail).';
  if (!input.objectId.trim()) problems.objectId = 'Give the id of the object the agent changed.';
  if (!input.change.trim()) problems.change = 'Say what the agent changed.';
  const note = input.note?.trim() ?? '';
  if (input.state === 'reversed' && !input.reversible)
    problems.state =
      'An irreversible change cannot be reversed: choose "accepted" and say how it was disclosed.';
  if (input.state === 'reversed' && !note) problems.note = 'Say how it was reversed.';
  if (input.state === 'accepted' && input.reversible)
    problems.state = 'A reversible change is reversed, not accepted: reverse it, or mark it irreversible.';
  if (input.state === 'accepted' && !note) problems.note = 'Say why it is accepted.';
  if (input.state === 'accepted' && !input.disclosure?.trim())
    problems.disclosure = 'Say who was told about it, and where (an accepted change is disclosed).';
  return problems;
}

export const describeObject = (o: Pick<AffectedObject, 'system' | 'objectId'>) => `${o.system}/${o.objectId}`;

/** Whether the object no longer stands in the way of a restart. */
export function isSettled(o: AffectedObject): boolean {
  return o.reversible ? o.state === 'reversed' : o.state === 'accepted' && Boolean(o.disclosure);
}

export interface InventoryCounts {
  total: number;
  reversed: number;
  accepted: number;
  pending: number;
  irreversible: number;
}

export function inventoryCounts(objects: readonly AffectedObject[]): InventoryCounts {
  return {
    total: objects.length,
    reversed: objects.filter((o) => o.state === 'reversed').length,
    accepted: objects.filter((o) => o.state === 'accepted').length,
    pending: objects.filter((o) => !isSettled(o)).length,
    irreversible: objects.filter((o) => !o.reversible).length,
  };
}
