import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verifyBundle } from '../../src/evidence/verify.js';
import type { Runtime } from '../../src/runtime.js';
import { FakeSlackApi } from '../helpers/fake-slack-api.js';
import { eventually, startHttpQuell, TEST_SIGNING_SECRET } from '../helpers/http-app.js';
import { openTestRedis } from '../helpers/redis.js';
import { TestClock } from '../helpers/services.js';
import { deliverToQuell, slashCommandBody } from '../helpers/signed-request.js';
import { evidenceConfig, message, tempEvidenceDir, tsAt } from './helpers.js';

const CHANNEL = 'C0INC0001';

/** An Events API delivery as Slack sends it: JSON, signed, in an event_callback envelope. */
function eventBody(event: Record<string, unknown>, eventId: string): string {
  return JSON.stringify({
    token: 'deprecated',
    team_id: 'T0QUELL',
    api_app_id: 'A0QUELL',
    event,
    type: 'event_callback',
    event_id: eventId,
    event_time: Number(String(event.event_ts).split('.')[0]),
    authorizations: [{ team_id: 'T0QUELL', user_id: 'U0QUELLBOT', is_bot: true }],
  });
}

function edited(ts: string, before: string, after: string, at: number, extra: Record<string, unknown> = {}) {
  return {
    type: 'message',
    subtype: 'message_changed',
    hidden: true,
    channel: CHANNEL,
    channel_type: 'channel',
    ts: tsAt(at, 900),
    event_ts: tsAt(at, 900),
    message: {
      type: 'message',
      user: 'U0BOB',
      text: after,
      ts,
      edited: { user: 'U0BOB', ts: tsAt(at, 900) },
      ...extra,
    },
    previous_message: { type: 'message', user: 'U0BOB', text: before, ts, ...extra },
  };
}

function deleted(ts: string, before: string, at: number, extra: Record<string, unknown> = {}) {
  return {
    type: 'message',
    subtype: 'message_deleted',
    hidden: true,
    channel: CHANNEL,
    channel_type: 'channel',
    ts: tsAt(at, 901),
    event_ts: tsAt(at, 901),
    deleted_ts: ts,
    previous_message: { type: 'message', user: 'U0BOB', text: before, ts, ...extra },
  };
}

describe('edits and deletions are kept; /incident archive and archive on resolve', () => {
  let env: Awaited<ReturnType<typeof openTestRedis>>;
  let slack: FakeSlackApi;
  let quell: Runtime & { url: string };
  let storage: Awaited<ReturnType<typeof tempEvidenceDir>>;
  let clock: TestClock;

  const send = (body: string, extra: { contentType?: string; retryNum?: number } = {}) =>
    deliverToQuell(quell.url, body, { signingSecret: TEST_SIGNING_SECRET, ...extra });
  const sendEvent = (event: Record<string, unknown>, id: string, retryNum?: number) =>
    send(eventBody(event, id), { contentType: 'application/json', ...(retryNum ? { retryNum } : {}) });

  beforeEach(async () => {
    env = await openTestRedis();
    storage = await tempEvidenceDir();
    slack = new FakeSlackApi({
      users: [
        { id: 'U0ALICE', name: 'Alice Archer' },
        { id: 'U0BOB', name: 'Bob Baker' },
      ],
    });
    clock = new TestClock();
    quell = await startHttpQuell(env.redis, evidenceConfig(env.prefix, storage.dir), clock);
    await quell.services.incidents.declare({
      title: 'Agent wiped CRM notes',
      severity: 'sev2',
      declaredBy: 'U0ALICE',
      idempotencyKey: 'k',
    });
    slack.seedChannel(CHANNEL, [
      message(60, 'U0ALICE', 'we are on it'),
      // Slack now shows the edited text; the original is only known from the event
      message(120, 'U0BOB', 'customer impact is small', { edited: { user: 'U0BOB', ts: tsAt(180, 900) } }),
      message(240, 'U0ALICE', 'thread about the cause', { thread_ts: tsAt(240), reply_count: 1 }),
      message(250, 'U0ALICE', 'root cause: prompt conflict', { thread_ts: tsAt(240) }),
      // the deleted top-level message (ts 200) and the deleted reply (ts 245) are gone from Slack
    ]);
    clock.advance(1800_000);
  });

  afterEach(async () => {
    await quell.stop();
    slack.close();
    await env.cleanup();
    await storage.remove();
  });

  it('keeps the text before edits and deletions (once per event, however often Slack retries) and archives it', async () => {
    expect(
      (
        await sendEvent(
          edited(tsAt(120), 'customer impact: 4,000 refunds sent', 'customer impact is small', 180),
          'Ev1',
        )
      ).status,
    ).toBe(200);
    expect(
      (
        await sendEvent(
          edited(tsAt(120), 'customer impact: 4,000 refunds sent', 'customer impact is small', 180),
          'Ev1',
          1,
        )
      ).status,
    ).toBe(200);
    await sendEvent(deleted(tsAt(200), 'I think we should not tell legal yet', 230), 'Ev2');
    await sendEvent(
      deleted(tsAt(245), 'it was my change to the prompt', 260, { thread_ts: tsAt(240) }),
      'Ev3',
    );
    // not revisions: Quell's own summary edits, and a change that keeps the text (an unfurl)
    await sendEvent(
      {
        ...edited(tsAt(61), 'summary v1', 'summary v2', 270),
        previous_message: {
          type: 'message',
          user: 'U0QUELLBOT',
          bot_id: 'B0QUELL',
          text: 'summary v1',
          ts: tsAt(61),
        },
      },
      'Ev4',
    );
    await sendEvent(edited(tsAt(60), 'we are on it', 'we are on it', 280), 'Ev5');

    const response = await send(slashCommandBody({ text: 'archive', channelId: CHANNEL, userId: 'U0ALICE' }));
    // the ack promises nothing: "Archiving…" is said once the channel is known to be an incident's
    expect(response.body).toBe('');
    const reply = await eventually(() => {
      expect(slack.responseUrlPosts).toHaveLength(1);
      return slack.responseUrlPosts[0]!.body;
    });
    expect(reply).toEqual({
      response_type: 'ephemeral',
      text: 'Archiving INC-1 as evidence: progress is shown in this channel, and the bundle is posted here when it is done.',
    });
    // the archive runs as a job; its one channel message is posted, then edited in place to the result
    const bundle = join(storage.dir, 'INC-1', 'v1');
    const done = await eventually(() => {
      const last = slack.callsTo('chat.update').at(-1);
      expect(String(last?.params.text)).toContain(':lock: INC-1 evidence bundle v1 archived');
      return String(last!.params.text);
    }, 10_000);
    const progress = slack
      .callsTo('chat.postMessage')
      .filter((c) => String(c.params.text).includes('evidence'));
    expect(progress).toHaveLength(1);
    expect(String(progress[0]!.params.text)).toContain(':hourglass_flowing_sand: INC-1 evidence archiving');
    expect(done).toContain('3 messages, 1 thread replies, 3 captured edits/deletions');
    expect(done).toContain(`Stored at \`${bundle}\``);

    const md = await readFile(join(bundle, 'transcript.md'), 'utf8');
    expect(md).toContain(
      [
        '**14:02:00.000100 UTC · Bob Baker (U0BOB)** · _edited 14:03:00.000900 UTC_  ',
        'customer impact is small  ',
        '_Before the edit at 2026-11-21 14:03:00.000900 UTC (text changed):_ “customer impact: 4,000 refunds sent”',
      ].join('\n'),
    );
    expect(md).toContain(
      [
        '**14:03:20.000100 UTC · Bob Baker (U0BOB)** · _deleted 2026-11-21 14:03:50.000901 UTC_  ',
        '_The deleted message was:_ “I think we should not tell legal yet”',
      ].join('\n'),
    );
    // the deleted reply is back in its thread, between parent and the remaining reply
    expect(md).toContain('> **Thread · 2 replies**');
    expect(md).toMatch(
      /thread about the cause[\s\S]*it was my change to the prompt[\s\S]*root cause: prompt conflict/,
    );
    expect(md).not.toContain('summary v1');

    const revisions = (await readFile(join(bundle, 'raw/message-revisions.jsonl'), 'utf8'))
      .trim()
      .split('\n');
    expect(revisions.map((line) => JSON.parse(line).event.subtype)).toEqual([
      'message_changed',
      'message_deleted',
      'message_deleted',
    ]);
    expect((await verifyBundle(bundle)).ok).toBe(true);
    expect(slack.callsTo('files.completeUploadExternal')).toHaveLength(1);
  });

  it('answers bad input in the ack and refuses outside an incident channel', async () => {
    const bad = await send(slashCommandBody({ text: 'archive now', channelId: CHANNEL }));
    expect(bad.json()).toEqual({
      response_type: 'ephemeral',
      text: ':warning: `/incident archive` takes no arguments.\nUsage: `/incident archive`',
    });
    const outside = await send(slashCommandBody({ text: 'archive', channelId: 'C0GENERAL' }));
    expect(outside.body).toBe(''); // no "Archiving…" before it is known to be an incident channel
    const reply = await eventually(() => {
      expect(slack.responseUrlPosts).toHaveLength(1);
      return slack.responseUrlPosts[0]!.body;
    });
    expect(String(reply.text)).toContain('`/incident archive` works inside an incident channel');
    expect(String(reply.text)).not.toContain('Archiving');
    expect(slack.callsTo('conversations.history')).toEqual([]);
  });

  it('archives by itself when the incident is resolved, and stops keeping revisions after', async () => {
    await sendEvent(
      edited(tsAt(120), 'customer impact: 4,000 refunds sent', 'customer impact is small', 180),
      'Ev0',
    );
    await quell.services.resolution.service.forceResolve(
      'INC-1',
      'U0ALICE',
      'the restart gate is not what this test is about',
    );
    const archived = await eventually(async () => {
      const event = (await quell.services.incidents.timeline('INC-1')).find(
        (e) => e.kind === 'evidence_archived',
      );
      expect(event).toBeDefined();
      return event!;
    }, 10_000);
    expect(archived).toMatchObject({
      actor: 'U0ALICE',
      data: { version: 1, trigger: 'resolved', storage: 'local' },
    });
    const manifest = JSON.parse(
      await readFile(join(String(archived.data.location), 'manifest.json'), 'utf8'),
    );
    expect(manifest).toMatchObject({
      trigger: 'resolved',
      incident: { status: 'resolved' },
      counts: { messages: 3 },
    });
    expect(manifest.counts.timelineEvents).toBe(3); // declared + gate_overridden + status_changed

    await sendEvent(deleted(tsAt(60), 'we are on it', 1900), 'Ev9');
    expect(
      await quell.services.evidence.recordRevision({
        channel: CHANNEL,
        eventKey: 'direct',
        revision: {
          kind: 'deleted',
          ts: tsAt(60),
          before: { text: 'x' },
          changed: ['text'],
          changeTs: tsAt(2400),
          changedAt: '2026-11-21T14:40:00.000100Z',
          event: {},
        },
      }),
    ).toBe(false);
    // the revision text (it may hold secrets) leaves Redis through the retention sweep, once the
    // bundle made after the resolution verifies and evidence.revisionRetention (7d) has passed
    const revisions = `${env.prefix}:evidence:{INC-1}:revisions`;
    expect(await env.redis.exists(revisions)).toBe(1);
    await quell.services.retention.sweep(); // due at the resolution: the bundle verifies, 7d to go
    expect(await env.redis.exists(revisions)).toBe(1);
    clock.advance(7 * 86_400_000 + 60_000);
    expect((await quell.services.retention.sweep()).outcomes).toEqual({ 'parts-purged': 1 });
    expect(await env.redis.exists(revisions, `${env.prefix}:evidence:{INC-1}:revisions-seen`)).toBe(0);
    // the incident itself stays whole until retention.compactAfter (30d), then leaves a tombstone
    expect(await quell.services.store.get('INC-1')).toBeDefined();
    clock.advance(23 * 86_400_000);
    expect((await quell.services.retention.sweep()).outcomes).toEqual({ compacted: 1 });
    expect(await quell.services.store.get('INC-1')).toBeUndefined();
    // nothing of INC-1 is left under its tag but keys that expire by themselves
    const left = await env.redis.keys(`*${env.prefix}*{INC-1}*`);
    const kept = [];
    for (const key of left) if ((await env.redis.pttl(key)) < 0) kept.push(key);
    expect(kept).toEqual([]);
    expect(await quell.services.store.lookup('INC-1')).toMatchObject({
      kind: 'tombstone',
      tombstone: { id: 'INC-1', bundle: { location: archived.data.location, version: 1 } },
    });
  });
});
