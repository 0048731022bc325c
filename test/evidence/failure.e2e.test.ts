import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { archiveOnResolveJob } from '../../src/evidence/auto-archive.js';
import type { JobContext } from '../../src/jobs/index.js';
import { createLogger } from '../../src/logging/logger.js';
import type { Services } from '../../src/services.js';
import { FakeSlackApi } from '../helpers/fake-slack-api.js';
import { openTestRedis } from '../helpers/redis.js';
import { TestClock } from '../helpers/services.js';
import { evidenceConfig, evidenceServices, message, tempEvidenceDir } from './helpers.js';

const CHANNEL = 'C0INC0001';

function context(attempt: number, lastAttempt: boolean): JobContext {
  return {
    jobId: 'archive-INC-1-cmd-T1',
    attempt,
    lastAttempt,
    lane: 'long',
    signal: new AbortController().signal,
    logger: createLogger('silent'),
  };
}

/** A failed archive says what failed and why at once, in the channel and on the timeline; nothing half-written stays. */
describe('archive failures are honest', () => {
  let env: Awaited<ReturnType<typeof openTestRedis>>;
  let slack: FakeSlackApi;
  let services: Services;
  let storage: Awaited<ReturnType<typeof tempEvidenceDir>>;

  beforeEach(async () => {
    env = await openTestRedis();
    storage = await tempEvidenceDir();
    slack = new FakeSlackApi({ users: [{ id: 'U0ALICE', name: 'Alice' }] });
    const clock = new TestClock();
    services = evidenceServices(
      env.redis,
      evidenceConfig(env.prefix, storage.dir, '  uploadToChannel: false'),
      clock,
    );
    await services.incidents.declare({
      title: 'Leak',
      severity: 'sev2',
      declaredBy: 'U0ALICE',
      idempotencyKey: 'k',
    });
    slack.seedChannel(CHANNEL, [message(60, 'U0ALICE', 'first')]);
    clock.advance(60_000);
  });

  afterEach(async () => {
    slack.close();
    await env.cleanup();
    await storage.remove();
  });

  it('a retryable failure is shown at once with when Quell retries; the last one offers Retry and cleans up', async () => {
    const job = archiveOnResolveJob({ evidence: services.evidence, incidents: services.incidents });
    const payload = { incidentId: 'INC-1', actor: 'U0ALICE', trigger: 'command' as const, requestKey: 'T1' };

    slack.failNext('conversations.history', 'internal_error');
    await expect(job.handle(payload, context(1, false))).rejects.toThrow();
    const posted = slack
      .callsTo('chat.postMessage')
      .filter((c) => String(c.params.text).includes('evidence'));
    expect(posted).toHaveLength(1); // the progress message, edited from now on
    const first = slack.callsTo('chat.update').at(-1)!;
    expect(String(first.params.text)).toContain(
      ':x: INC-1 evidence archive failed: Slack refused conversations.history (internal_error).',
    );
    expect(String(first.params.text)).toContain('Quell tries again by itself at <!date^');
    expect(JSON.stringify(first.params.blocks ?? '')).not.toContain('quell_evidence_retry');
    const timeline = await services.incidents.timeline('INC-1');
    expect(timeline.at(-1)).toMatchObject({
      kind: 'evidence_archive_failed',
      data: { reason: 'Slack refused conversations.history (internal_error)', attempt: 1, final: false },
    });

    slack.failNext('conversations.history', 'not_in_channel');
    await expect(job.handle(payload, context(2, true))).rejects.toThrow();
    const last = slack.callsTo('chat.update').at(-1)!;
    expect(last.params.ts).toBe(first.params.ts); // the same message, edited in place
    expect(String(last.params.text)).toContain(
      'Slack refused conversations.history (not_in_channel: Quell is not in the channel)',
    );
    expect(String(last.params.text)).toContain('Quell gave up; press Retry or run `/incident archive`.');
    expect(JSON.stringify(last.params.blocks)).toContain('quell_evidence_retry');
    expect((await services.incidents.timeline('INC-1')).at(-1)).toMatchObject({
      kind: 'evidence_archive_failed',
      data: { final: true, attempt: 2 },
    });
    // nothing half-written: no staging left, no version claimed, no run checkpoint
    expect(await readdir(join(storage.dir, '.staging'))).toEqual([]);
    expect(await readdir(storage.dir)).toEqual(['.staging']);
    expect(await env.redis.keys(`${env.prefix}:evidence:{INC-1}:run:*`)).toEqual([]);
    expect(await services.evidence.latestVerifiedBundle('INC-1')).toBeUndefined();
  });

  it('latestVerifiedBundle: the newest bundle re-verified now, and a tampered one named as such', async () => {
    const outcome = await services.evidence.archive({
      incidentId: 'INC-1',
      actor: 'U0ALICE',
      trigger: 'command',
    });
    const verified = await services.evidence.latestVerifiedBundle('INC-1');
    expect(verified).toMatchObject({
      version: 1,
      location: outcome.reservation.location,
      manifestSha256: outcome.manifestSha256,
      ok: true,
      problems: [],
    });
    const { writeFile } = await import('node:fs/promises');
    await writeFile(join(outcome.reservation.location, 'timeline.jsonl'), '{}\n');
    expect(await services.evidence.latestVerifiedBundle('INC-1')).toMatchObject({
      ok: false,
      problems: ['timeline.jsonl changed'],
    });
  });
});

describe('the Retry button', () => {
  it('queues the archive again for someone who may archive (once per click), and it completes', async () => {
    const { startHttpQuell, TEST_SIGNING_SECRET, eventually } = await import('../helpers/http-app.js');
    const { deliverToQuell, interactionBody } = await import('../helpers/signed-request.js');
    const env = await openTestRedis();
    const storage = await tempEvidenceDir();
    const slack = new FakeSlackApi({ users: [{ id: 'U0ALICE', name: 'Alice' }] });
    const clock = new TestClock();
    const quell = await startHttpQuell(
      env.redis,
      evidenceConfig(env.prefix, storage.dir, '  uploadToChannel: false'),
      clock,
    );
    try {
      await quell.services.incidents.declare({
        title: 'Leak',
        severity: 'sev2',
        declaredBy: 'U0ALICE',
        idempotencyKey: 'k',
      });
      slack.seedChannel(CHANNEL, [message(60, 'U0ALICE', 'first')]);
      const click = interactionBody({
        type: 'block_actions',
        user: { id: 'U0ALICE', username: 'alice', team_id: 'T0QUELL' },
        api_app_id: 'A0QUELL',
        team: { id: 'T0QUELL', domain: 'quell-test' },
        container: {
          type: 'message',
          message_ts: '1795269700.000100',
          channel_id: CHANNEL,
          is_ephemeral: false,
        },
        trigger_id: 'trigger-retry',
        channel: { id: CHANNEL, name: 'inc' },
        message: { type: 'message', ts: '1795269700.000100', text: 'failed' },
        response_url: 'https://hooks.slack.com/actions/T0QUELL/1/retry',
        actions: [
          {
            type: 'button',
            action_id: 'quell_evidence_retry',
            block_id: 'evidence_archive_failed',
            value: 'INC-1',
            action_ts: '1795269701.0001',
          },
        ],
      });
      const send = () => deliverToQuell(quell.url, click, { signingSecret: TEST_SIGNING_SECRET });
      expect((await send()).status).toBe(200);
      expect((await send()).status).toBe(200); // Slack's redelivery of the same click
      const archived = await eventually(async () => {
        const events = (await quell.services.incidents.timeline('INC-1')).filter(
          (e) => e.kind === 'evidence_archived',
        );
        expect(events).toHaveLength(1);
        return events[0]!;
      }, 10_000);
      expect(archived).toMatchObject({ actor: 'U0ALICE', data: { version: 1, trigger: 'command' } });
      await new Promise((r) => setTimeout(r, 300));
      expect(
        (await quell.services.incidents.timeline('INC-1')).filter((e) => e.kind === 'evidence_archived'),
      ).toHaveLength(1);
    } finally {
      await quell.stop();
      slack.close();
      await env.cleanup();
      await storage.remove();
    }
  });
});
