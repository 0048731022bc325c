import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ALICE, CrashWorld, until } from './harness.js';

/**
 * A containment playbook (kill switch, then tools off) crashed at each point of a run: right after
 * the Run is recorded, after a step's intent is recorded, after the request reached the target,
 * after the execution was recorded and after verifying. Another replica finishes the run: every
 * request that reached the target is in the audit and on the timeline, and `/contain status` and
 * undo see the run.
 */
const CONTAIN_POINTS = [
  'contain.confirmed',
  'contain.started',
  'contain.target',
  'contain.executed',
  'contain.verified',
] as const;

describe('a containment playbook crashed at any point is finished and fully on record', () => {
  let world: CrashWorld;
  beforeEach(async () => {
    world = await CrashWorld.start();
  });
  afterEach(async () => {
    await world.stop();
  });

  it.each(CONTAIN_POINTS)(
    'killed at %s',
    async (point) => {
      const first = await world.replica({ crashAt: point });
      const incident = await world.declared('declare sev1 Agent keeps issuing refunds');
      const channel = incident.channelId!;
      await world.slack.sendCommand({
        user: ALICE,
        channel,
        text: 'playbook stop-agent',
        command: '/contain',
      });
      const confirmation = await until(
        () =>
          world.slack
            .ephemerals({ user: ALICE })
            .find((e) => JSON.stringify(e.blocks ?? []).includes('quell_containment_confirm')),
        40_000,
        'the Run confirmation',
      );
      await world.slack.clickAction({
        user: ALICE,
        container: { type: 'ephemeral', id: confirmation.id },
        actionId: 'quell_containment_confirm',
      });
      expect((await first.exited).signal, first.output()).toBe('SIGKILL');

      await world.replica();
      const store = world.containment();
      // finished: both steps in force and on the timeline
      const runs = await until(
        async () => {
          const all = await store.runs(incident.id);
          const events = await world.timeline(incident.id);
          const done = (id: string) =>
            events.some((e) => e.kind === 'containment_executed' && e.data.runId === id);
          return all.length === 2 && all.every((r) => r.status === 'in_force' && done(r.id))
            ? all
            : undefined;
        },
        30_000,
        'both steps in force and on the timeline',
      );
      expect(runs.map((r) => [r.id, r.action, r.playbook?.id])).toEqual([
        ['r1', 'kill-switch', 'p1'],
        ['r2', 'tools-off', 'p1'],
      ]);

      // every request that reached the target belongs to a run that is audited and on the timeline
      const audit = await store.audit(incident.id);
      const timeline = await world.timeline(incident.id);
      const reached = world.target.actions();
      expect(reached.length).toBeGreaterThanOrEqual(2);
      for (const request of reached) {
        const action = request.path === '/kill' ? 'kill-switch' : 'tools-off';
        const run = runs.find((r) => r.action === action)!;
        expect(JSON.parse(request.body).idempotencyKey, request.path).toContain(run.id);
        expect(audit.filter((e) => e.runId === run.id).map((e) => e.event)).toEqual(
          expect.arrayContaining(['started', 'executed', 'verified']),
        );
        expect(
          timeline.filter((e) => e.kind === 'containment_executed' && e.data.runId === run.id),
        ).toHaveLength(1);
      }
      // the target was engaged once per step, or twice when the crash hid whether it already was
      const kills = reached.filter((r) => r.path === '/kill').length;
      expect(kills).toBe(point === 'contain.target' ? 2 : 1);
      expect(reached.filter((r) => r.path === '/tools')).toHaveLength(1);
      // a step re-sent after the crash does not trust what it read as "before" for undo
      if (point === 'contain.target') expect(runs[0]!.state.prior).toMatchObject({ known: false });

      const status = await world.slack.sendCommand({
        user: ALICE,
        channel,
        text: 'status',
        command: '/contain',
      });
      expect(status.status).toBe(200);
      const statusReply = await until(
        () => world.slack.ephemerals({ user: ALICE }).find((e) => e.text.includes('in force')),
        40_000,
        '/contain status',
      );
      const listed = JSON.stringify(statusReply);
      for (const run of runs) expect(listed).toContain(run.id);
      await world.slack.sendCommand({ user: ALICE, channel, text: 'undo p1', command: '/contain' });
      await until(
        () => world.slack.ephemerals({ user: ALICE }).find((e) => e.text.includes('Undo p1')),
        40_000,
        'the undo confirmation for the playbook run',
      );
    },
    90_000,
  );
});
