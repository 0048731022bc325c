import { describe, expect, it } from 'vitest';
import { describeCadence } from '../../src/cli/cadence.js';
import { staleness } from '../../src/comms/talking-points.js';
import type { ContainmentRun } from '../../src/containment/model.js';
import type { Incident } from '../../src/incidents/model.js';
import { resolutionConfigSchema } from '../../src/resolution/config.js';
import { checklistChange, evaluateGate, GATE_ITEM_IDS } from '../../src/resolution/gate.js';
import {
  checkContained,
  checkEvidence,
  checkOwners,
  checkRollback,
} from '../../src/resolution/gate-checks.js';
import { type AffectedObject, affectedProblems } from '../../src/resolution/inventory.js';
import { checklistBlockId, seenFromBlockId } from '../../src/slack/blocks/resolution.js';
import { parseStartedAt } from '../../src/slack/listeners/commands/incident/started-at.js';

const run = (id: string, over: Partial<ContainmentRun> = {}): ContainmentRun => ({
  id,
  incidentId: 'INC-1',
  action: `action-${id}`,
  adapter: 'recording',
  target: 'agent',
  args: {},
  requestedBy: 'U0ALICE0001',
  confirmedBy: 'U0ALICE0001',
  startedAt: '2026-11-21T14:01:00.000Z',
  dryRun: false,
  irreversible: false,
  undoable: true,
  status: 'in_force',
  requests: [],
  verify: { outcome: 'verified', observed: 'key revoked', durationMs: 3, at: '2026-11-21T14:02:00.000Z' },
  state: {},
  ...over,
});

const object = (over: Partial<AffectedObject>): AffectedObject => ({
  system: 'crm',
  objectId: 'acct-1',
  change: 'tier changed',
  reversible: true,
  state: 'pending',
  recordedBy: 'U0TESSLEAD1',
  recordedAt: '2026-11-21T14:05:00.000Z',
  updatedBy: 'U0TESSLEAD1',
  updatedAt: '2026-11-21T14:05:00.000Z',
  ...over,
});

describe('gate checks from the record', () => {
  it('contained: every control in force verified; a drifting or unverified one, or none, fails with why', () => {
    expect(checkContained({ drill: false, runs: [run('r1'), run('r2'), run('p1')] })).toMatchObject({
      ok: true,
      reason: '3 controls in force, all verified (r1, r2, p1)',
      asOf: '2026-11-21T14:02:00.000Z',
    });
    expect(
      checkContained({
        drill: false,
        runs: [
          run('r1'),
          run('r2', {
            verify: {
              outcome: 'not_verified',
              observed: 'key still accepted',
              durationMs: 1,
              at: '2026-11-21T14:02:00.000Z',
            },
          }),
        ],
      }),
    ).toMatchObject({ ok: false, reason: 'r2 (action-r2) in force but not verified: key still accepted' });
    // a later re-verification that saw drift wins over the verify after execute
    const drifted = {
      ...run('r1'),
      check: {
        outcome: 'not_verified',
        observed: 'flag back on',
        at: '2026-11-21T14:30:00.000Z',
        driftSince: '2026-11-21T14:29:00.000Z',
      },
    };
    expect(checkContained({ drill: false, runs: [drifted as ContainmentRun] })).toMatchObject({
      ok: false,
      reason: 'r1 (action-r1) in force but drifting: flag back on',
    });
    expect(checkContained({ drill: false, runs: [run('r1', { status: 'undone' })] })).toMatchObject({
      ok: false,
      reason: 'no control in force (r1 undone); stop the agent with `/contain`',
    });
    // dry runs count only in a drill
    const dry = run('r1', { dryRun: true, status: 'dry_run' });
    expect(checkContained({ drill: false, runs: [dry] }).ok).toBe(false);
    expect(checkContained({ drill: true, runs: [dry] })).toMatchObject({ ok: true });
  });

  it('evidence: a bundle whose manifest re-checked, as of when; an unverifiable or failed one does not count', () => {
    const archive = {
      version: 2,
      location: '/srv/evidence/INC-1/v2',
      manifestSha256: 'ab'.repeat(32),
      at: '2026-11-21T14:01:00.000Z',
      storage: 'local',
    };
    expect(checkEvidence({})).toMatchObject({ ok: false, see: '`/incident archive`' });
    expect(checkEvidence({ archive, verification: { ok: true, at: '2026-11-21T14:02:00.000Z' } })).toEqual({
      ok: true,
      reason: 'v2, manifest verified',
      asOf: '2026-11-21T14:02:00.000Z',
      see: '/srv/evidence/INC-1/v2',
    });
    expect(
      checkEvidence({ archive, verification: { ok: false, problem: 'transcript.md changed' } }),
    ).toMatchObject({
      ok: false,
      reason: 'v2 failed verification: transcript.md changed',
    });
    expect(checkEvidence({ archive, verification: { unverifiable: 'in s3' } }).ok).toBe(false);
  });

  it('owners: at least one corrective action, each owned', () => {
    expect(checkOwners([]).ok).toBe(false);
    const action = {
      id: 'A1',
      incidentId: 'INC-1',
      owner: 'U0TESSLEAD1',
      text: 'fix',
      dueAt: '2026-12-01T00:00:00.000Z',
      createdBy: 'U0CORAMAND1',
      createdAt: '2026-11-21T14:00:00.000Z',
      status: 'open' as const,
    };
    expect(checkOwners([action])).toMatchObject({
      ok: true,
      reason: '1 corrective action, each with an owner (A1 <@U0TESSLEAD1>)',
    });
    expect(checkOwners([{ ...action, owner: ' ' }])).toMatchObject({
      ok: false,
      reason: 'A1 without an owner',
    });
  });

  it('rollback: reversible ones reversed, irreversible ones accepted with a disclosure; an empty inventory is not a pass', () => {
    expect(checkRollback([]).ok).toBe(false);
    const reversed = object({ state: 'reversed', note: 'restored' });
    const accepted = object({
      objectId: 'mail-9',
      reversible: false,
      state: 'accepted',
      note: 'sent',
      disclosure: 'customer told',
    });
    expect(checkRollback([reversed, accepted])).toMatchObject({
      ok: true,
      reason: '2 objects: 1 reversed, 1 irreversible, accepted and disclosed',
    });
    expect(checkRollback([reversed, object({ objectId: 'acct-2' })])).toMatchObject({
      ok: false,
      reason: '1 of 2 not settled: crm/acct-2 (not reversed yet)',
    });
    // more than six open objects are counted, not all listed
    const many = Array.from({ length: 9 }, (_, i) => object({ objectId: `acct-${i}` }));
    expect(checkRollback(many).reason).toMatch(/^9 of 9 not settled: .* and 3 more$/);
  });

  it('an entry that contradicts itself is refused field by field', () => {
    const base = { system: 'crm', objectId: 'a', change: 'x' };
    expect(affectedProblems({ ...base, reversible: false, state: 'reversed' })).toEqual({
      state: 'An irreversible change cannot be reversed: choose "accepted" and say how it was disclosed.',
      note: 'Say how it was reversed.',
    });
    expect(affectedProblems({ ...base, reversible: false, state: 'accepted', note: 'sent' })).toEqual({
      disclosure: 'Say who was told about it, and where (an accepted change is disclosed).',
    });
    expect(
      affectedProblems({ ...base, reversible: true, state: 'accepted', note: 'fine', disclosure: 'd' }).state,
    ).toContain('A reversible change is reversed, not accepted');
    expect(affectedProblems({ ...base, reversible: true, state: 'pending' })).toEqual({});
  });

  it('an evaluated item is done by the record or an override, never by a tick', () => {
    const state = evaluateGate(
      ['contained', 'tests-passed'],
      { contained: { by: 'U0X', at: '2026-11-21T14:00:00.000Z' } },
      {
        evaluated: ['contained'],
        checks: { contained: { ok: false, reason: 'no control in force' } },
      },
    );
    expect(state.missing).toEqual(['contained', 'tests-passed']);
    const overridden = evaluateGate(
      ['contained'],
      {},
      {
        evaluated: ['contained'],
        checks: { contained: { ok: false, reason: 'no control in force' } },
        overrides: {
          contained: { by: 'U0CORAMAND1', at: '2026-11-21T14:10:00.000Z', reason: 'agent host powered off' },
        },
      },
    );
    expect(overridden.passed).toBe(true);
  });
});

describe('config: which items are evaluated', () => {
  it('defaults to every item Quell has the facts for but "records identified"; refuses an item it cannot check', () => {
    const defaults = resolutionConfigSchema.parse({});
    expect(defaults.gate.evaluated.sev1).toEqual([
      'contained',
      'rollback',
      'evidence-archived',
      'owner-assigned',
      'root-cause',
    ]);
    const bad = resolutionConfigSchema.safeParse({
      gate: { evaluated: { sev2: ['contained', 'approval'] } },
    });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues[0]).toMatchObject({
      path: ['gate', 'evaluated', 'sev2'],
      message:
        'only these items can be checked from the record: contained, records-identified, rollback, evidence-archived, owner-assigned, root-cause',
    });
  });
});

describe('what the clicker saw', () => {
  it('the block id round-trips every combination of ticks, and a foreign one reads as stale', () => {
    for (const mask of [0, 1, 0b101, (1 << GATE_ITEM_IDS.length) - 1]) {
      const ticked = GATE_ITEM_IDS.filter((_, i) => mask & (1 << i));
      expect(seenFromBlockId(checklistBlockId(ticked))).toEqual(ticked);
    }
    expect(seenFromBlockId('gate_checklist')).toBeUndefined();
    expect(seenFromBlockId('gate_checklist~zzzz')).toBeUndefined();
    expect(seenFromBlockId(undefined)).toBeUndefined();
  });

  it('a click is the difference between what was shown and what is selected', () => {
    expect(checklistChange(['tests-passed'], ['tests-passed', 'guardrails'])).toEqual({
      added: ['guardrails'],
      removed: [],
    });
    expect(checklistChange(['tests-passed', 'guardrails'], ['guardrails'])).toEqual({
      added: [],
      removed: ['tests-passed'],
    });
    // an item ticked by someone else after this message was shown is neither added nor removed
    expect(checklistChange([], ['guardrails'])).toEqual({ added: ['guardrails'], removed: [] });
  });
});

describe('started at and cadences', () => {
  const now = new Date('2026-11-21T14:00:00Z');
  it('parses a time today in the configured zone, an instant, or how long ago; refuses the future and nonsense', () => {
    expect(parseStartedAt('13:20', now, 'UTC')).toEqual(new Date('2026-11-21T13:20:00Z'));
    expect(parseStartedAt('14:20', now, 'Europe/Berlin')).toEqual(new Date('2026-11-21T13:20:00Z'));
    expect(parseStartedAt('2026-11-20T23:50', now, 'America/New_York')).toEqual(
      new Date('2026-11-21T04:50:00Z'),
    );
    expect(parseStartedAt('2026-11-21T13:20+01:00', now, 'UTC')).toEqual(new Date('2026-11-21T12:20:00Z'));
    expect(parseStartedAt('90m', now, 'UTC')).toEqual(new Date('2026-11-21T12:30:00Z'));
    expect(parseStartedAt('14:30', now, 'UTC')).toBe('future');
    expect(parseStartedAt('25:00', now, 'UTC')).toBeUndefined();
    expect(parseStartedAt('2026-02-31T10:00', now, 'UTC')).toBeUndefined();
    expect(parseStartedAt('soon', now, 'UTC')).toBeUndefined();
  });

  it('prints cadences in units people read', () => {
    expect(describeCadence(1_000)).toBe('every 1 s');
    expect(describeCadence(90_000)).toBe('every 1 min 30 s');
    expect(describeCadence(15 * 60_000)).toBe('every 15 min');
    expect(describeCadence(90 * 60_000)).toBe('every 1 h 30 min');
    expect(describeCadence(2 * 86_400_000)).toBe('every 2 d');
    expect(describeCadence(null)).toBe('no updates');
  });
});

describe('talking points staleness', () => {
  const incident = {
    id: 'INC-1',
    status: 'investigating',
    nextUpdateDueAt: '2026-11-21T14:30:00.000Z',
  } as Incident;
  const approved = {
    draftId: 'd1',
    audience: 'support',
    version: 2,
    text: 't',
    sha256: 'x',
    approvedBy: 'U0CORAMAND1',
    approvedAt: '2026-11-21T14:05:00.000Z',
  };
  const update = (at: string, nextUpdateAt: string) => ({
    incidentId: 'INC-1',
    at,
    actor: 'U0X',
    kind: 'update' as const,
    text: 'update',
    data: { nextUpdateAt },
  });

  it('promised by the update in force at approval; stale once that passes or a newer update exists', () => {
    const timeline = [update('2026-11-21T14:01:00.000Z', '2026-11-21T14:20:00.000Z')];
    expect(staleness(incident, approved, timeline, new Date('2026-11-21T14:10:00Z'))).toEqual({
      shareMoreBy: '2026-11-21T14:20:00.000Z',
    });
    expect(staleness(incident, approved, timeline, new Date('2026-11-21T14:21:00Z'))).toEqual({
      shareMoreBy: '2026-11-21T14:20:00.000Z',
      stale: { reasons: ['share-more-by-passed'] },
    });
    const newer = [...timeline, update('2026-11-21T14:12:00.000Z', '2026-11-21T15:00:00.000Z')];
    expect(staleness(incident, approved, newer, new Date('2026-11-21T14:13:00Z'))).toEqual({
      shareMoreBy: '2026-11-21T14:20:00.000Z',
      stale: { reasons: ['newer-update'], newerUpdateAt: '2026-11-21T14:12:00.000Z' },
    });
    // a resolved incident's points promise nothing more
    expect(
      staleness({ ...incident, status: 'resolved' }, approved, timeline, new Date('2026-11-21T16:00:00Z')),
    ).toEqual({});
  });
});
