import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Runtime } from '../../src/runtime.js';
import { FakeSlackApi } from '../helpers/fake-slack-api.js';
import { startHttpQuell, TEST_SIGNING_SECRET } from '../helpers/http-app.js';
import { openTestRedis } from '../helpers/redis.js';
import { TestClock } from '../helpers/services.js';
import { deliverToQuell } from '../helpers/signed-request.js';
import { evidenceConfig, message, tempEvidenceDir, tsAt } from './helpers.js';

const CHANNEL = 'C0INC0001';

function eventBody(event: Record<string, unknown>, eventId: string): string {
  return JSON.stringify({
    token: 'deprecated',
    team_id: 'T0QUELL',
    api_app_id: 'A0QUELL',
    event: { channel: CHANNEL, channel_type: 'channel', hidden: true, type: 'message', ...event },
    type: 'event_callback',
    event_id: eventId,
    event_time: Number(String(event.event_ts).split('.')[0]),
    authorizations: [{ team_id: 'T0QUELL', user_id: 'U0QUELLBOT', is_bot: true }],
  });
}

const section = (text: string) => [{ type: 'section', block_id: 'b1', text: { type: 'mrkdwn', text } }];

/**
 * Each completeness case of the archive, through the real listener (signed Events API deliveries)
 * and the real archive on real Redis: what a forensic investigator must find in the bundle.
 */
describe('the archive is complete to the last edit', () => {
  let env: Awaited<ReturnType<typeof openTestRedis>>;
  let slack: FakeSlackApi;
  let quell: Runtime & { url: string };
  let storage: Awaited<ReturnType<typeof tempEvidenceDir>>;
  let clock: TestClock;

  const sendEvent = (event: Record<string, unknown>, id: string) =>
    deliverToQuell(quell.url, eventBody(event, id), {
      signingSecret: TEST_SIGNING_SECRET,
      contentType: 'application/json',
    });
  const archive = async () => {
    const outcome = await quell.services.evidence.archive({
      incidentId: 'INC-1',
      actor: 'U0ALICE',
      trigger: 'command',
    });
    const md = await readFile(join(outcome.reservation.location, 'transcript.md'), 'utf8');
    return { outcome, md };
  };

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
    quell = await startHttpQuell(
      env.redis,
      evidenceConfig(env.prefix, storage.dir, '  uploadToChannel: false'),
      clock,
    );
    await quell.services.incidents.declare({
      title: 'Agent bot rewrote its answers',
      severity: 'sev2',
      declaredBy: 'U0ALICE',
      idempotencyKey: 'k',
    });
  });

  afterEach(async () => {
    await quell.stop();
    slack.close();
    await env.cleanup();
    await storage.remove();
  });

  it('keeps an edit that changes only the blocks or only the attachments, with what they showed before', async () => {
    const bot = { bot_id: 'B0AGENT', username: 'refund-agent', subtype: 'bot_message' };
    slack.seedChannel(CHANNEL, [
      message(60, 'U0AGENTBOT', 'Refund status', {
        ...bot,
        blocks: section('Refunded *$40* to 3 customers'),
        edited: { ts: tsAt(90, 5) },
      }),
      message(70, 'U0AGENTBOT', 'Report', {
        ...bot,
        attachments: [{ title: 'Run 42', text: 'all checks passed' }],
        edited: { ts: tsAt(95, 6) },
      }),
    ]);
    const change = (ts: string, at: number, micro: number, before: object, after: object) => ({
      subtype: 'message_changed',
      ts: tsAt(at, micro),
      event_ts: tsAt(at, micro),
      message: {
        type: 'message',
        user: 'U0AGENTBOT',
        ts,
        text: ts === tsAt(60) ? 'Refund status' : 'Report',
        ...bot,
        ...after,
        edited: { user: 'U0AGENTBOT', ts: tsAt(at, micro) },
      },
      previous_message: {
        type: 'message',
        user: 'U0AGENTBOT',
        ts,
        text: ts === tsAt(60) ? 'Refund status' : 'Report',
        ...bot,
        ...before,
      },
    });
    await sendEvent(
      change(
        tsAt(60),
        90,
        5,
        { blocks: section('Refunded *$40,000* to 3,000 customers') },
        { blocks: section('Refunded *$40* to 3 customers') },
      ),
      'Ev1',
    );
    await sendEvent(
      change(
        tsAt(70),
        95,
        6,
        { attachments: [{ title: 'Run 42', text: '3 checks FAILED' }] },
        { attachments: [{ title: 'Run 42', text: 'all checks passed' }] },
      ),
      'Ev2',
    );
    // an unfurl-like change that alters none of text, blocks, attachments, files is not a revision
    await sendEvent(
      { ...change(tsAt(60), 97, 7, { blocks: section('x') }, { blocks: section('x') }) },
      'Ev3',
    );
    clock.advance(600_000);

    const { outcome, md } = await archive();
    expect(outcome.manifest.counts.revisions).toBe(2);
    expect(md).toContain('_Blocks:_ “Refunded \\*$40\\* to 3 customers”');
    expect(md).toContain(
      '_Before the edit at 2026-11-21 14:01:30.000005 UTC (blocks changed):_ “Refund status ⏎ [blocks] Refunded \\*$40,000\\* to 3,000 customers”',
    );
    expect(md).toContain(
      '_Before the edit at 2026-11-21 14:01:35.000006 UTC (attachments changed):_ “Report ⏎ [attachment] Run 42 3 checks FAILED”',
    );
    const revisions = (
      await readFile(join(outcome.reservation.location, 'raw/message-revisions.jsonl'), 'utf8')
    )
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(revisions.map((r) => r.changed)).toEqual([['blocks'], ['attachments']]);
  });

  it("credits a deleted thread parent (Slack's tombstone, shown as Slackbot) to its real author, as a deletion", async () => {
    slack.seedChannel(CHANNEL, [
      {
        type: 'message',
        subtype: 'tombstone',
        user: 'USLACKBOT',
        text: 'This message was deleted.',
        ts: tsAt(60),
        thread_ts: tsAt(60),
        reply_count: 1,
        hidden: true,
      },
      message(70, 'U0ALICE', 'why did you delete that?', { thread_ts: tsAt(60) }),
    ]);
    await sendEvent(
      {
        subtype: 'message_changed',
        ts: tsAt(80, 1),
        event_ts: tsAt(80, 1),
        message: {
          type: 'message',
          subtype: 'tombstone',
          user: 'USLACKBOT',
          text: 'This message was deleted.',
          ts: tsAt(60),
          thread_ts: tsAt(60),
        },
        previous_message: {
          type: 'message',
          user: 'U0BOB',
          text: 'I ran the migration against prod',
          ts: tsAt(60),
          thread_ts: tsAt(60),
        },
      },
      'Ev1',
    );
    clock.advance(600_000);
    const { md } = await archive();
    expect(md).toContain(
      [
        '**14:01:00.000100 UTC · Bob Baker (U0BOB)**  ',
        '_This message was deleted (its thread remains)._  ',
        '_Deleted at 2026-11-21 14:01:20.000001 UTC; it was:_ “I ran the migration against prod”',
      ].join('\n'),
    );
    expect(md).not.toContain('Slackbot (USLACKBOT)');
    expect(md).not.toContain('Before the edit');
    expect(md).toContain('> **Thread · 1 reply**');
  });

  it('nests a thread broadcast in its thread (marked), and lists out-of-order edits in event order to the microsecond', async () => {
    slack.seedChannel(CHANNEL, [
      message(60, 'U0ALICE', 'what is the blast radius?', { thread_ts: tsAt(60), reply_count: 2 }),
      message(70, 'U0BOB', 'checking the tool log'),
      message(65, 'U0BOB', '3,000 refunds, all reversible', {
        thread_ts: tsAt(60),
        subtype: 'thread_broadcast',
        root: { ts: tsAt(60) },
      }),
      message(66, 'U0ALICE', 'thanks', { thread_ts: tsAt(60) }),
      message(90, 'U0BOB', 'final: v3', { edited: { user: 'U0BOB', ts: tsAt(100, 300) } }),
    ]);
    const edit = (before: string, after: string, micro: number) => ({
      subtype: 'message_changed',
      ts: tsAt(100, micro),
      event_ts: tsAt(100, micro),
      message: {
        type: 'message',
        user: 'U0BOB',
        text: after,
        ts: tsAt(90),
        edited: { user: 'U0BOB', ts: tsAt(100, micro) },
      },
      previous_message: { type: 'message', user: 'U0BOB', text: before, ts: tsAt(90) },
    });
    // three edits in one second, delivered last-first
    await sendEvent(edit('final: v2', 'final: v3', 300), 'Ev3');
    await sendEvent(edit('final: v1', 'final: v2', 200), 'Ev2');
    await sendEvent(edit('final: v0', 'final: v1', 100), 'Ev1');
    clock.advance(600_000);
    const { outcome, md } = await archive();
    expect(outcome.transcript).toMatchObject({
      messages: 3,
      threadReplies: 1,
      threadBroadcasts: 1,
      duplicatesSkipped: 1,
    });
    const thread = md.slice(md.indexOf('> **Thread · 2 replies**'));
    expect(thread).toContain('> **14:01:05.000100 UTC · Bob Baker (U0BOB)** · _also sent to the channel_');
    expect(md.split('3,000 refunds, all reversible')).toHaveLength(2); // once, in its thread
    expect(md.indexOf('3,000 refunds')).toBeLessThan(md.indexOf('checking the tool log'));
    const order = ['“final: v0”', '“final: v1”', '“final: v2”'].map((t) => md.indexOf(t));
    expect(order.every((at) => at > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(md).toContain('_Before the edit at 2026-11-21 14:01:40.000100 UTC (text changed):_ “final: v0”');
  });

  it('records a thread that vanishes mid-archive and goes on', async () => {
    slack.seedChannel(CHANNEL, [
      message(60, 'U0ALICE', 'parent that will be deleted', { thread_ts: tsAt(60), reply_count: 1 }),
      message(61, 'U0BOB', 'reply', { thread_ts: tsAt(60) }),
      message(120, 'U0ALICE', 'later message'),
    ]);
    slack.failNext('conversations.replies', 'thread_not_found');
    clock.advance(600_000);
    const { outcome, md } = await archive();
    expect(outcome.manifest.gaps).toContainEqual({
      source: 'slack.replies',
      what: `thread ${tsAt(60)}`,
      reason: 'thread_not_found while archiving (deleted mid-archive)',
    });
    expect(outcome.transcript).toMatchObject({ messages: 2, threadReplies: 0 });
    expect(md).toContain(
      'The thread of this message could not be read: Slack no longer had it (`thread_not_found`)',
    );
    expect(md).toContain('later message');
  });

  it("cuts the window from Slack's timestamps with a margin: a host clock 3 minutes behind loses nothing", async () => {
    // Quell's clock says 14:00:00; Slack's messages run to 14:03 (Slack's clock is ahead)
    slack.seedChannel(
      CHANNEL,
      [30, 60, 90, 120, 150, 180].map((s) => message(s, 'U0BOB', `message at +${s}s`)),
    );
    const { outcome } = await archive();
    expect(outcome.transcript.messages).toBe(6);
    expect(outcome.manifest.window.latestTs).toBe(`${1795269600 + 180 + 120}.000100`);
    const history = slack.callsTo('conversations.history');
    expect(history[0]!.params.latest).toBeUndefined();
  });
});
