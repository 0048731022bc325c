import { controlStates } from '../containment/index.js';
import type { ContainmentRun } from '../containment/model.js';
import type { TimelineEvent } from '../incidents/timeline.js';
import { describeOutcome, isOutstanding, type Obligation } from '../obligations/model.js';
import type { EvaluableItemId, GateCheck } from './gate.js';
import { type AffectedObject, describeObject, inventoryCounts, isSettled } from './inventory.js';
import type { CorrectiveAction } from './store.js';

/**
 * The evaluated restart-gate items, each checked against what Quell itself recorded. Pure: the
 * facts are gathered by gate-record.ts; every check says why, in one line, and where to look.
 */

/** The latest evidence bundle and whether its manifest was re-checked against the stored files. */
export interface EvidenceFacts {
  archive?: { version: number; location: string; manifestSha256: string; at: string; storage: string };
  verification?: { ok: true; at: string } | { ok: false; problem: string } | { unverifiable: string };
}

export interface GateFacts {
  drill: boolean;
  runs: readonly ContainmentRun[];
  evidence: EvidenceFacts;
  actions: readonly CorrectiveAction[];
  rootCause?: TimelineEvent;
  inventory: readonly AffectedObject[];
}

const LISTED = 6;
const list = (names: readonly string[]) =>
  names.length > LISTED
    ? `${names.slice(0, LISTED).join(', ')} and ${names.length - LISTED} more`
    : names.join(', ');
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export function checkContained(facts: Pick<GateFacts, 'runs' | 'drill'>): GateCheck {
  const see = '`/contain status`';
  const undone = facts.runs.filter((r) => !r.dryRun && r.status === 'undone').map((r) => r.id);
  // a drill's controls run dry: they stand for the real ones there, and only there
  const dry = facts.drill ? facts.runs.filter((r) => r.dryRun && r.status === 'dry_run') : [];
  // the containment feature's own reading: in force, and held at the last read-back (no drift)
  const controls = controlStates([...facts.runs]);
  if (controls.length + dry.length === 0)
    return {
      ok: false,
      reason: `no control in force${undone.length ? ` (${list(undone)} undone)` : ''}; stop the agent with \`/contain\``,
      see,
    };
  const failing = controls.filter((c) => !c.verified);
  if (failing.length)
    return {
      ok: false,
      reason: `${list(failing.map((c) => `${c.runId} (${c.action})`))} in force but ${failing.some((c) => c.driftSince) ? 'drifting' : 'not verified'}: ${failing[0]!.observed}`,
      see,
    };
  const verifiedAt = controls
    .map((c) => c.checkedAt)
    .filter((at): at is string => Boolean(at))
    .sort()
    .at(-1);
  const ids = [...controls.map((c) => c.runId), ...dry.map((r) => r.id)];
  return {
    ok: true,
    reason: `${plural(ids.length, 'control')} in force, all verified${dry.length ? ', drill dry runs' : ''} (${list(ids)})`,
    ...(verifiedAt ? { asOf: verifiedAt } : {}),
    see,
  };
}

export function checkEvidence({ archive, verification }: EvidenceFacts): GateCheck {
  if (!archive)
    return {
      ok: false,
      reason:
        'no evidence bundle yet; `/incident archive` takes one (the archive on resolution is the closing version)',
      see: '`/incident archive`',
    };
  const see = archive.location;
  if (!verification || 'unverifiable' in verification)
    return {
      ok: false,
      reason: `v${archive.version} was archived but its manifest could not be re-checked${verification ? ` (${verification.unverifiable})` : ''}`,
      see,
    };
  if (!verification.ok)
    return { ok: false, reason: `v${archive.version} failed verification: ${verification.problem}`, see };
  return { ok: true, reason: `v${archive.version}, manifest verified`, asOf: verification.at, see };
}

export function checkOwners(actions: readonly CorrectiveAction[]): GateCheck {
  const see = '`/incident actions`';
  if (actions.length === 0)
    return {
      ok: false,
      reason: 'no corrective action recorded yet (`/incident action @owner <due> <text>`)',
      see,
    };
  const ownerless = actions.filter((a) => !a.owner.trim());
  if (ownerless.length)
    return { ok: false, reason: `${list(ownerless.map((a) => a.id))} without an owner`, see };
  return {
    ok: true,
    reason: `${plural(actions.length, 'corrective action')}, each with an owner (${list(actions.map((a) => `${a.id} <@${a.owner}>`))})`,
    see,
  };
}

export function checkRootCause(event: TimelineEvent | undefined): GateCheck {
  if (!event)
    return {
      ok: false,
      reason: 'no root cause confirmed yet (`/comms root-cause`)',
      see: '`/comms root-cause`',
    };
  const summary = String(event.data.summary ?? '');
  const short = summary.length > 120 ? `${summary.slice(0, 119)}…` : summary;
  return { ok: true, reason: `confirmed by <@${event.actor}>: ${short}`, asOf: event.at };
}

export function checkRecords(inventory: readonly AffectedObject[]): GateCheck {
  const see = '`/incident affected list`';
  if (inventory.length === 0)
    return { ok: false, reason: 'no affected object recorded (`/incident affected`)', see };
  return { ok: true, reason: `${plural(inventory.length, 'affected object')} recorded`, see };
}

/** Every reversible object reversed, every irreversible one accepted with a reason and a disclosure. */
export function checkRollback(inventory: readonly AffectedObject[]): GateCheck {
  const see = '`/incident affected list`';
  if (inventory.length === 0)
    return {
      ok: false,
      reason: 'the rollback inventory is empty: record what the agent changed with `/incident affected`',
      see,
    };
  const counts = inventoryCounts(inventory);
  const open = inventory.filter((o) => !isSettled(o));
  if (open.length)
    return {
      ok: false,
      reason: `${open.length} of ${counts.total} not settled: ${list(open.map((o) => `${describeObject(o)} (${o.reversible ? 'not reversed yet' : 'irreversible, not accepted with a disclosure'})`))}`,
      see,
    };
  const parts = [
    counts.reversed ? `${counts.reversed} reversed` : '',
    counts.accepted ? `${counts.accepted} irreversible, accepted and disclosed` : '',
  ].filter(Boolean);
  return { ok: true, reason: `${plural(counts.total, 'object')}: ${parts.join(', ')}`, see };
}

/** Every notification obligation submitted (the complete report) or waived with a reason. */
export function checkObligations(obligations: readonly Obligation[]): GateCheck {
  const see = '`/incident obligations`';
  const open = obligations.filter(isOutstanding);
  if (open.length)
    return {
      ok: false,
      reason: `${list(open.map((o) => `${o.name}: ${describeOutcome(o)}`))}; record it with \`/incident obligation submitted <type> <reference>\` or waive it with the reason`,
      see,
    };
  return {
    ok: true,
    reason: `${plural(obligations.length, 'obligation')} settled (${list(obligations.map((o) => `${o.type} ${o.status}`))})`,
    see,
  };
}

export function checkItem(item: EvaluableItemId, facts: GateFacts): GateCheck {
  switch (item) {
    case 'contained':
      return checkContained(facts);
    case 'evidence-archived':
      return checkEvidence(facts.evidence);
    case 'owner-assigned':
      return checkOwners(facts.actions);
    case 'root-cause':
      return checkRootCause(facts.rootCause);
    case 'records-identified':
      return checkRecords(facts.inventory);
    case 'rollback':
      return checkRollback(facts.inventory);
  }
}
