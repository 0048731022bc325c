import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verifyBundle } from '../../src/evidence/verify.js';
import type { Services } from '../../src/services.js';
import { FakeSlackApi, type SeededMessage } from '../helpers/fake-slack-api.js';
import { openTestRedis } from '../helpers/redis.js';
import { TestClock } from '../helpers/services.js';
import {
  evidenceConfig,
  evidenceServices,
  evidenceWithSources,
  message,
  tempEvidenceDir,
  tsAt,
} from './helpers.js';

const CHANNEL = 'C0INC0001';
const SECRET = 'xoxb-1111-2222-abcdefghijklmnop';

/** 8 top-level messages (3 pages of 3), one thread of 5 replies (3 pages of 2 with the parent). */
function seededChannel(): SeededMessage[] {
  const parent = message(120, 'U0ALICE', 'Agent is emailing customers, <@U0BOB> can you pull the key?', {
    thread_ts: tsAt(120),
    reply_count: 5,
    reply_users: ['U0BOB', 'U0CAROL'],
    reactions: [{ name: 'eyes', count: 2, users: ['U0BOB', 'U0CAROL'] }],
  });
  const replies = [1, 2, 3, 4, 5].map((n) =>
    message(120 + n * 10, n % 2 ? 'U0BOB' : 'U0CAROL', `reply ${n}`, {
      thread_ts: tsAt(120),
      parent_user_id: 'U0ALICE',
    }),
  );
  return [
    message(60, 'U0ALICE', 'Declaring: agent sent refunds'),
    parent,
    ...replies,
    message(300, 'U0BOB', `the leaked token was ${SECRET}`),
    message(360, 'U0CAROL', 'rollback plan attached', {
      files: [
        {
          id: 'F0PLAN',
          name: 'rollback.pdf',
          mimetype: 'application/pdf',
          size: 20480,
          permalink: 'https://quell-test.slack.com/files/U0CAROL/F0PLAN/rollback.pdf',
        },
      ],
    }),
    message(420, 'U0ALICE', 'refunds paused (edited)', { edited: { user: 'U0ALICE', ts: tsAt(430) } }),
    {
      type: 'message',
      subtype: 'bot_message',
      bot_id: 'B0OTHER',
      username: 'Deploy bot',
      text: 'rollback deployed',
      ts: tsAt(480),
    },
    message(540, 'U0BOB', '# not a heading\n> not a quote'),
    message(600, 'U0ALICE', 'monitoring'),
  ];
}

describe('archiving an incident channel', () => {
  let env: Awaited<ReturnType<typeof openTestRedis>>;
  let slack: FakeSlackApi;
  let services: Services;
  let clock: TestClock;
  let storage: Awaited<ReturnType<typeof tempEvidenceDir>>;

  beforeEach(async () => {
    env = await openTestRedis();
    storage = await tempEvidenceDir();
    slack = new FakeSlackApi({
      users: [
        { id: 'U0ALICE', name: 'Alice Archer' },
        { id: 'U0BOB', name: 'Bob Baker' },
        { id: 'U0CAROL', name: 'Carol Chen' },
        { id: 'U0DECLARER', name: 'Dana Declarer' },
      ],
    });
    clock = new TestClock();
    services = evidenceServices(env.redis, evidenceConfig(env.prefix, storage.dir), clock);
    await services.incidents.declare({
      title: 'Refund agent emails customers',
      severity: 'sev1',
      declaredBy: 'U0DECLARER',
      idempotencyKey: 'k1',
    });
    slack.seedChannel(CHANNEL, seededChannel());
    clock.advance(3600_000);
  });

  afterEach(async () => {
    slack.close();
    await env.cleanup();
    await storage.remove();
  });

  it('pages through history and replies, retries a 429 mid-way, and loses or repeats nothing', async () => {
    slack.rateLimitNth('conversations.history', 2, 0).rateLimitNth('conversations.replies', 2, 0);
    const outcome = await services.incidents
      .requireForChannel(CHANNEL, 'test')
      .then((incident) =>
        services.evidence.archive({ incidentId: incident.id, actor: 'U0DECLARER', trigger: 'command' }),
      );

    // history: 8 top-level messages in pages of 3; the second call got a 429 and was re-sent as is
    const history = slack.callsTo('conversations.history').map((c) => c.params);
    expect(history).toHaveLength(4);
    expect(history.map((p) => p.cursor)).toEqual([undefined, cursor(3), cursor(3), cursor(6)]);
    // the first page is read without `latest`: the window's end comes from Slack's timestamps
    // (the newest message, or the host's clock if later) plus the configured 120 s margin
    expect(history[0]).toEqual({ channel: CHANNEL, limit: '3', include_all_metadata: 'true' });
    for (const params of history.slice(1))
      expect(params).toMatchObject({
        channel: CHANNEL,
        limit: '3',
        latest: '1795273320.000000',
        inclusive: 'true',
      });
    // replies: the parent + 5 replies in pages of 2; the second call was rate limited and re-sent
    const replies = slack.callsTo('conversations.replies').map((c) => c.params);
    expect(replies.map((p) => [p.ts, p.cursor])).toEqual([
      [tsAt(120), undefined],
      [tsAt(120), cursor(2)],
      [tsAt(120), cursor(2)],
      [tsAt(120), cursor(4)],
    ]);
    expect(slack.calls.every((c) => c.token === undefined)).toBe(true); // token goes in the header

    expect(outcome.transcript).toEqual({
      messages: 8,
      threadReplies: 5,
      threads: 1,
      historyCalls: 3,
      repliesCalls: 3,
      minimumCalls: 6,
      duplicatesSkipped: 0,
      threadBroadcasts: 0,
    });
    const bundle = outcome.reservation.location;
    expect(bundle).toBe(join(storage.dir, 'INC-1', 'v1'));

    // raw transcript: Slack's message objects exactly, each once, in the order Slack returned them
    const seeded = seededChannel();
    const topLevel = seeded.filter((m) => !m.thread_ts || m.thread_ts === m.ts).reverse();
    expect(await jsonl(join(bundle, 'raw/history.jsonl'))).toEqual(topLevel);
    expect(await jsonl(join(bundle, 'raw/replies.jsonl'))).toEqual(
      seeded.filter((m) => m.thread_ts && m.thread_ts !== m.ts),
    );
    expect(await readFile(join(bundle, 'raw/history.jsonl'), 'utf8')).toContain(SECRET);
  });

  it('writes a readable transcript: oldest first, threads nested, UTC, names, secrets masked', async () => {
    const outcome = await services.evidence.archive({
      incidentId: 'INC-1',
      actor: 'U0DECLARER',
      trigger: 'command',
    });
    const md = await readFile(join(outcome.reservation.location, 'transcript.md'), 'utf8');
    expect(md).not.toContain(SECRET);
    expect(md).toContain('the leaked token was [REDACTED]');
    expect(md).toContain('Archived by Dana Declarer (U0DECLARER) at 2026-11-21 15:00:00 UTC');
    expect(md).toContain('Covers: 2026-11-21 14:00:00 UTC → 2026-11-21 15:00:00 UTC');
    const expected = [
      '## 2026-11-21',
      '',
      '**14:01:00.000100 UTC · Alice Archer (U0ALICE)**  ',
      'Declaring: agent sent refunds',
      '',
      '**14:02:00.000100 UTC · Alice Archer (U0ALICE)**  ',
      'Agent is emailing customers, @Bob Baker can you pull the key?  ',
      '_Reactions:_ :eyes: ×2 (Bob Baker, Carol Chen)',
      '',
      '> **Thread · 5 replies**',
      '>',
      '> **14:02:10.000100 UTC · Bob Baker (U0BOB)**  ',
      '> reply 1',
      '>',
      '> **14:02:20.000100 UTC · Carol Chen (U0CAROL)**  ',
      '> reply 2',
    ].join('\n');
    expect(md).toContain(expected);
    expect(md).toContain(
      '_File:_ `rollback.pdf` (application/pdf, 20.0 KB) <https://quell-test.slack.com/files/U0CAROL/F0PLAN/rollback.pdf>',
    );
    expect(md).toContain('**14:07:00.000100 UTC · Alice Archer (U0ALICE)** · _edited 14:07:10.000100 UTC_');
    expect(md).toContain('**14:08:00.000100 UTC · Deploy bot (app)**');
    expect(md).toContain('\\# not a heading  \n\\> not a quote');
    // chronological: the last message comes after the thread
    expect(md.indexOf('monitoring')).toBeGreaterThan(md.indexOf('reply 5'));
  });

  it('writes the bundle privately, with a manifest that verifies, and records it on the timeline and in the channel', async () => {
    const outcome = await services.evidence.archive({
      incidentId: 'INC-1',
      actor: 'U0DECLARER',
      trigger: 'command',
    });
    const bundle = outcome.reservation.location;
    expect((await stat(storage.dir)).mode & 0o777).toBe(0o700);
    expect((await stat(bundle)).mode & 0o777).toBe(0o700);
    const files = await readdir(bundle, { recursive: true });
    expect(files.sort()).toEqual([
      'comms-versions.jsonl',
      'containment-audit.jsonl',
      'files.jsonl',
      'incident.json',
      'manifest.json',
      'manifest.json.sha256',
      'membership-changes.jsonl',
      'raw',
      'raw/history.jsonl',
      'raw/message-revisions.jsonl',
      'raw/replies.jsonl',
      'rollback-inventory.jsonl',
      'timeline.jsonl',
      'transcript.md',
      'users.json',
    ]);
    for (const file of files.filter((f) => f.includes('.')))
      expect((await stat(join(bundle, file))).mode & 0o777, file).toBe(0o600);

    const manifest = JSON.parse(await readFile(join(bundle, 'manifest.json'), 'utf8'));
    expect(manifest).toMatchObject({
      format: 'quell-evidence-bundle/2',
      canonicalization: 'RFC8785',
      quell: { version: '0.1.0' },
      channels: [{ id: CHANNEL, role: 'incident' }],
      signing: null,
      incident: { id: 'INC-1', channelId: CHANNEL, severity: 'sev1', status: 'investigating' },
      bundle: { version: 1, location: bundle },
      archivedBy: { id: 'U0DECLARER', name: 'Dana Declarer' },
      archivedAt: '2026-11-21T15:00:00.000Z',
      trigger: 'command',
      window: {
        from: '2026-11-21T14:00:00.000Z',
        to: '2026-11-21T15:00:00.000Z',
        latestTs: '1795273320.000000',
        marginSeconds: 120,
        firstMessageAt: '2026-11-21T14:01:00.000100Z',
        lastMessageAt: '2026-11-21T14:10:00.000100Z',
      },
      counts: { messages: 8, threadReplies: 5, threads: 1, revisions: 0, timelineEvents: 1 },
    });
    expect(manifest.files.map((f: { path: string; collector: string }) => [f.path, f.collector])).toEqual([
      ['comms-versions.jsonl', 'quell.comms'],
      ['containment-audit.jsonl', 'quell.containment'],
      ['files.jsonl', 'slack.files'],
      ['incident.json', 'quell.incident'],
      ['membership-changes.jsonl', 'slack.membership'],
      ['raw/history.jsonl', 'slack.history'],
      ['raw/message-revisions.jsonl', 'quell.revisions'],
      ['raw/replies.jsonl', 'slack.replies'],
      ['rollback-inventory.jsonl', 'quell.rollback-inventory'],
      ['timeline.jsonl', 'quell.timeline'],
      ['transcript.md', 'quell.transcript'],
      ['users.json', 'slack.users'],
    ]);
    // sources with no reader wired, and the file over no reader, are named as gaps
    expect(manifest.gaps.map((g: { source: string }) => g.source)).toEqual([
      'slack.pins',
      'slack.bookmarks',
      'slack.files',
    ]);
    expect(JSON.parse(await readFile(join(bundle, 'users.json'), 'utf8'))).toEqual([
      { id: 'U0ALICE', name: 'Alice Archer', email: null, isBot: false, deleted: false },
      { id: 'U0BOB', name: 'Bob Baker', email: null, isBot: false, deleted: false },
      { id: 'U0CAROL', name: 'Carol Chen', email: null, isBot: false, deleted: false },
      { id: 'U0DECLARER', name: 'Dana Declarer', email: null, isBot: false, deleted: false },
    ]);
    // each user looked up once by the archive, however often they appear (plus the permission check's)
    expect(
      slack
        .callsTo('users.info')
        .map((c) => c.params.user)
        .sort(),
    ).toEqual(['U0ALICE', 'U0BOB', 'U0CAROL', 'U0DECLARER', 'U0DECLARER']);

    const report = await verifyBundle(bundle, { expectedManifestSha256: outcome.manifestSha256 });
    expect(report).toMatchObject({
      ok: true,
      added: [],
      removed: [],
      changed: [],
      problems: [],
      checked: 12,
    });

    // files upload v2: one URL per file, the bytes POSTed there, then one completing call
    expect(slack.callsTo('files.getUploadURLExternal').map((c) => c.params)).toEqual([
      {
        filename: 'INC-1-evidence-v1-transcript.md',
        length: String((await stat(join(bundle, 'transcript.md'))).size),
      },
      {
        filename: 'INC-1-evidence-v1-manifest.json',
        length: String((await stat(join(bundle, 'manifest.json'))).size),
      },
    ]);
    expect(slack.fileUploads.map((u) => u.path)).toEqual(['/upload/v1/F0FILE0001', '/upload/v1/F0FILE0002']);
    expect(slack.fileUploads[0]!.body).toBe(await readFile(join(bundle, 'transcript.md'), 'utf8'));
    expect(slack.fileUploads[1]!.body).toBe(await readFile(join(bundle, 'manifest.json'), 'utf8'));
    const complete = slack.callsTo('files.completeUploadExternal')[0]!.params;
    expect(complete).toMatchObject({
      channel_id: CHANNEL,
      files: [
        { id: 'F0FILE0001', title: 'INC-1 transcript (v1)' },
        { id: 'F0FILE0002', title: 'INC-1 evidence manifest (v1)' },
      ],
    });
    expect(String(complete.initial_comment)).toContain(
      `quell evidence verify ${bundle} --expect ${outcome.manifestSha256}`,
    );
    expect(outcome.uploadedFileIds).toEqual(['F0FILE0001', 'F0FILE0002']);

    const archived = (await services.incidents.timeline('INC-1')).at(-1)!;
    expect(archived).toMatchObject({
      kind: 'evidence_archived',
      actor: 'U0DECLARER',
      data: {
        location: bundle,
        storage: 'local',
        version: 1,
        manifestSha256: outcome.manifestSha256,
        uploadedFileIds: ['F0FILE0001', 'F0FILE0002'],
        uploadError: null,
      },
    });
  });

  it('puts the containment audit and every comms record in the bundle', async () => {
    const evidence = evidenceWithSources(services, {
      containmentAudit: async (id) => [
        { seq: 1, incidentId: id, action: 'kill-switch', adapter: 'webhook', outcome: 'ok', dryRun: false },
      ],
      commsHistory: async () => [
        { record: 'draft', id: 'd1', audience: 'customers', versions: [{ version: 1 }, { version: 2 }] },
        { record: 'log', kind: 'approved', draftId: 'd1', version: 2, by: 'U0LEGAL' },
      ],
    });
    const outcome = await evidence.archive({
      incidentId: 'INC-1',
      actor: 'U0DECLARER',
      trigger: 'command',
    });
    const bundle = outcome.reservation.location;
    expect(await jsonl(join(bundle, 'containment-audit.jsonl'))).toEqual([
      {
        seq: 1,
        incidentId: 'INC-1',
        action: 'kill-switch',
        adapter: 'webhook',
        outcome: 'ok',
        dryRun: false,
      },
    ]);
    expect(await jsonl(join(bundle, 'comms-versions.jsonl'))).toHaveLength(2);
    expect(outcome.manifest.counts).toMatchObject({ containmentRecords: 1, commsRecords: 2 });
    expect((await verifyBundle(bundle)).ok).toBe(true);
  });

  it('a re-archive is a new version and leaves the first untouched; a failed upload still keeps the bundle', async () => {
    const first = await services.evidence.archive({
      incidentId: 'INC-1',
      actor: 'U0DECLARER',
      trigger: 'command',
    });
    const firstManifest = await readFile(join(first.reservation.location, 'manifest.json'), 'utf8');
    slack.failNext('files.getUploadURLExternal', 'file_uploads_disabled');
    clock.advance(60_000);
    const second = await services.evidence.archive({
      incidentId: 'INC-1',
      actor: 'U0DECLARER',
      trigger: 'command',
    });
    expect(second.reservation.version).toBe(2);
    expect(second.reservation.location).toBe(join(storage.dir, 'INC-1', 'v2'));
    expect(second.uploadError).toBe('file_uploads_disabled');
    expect(await readFile(join(first.reservation.location, 'manifest.json'), 'utf8')).toBe(firstManifest);
    expect((await verifyBundle(second.reservation.location)).ok).toBe(true);
    // the second bundle's timeline includes the first archive
    expect(second.manifest.counts.timelineEvents).toBe(2);
    expect((await services.incidents.timeline('INC-1')).at(-1)!.data.uploadError).toBe(
      'file_uploads_disabled',
    );
    expect(await readdir(join(storage.dir, '.staging'))).toEqual([]);
  });
});

function cursor(offset: number): string {
  return Buffer.from(`next_ts:${offset}`).toString('base64');
}

async function jsonl(path: string): Promise<unknown[]> {
  return (await readFile(path, 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line));
}
