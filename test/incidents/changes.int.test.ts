import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConcurrentUpdateError } from '../../src/errors.js';
import type { IncidentChange } from '../../src/incidents/service.js';
import type { Services } from '../../src/services.js';
import { FakeSlackApi } from '../helpers/fake-slack-api.js';
import { openTestRedis } from '../helpers/redis.js';
import { TestClock, testConfig, testServices } from '../helpers/services.js';

describe('changing an incident', () => {
  let env: Awaited<ReturnType<typeof openTestRedis>>;
  let slack: FakeSlackApi;
  let services: Services;
  let clock: TestClock;
  let id: string;

  beforeEach(async () => {
    env = await openTestRedis();
    slack = new FakeSlackApi({ users: [{ id: 'U0BOB', name: 'Bob' }] });
    clock = new TestClock(new Date('2026-11-21T10:00:00Z'));
    // Bob is an on-call responder: the permission model lets him change what the commander may
    services = testServices(env.redis, testConfig(env.prefix, 'responders:\n  users: [U0BOB]\n'), clock);
    ({
      incident: { id },
    } = await services.incidents.declare({
      title: 'Agent loops',
      severity: 'sev2',
      declaredBy: 'U0ALICE',
      idempotencyKey: 'k',
    }));
    slack.calls.length = 0;
  });

  afterEach(async () => {
    slack.close();
    await env.cleanup();
  });

  it('restarts the update clock at the new cadence when severity changes', async () => {
    clock.advance(7 * 60_000);
    const incident = await services.incidents.setSeverity(id, 'U0ALICE', 'sev1');
    expect(incident.nextUpdateDueAt).toBe('2026-11-21T10:22:00.000Z');
    const event = (await services.incidents.timeline(id)).at(-1);
    expect(event).toMatchObject({
      kind: 'severity_changed',
      actor: 'U0ALICE',
      text: 'raised severity SEV2 → SEV1',
      data: { from: 'sev2', to: 'sev1' },
    });
  });

  it('refuses setting the severity it already has, and records nothing', async () => {
    await expect(services.incidents.setSeverity(id, 'U0ALICE', 'sev2')).rejects.toThrow(
      'The severity is already SEV2.',
    );
    expect((await services.incidents.timeline(id)).map((e) => e.kind)).toEqual(['declared']);
    expect(slack.calls).toEqual([]);
  });

  it('resolving clears the next update and leaves the active list; reopening restarts the clock', async () => {
    await services.incidents.setStatus(id, 'U0ALICE', 'contained');
    clock.advance(60_000);
    const resolved = await services.resolution.service.forceResolve(
      id,
      'U0ALICE',
      'gate items are tested in test/resolution',
    );
    expect(resolved).toMatchObject({
      status: 'resolved',
      nextUpdateDueAt: null,
      resolvedAt: '2026-11-21T10:01:00.000Z',
    });
    expect(await services.store.listActive()).toEqual([]);
    const summary = JSON.stringify(slack.callsTo('chat.update').at(-1)!.params.blocks);
    expect(summary).toContain('none (resolved)');

    clock.advance(60_000);
    const reopened = await services.incidents.setStatus(id, 'U0BOB', 'investigating');
    expect(reopened.nextUpdateDueAt).toBe('2026-11-21T10:32:00.000Z');
    expect(reopened.resolvedAt).toBeUndefined();
    expect((await services.store.listActive()).map((i) => i.id)).toEqual([id]);
    expect((await services.incidents.timeline(id)).at(-1)!.text).toBe(
      'reopened the incident (investigating)',
    );
  });

  it('resolves only through the restart gate, whatever code asks', async () => {
    await expect(services.incidents.setStatus(id, 'U0ALICE', 'resolved')).rejects.toThrow(
      'Resolving goes through the restart gate: run `/incident resolve`.',
    );
    await expect(services.incidents.setStatus(id, 'U0ALICE', 'resolved', Symbol('resolve'))).rejects.toThrow(
      /restart gate/,
    );
    expect((await services.store.require(id)).status).toBe('investigating');
    expect(() => services.incidents.guardResolution()).toThrow('resolution is already guarded');
  });

  it('records agent facts and shows them on the summary', async () => {
    await services.incidents.setAgentFact(id, 'U0ALICE', 'model', 'model-x 2026-10');
    const update = slack.callsTo('chat.update')[0]!;
    expect(JSON.stringify(update.params.blocks)).toContain('*Model:* model-x 2026-10');
    expect((await services.incidents.timeline(id)).at(-1)).toMatchObject({
      kind: 'agent_fact',
      data: { field: 'model', value: 'model-x 2026-10', previous: null },
    });
  });

  it('appends notes to the timeline without touching the summary', async () => {
    await services.incidents.addNote(id, 'U0BOB', 'Vendor logs expire in 7 days: exported');
    expect(slack.calls).toEqual([]);
    expect((await services.incidents.timeline(id)).at(-1)).toMatchObject({
      kind: 'note',
      actor: 'U0BOB',
      text: 'Vendor logs expire in 7 days: exported',
    });
  });

  it('keeps every concurrent change: none overwrites another', async () => {
    await Promise.all([
      services.incidents.setAgentFact(id, 'U0ALICE', 'name', 'mailbot'),
      services.incidents.setAgentFact(id, 'U0ALICE', 'version', '4.2.0'),
      services.incidents.setAgentFact(id, 'U0ALICE', 'environment', 'prod'),
      services.incidents.setStatus(id, 'U0ALICE', 'contained'),
    ]);
    const stored = await services.store.require(id);
    expect(stored.agent).toEqual({ name: 'mailbot', version: '4.2.0', environment: 'prod' });
    expect(stored.status).toBe('contained');
    // declare stores v0, then the channel link and the summary ts: v2; four changes later, v6
    expect(stored.version).toBe(6);
    expect(await services.incidents.timeline(id)).toHaveLength(5);
  });

  it('gives up with a retryable message when the record keeps changing underneath', async () => {
    const update = services.store.update(id, (current) => {
      // simulate someone else saving between our read and our write, every time
      void env.redis.eval(
        "local v = cjson.decode(redis.call('GET', KEYS[1])); v['version'] = v['version'] + 1; redis.call('SET', KEYS[1], cjson.encode(v))",
        1,
        `${env.prefix}:incident:{${id}}`,
      );
      return { incident: { ...current, title: 'x' }, event: null };
    });
    await expect(update).rejects.toBeInstanceOf(ConcurrentUpdateError);
  });

  it('tells subscribers about every change, with the event', async () => {
    const seen: IncidentChange[] = [];
    services.incidents.subscribe('test-observer', async (change) => {
      seen.push(change);
    });
    await services.incidents.setSeverity(id, 'U0ALICE', 'sev3');
    expect(seen).toHaveLength(1);
    expect(seen[0]!.before?.severity).toBe('sev2');
    expect(seen[0]!.incident.severity).toBe('sev3');
    expect(seen[0]!.event.kind).toBe('severity_changed');
  });
});
