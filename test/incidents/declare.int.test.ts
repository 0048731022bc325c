import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { QuellError } from '../../src/errors.js';
import type { Services } from '../../src/services.js';
import { FakeSlackApi } from '../helpers/fake-slack-api.js';
import { openTestRedis } from '../helpers/redis.js';
import { TestClock, testConfig, testServices } from '../helpers/services.js';

const CONFIG = `
channels:
  announcement: C0ANNOUNCE
responders:
  users: [U0ONCALL1, U0ONCALL2]
  usergroups: [S0AIRESP]
`;

describe('declaring an incident', () => {
  let env: Awaited<ReturnType<typeof openTestRedis>>;
  let slack: FakeSlackApi;
  let services: Services;
  let clock: TestClock;

  beforeEach(async () => {
    env = await openTestRedis();
    slack = new FakeSlackApi({ usergroups: { S0AIRESP: ['U0GROUP1', 'U0ONCALL1'] } });
    clock = new TestClock(new Date('2026-11-21T14:05:00Z'));
    services = testServices(env.redis, testConfig(env.prefix, CONFIG), clock);
  });

  afterEach(async () => {
    slack.close();
    await env.cleanup();
  });

  it('creates the channel, sets topic and purpose, invites responders, pins the summary and announces', async () => {
    const outcome = await services.incidents.declare({
      title: 'Agent deleted shared mailbox',
      severity: 'sev1',
      declaredBy: 'U0DECLARER',
      idempotencyKey: 'trigger-1',
    });

    expect(outcome.created).toBe(true);
    expect(outcome.failures).toEqual([]);
    expect(outcome.incident).toMatchObject({
      id: 'INC-1',
      status: 'investigating',
      severity: 'sev1',
      channelId: 'C0INC0001',
      channelName: 'inc-20261121-agent-deleted-shared-mailbox',
      roles: { commander: 'U0DECLARER' },
      nextUpdateDueAt: '2026-11-21T14:20:00.000Z',
      summaryTs: '1700000000.000001',
    });
    expect(slack.methods()).toEqual([
      // the permission model: the declarer is a full member (not a guest, not another org's)
      'users.info',
      'conversations.create',
      'conversations.setTopic',
      'conversations.setPurpose',
      'usergroups.users.list',
      'conversations.invite',
      'chat.postMessage',
      'pins.add',
      'chat.postMessage',
    ]);
    expect(slack.callsTo('conversations.create')[0]!.params).toMatchObject({
      name: 'inc-20261121-agent-deleted-shared-mailbox',
      is_private: 'false',
    });
    expect(slack.callsTo('conversations.setTopic')[0]!.params.topic).toBe(
      'SEV1 · investigating · Agent deleted shared mailbox',
    );
    expect(slack.callsTo('conversations.invite')[0]!.params).toMatchObject({
      channel: 'C0INC0001',
      users: 'U0DECLARER,U0ONCALL1,U0ONCALL2,U0GROUP1',
      force: 'true',
    });
    const [summary, announcement] = slack.callsTo('chat.postMessage');
    expect(summary!.params.channel).toBe('C0INC0001');
    expect(JSON.stringify(summary!.params.blocks)).toContain('INC-1: Agent deleted shared mailbox');
    expect(slack.callsTo('pins.add')[0]!.params).toMatchObject({
      channel: 'C0INC0001',
      timestamp: '1700000000.000001',
    });
    expect(announcement!.params.channel).toBe('C0ANNOUNCE');
    expect(String(announcement!.params.text)).toContain('SEV1 incident INC-1 declared in <#C0INC0001>');

    const stored = await services.incidents.findForChannel('C0INC0001');
    expect(stored?.id).toBe('INC-1');
    const timeline = await services.incidents.timeline('INC-1');
    expect(timeline.map((e) => e.kind)).toEqual(['declared']);
    expect(timeline[0]).toMatchObject({ actor: 'U0DECLARER', at: '2026-11-21T14:05:00.000Z' });
  });

  it('adds a numeric suffix when the channel name is taken', async () => {
    slack.takeChannelName('inc-20261121-agent-loops').takeChannelName('inc-20261121-agent-loops-2');
    const { incident } = await services.incidents.declare({
      title: 'Agent loops',
      severity: 'sev3',
      declaredBy: 'U0DECLARER',
      idempotencyKey: 'trigger-2',
    });
    expect(incident.channelName).toBe('inc-20261121-agent-loops-3');
    expect(slack.callsTo('conversations.create').map((c) => c.params.name)).toEqual([
      'inc-20261121-agent-loops',
      'inc-20261121-agent-loops-2',
      'inc-20261121-agent-loops-3',
    ]);
  });

  it('a retried declare with the same key returns the same incident and creates nothing', async () => {
    const first = await services.incidents.declare({
      title: 'Dup',
      severity: 'sev2',
      declaredBy: 'U1',
      idempotencyKey: 'same',
    });
    const callsAfterFirst = slack.calls.length;
    const second = await services.incidents.declare({
      title: 'Dup',
      severity: 'sev2',
      declaredBy: 'U1',
      idempotencyKey: 'same',
    });
    expect(second.created).toBe(false);
    expect(second.incident.id).toBe(first.incident.id);
    expect(slack.calls.length).toBe(callsAfterFirst);
  });

  it('two replicas sharing one Redis never hand out the same id', async () => {
    const { Redis } = await import('ioredis');
    const secondConnection = new Redis(env.redis.options);
    const replica = testServices(secondConnection, testConfig(env.prefix, CONFIG), clock);
    const outcomes = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        (i % 2 ? replica : services).incidents.declare({
          title: `Replica ${i}`,
          severity: 'sev3',
          declaredBy: 'U1',
          idempotencyKey: `r-${i}`,
        }),
      ),
    );
    secondConnection.disconnect();
    expect(outcomes.map((o) => o.incident.id).sort()).toEqual(
      Array.from({ length: 10 }, (_, i) => `INC-${i + 1}`).sort(),
    );
    expect(new Set(outcomes.map((o) => o.incident.channelId)).size).toBe(10);
  });

  it('concurrent declares get distinct ids', async () => {
    const outcomes = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        services.incidents.declare({
          title: `Parallel ${i}`,
          severity: 'sev3',
          declaredBy: 'U1',
          idempotencyKey: `p-${i}`,
        }),
      ),
    );
    const ids = outcomes.map((o) => o.incident.id).sort();
    expect(new Set(ids).size).toBe(8);
  });

  it('keeps the incident and reports in the channel when an invite fails', async () => {
    slack.queue('conversations.invite', () => ({
      ok: true,
      channel: { id: 'C0INC0001' },
      errors: [{ user: 'U0ONCALL2', ok: false, error: 'user_not_found' }],
    }));
    const outcome = await services.incidents.declare({
      title: 'Leak',
      severity: 'sev1',
      declaredBy: 'U0DECLARER',
      idempotencyKey: 't',
    });
    expect(outcome.failures).toEqual(['invite <@U0ONCALL2>: user_not_found']);
    const report = slack.callsTo('chat.postMessage').at(-1)!;
    expect(report.params.channel).toBe('C0INC0001');
    expect(String(report.params.text)).toContain(
      'some set-up steps failed: invite <@U0ONCALL2>: user_not_found',
    );
    const timeline = await services.incidents.timeline(outcome.incident.id);
    expect(timeline.map((e) => e.kind)).toEqual(['declared', 'setup_failed']);
    expect((await services.store.get(outcome.incident.id))?.channelId).toBe('C0INC0001');
  });

  it('keeps the incident record when the channel cannot be created, and says so', async () => {
    slack.failNext('conversations.create', 'restricted_action');
    const declaring = services.incidents.declare({
      title: 'No channel',
      severity: 'sev2',
      declaredBy: 'U1',
      idempotencyKey: 'x',
    });
    await expect(declaring).rejects.toBeInstanceOf(QuellError);
    await expect(declaring).rejects.toThrow(/INC-1 is recorded.*restricted_action/);
    const stored = await services.store.get('INC-1');
    expect(stored?.title).toBe('No channel');
    expect((await services.incidents.timeline('INC-1')).map((e) => e.kind)).toEqual([
      'declared',
      'setup_failed',
    ]);
  });

  it('does not announce drills or when asked not to', async () => {
    await services.incidents.declare({
      title: 'Drill',
      severity: 'sev1',
      drill: true,
      declaredBy: 'U1',
      idempotencyKey: 'd',
    });
    await services.incidents.declare({
      title: 'Quiet',
      severity: 'sev1',
      announce: false,
      declaredBy: 'U1',
      idempotencyKey: 'q',
    });
    expect(slack.callsTo('chat.postMessage').map((c) => c.params.channel)).toEqual([
      'C0INC0001',
      'C0INC0002',
    ]);
    expect(String(slack.callsTo('conversations.setTopic')[0]!.params.topic)).toMatch(/^\[DRILL\] /);
  });
});
