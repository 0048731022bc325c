import { afterEach, describe, expect, it } from 'vitest';
import { startLocalQuell } from '../../src/local/harness.js';
import { LOCAL_IDS } from '../../src/local/seed.js';
import { createLogger } from '../../src/logging/logger.js';
import { confirmToken } from '../containment/harness.js';
import { eventually } from '../helpers/eventually.js';
import { openTestRedis } from '../helpers/redis.js';
import { testConfig } from '../helpers/services.js';

const CONFIG = `
severities:
  sev2: { cadence: 2s }
reminders:
  overdueAfter: 1h
  lateAfter: 1s
containment:
  actions:
    block-agent-key: { adapter: recording, description: "Block the agent's key" }
`;

/** The value of one series (summed over series whose labels include `labels`); 0 when absent. */
function value(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const match = /^([a-z_:]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const have = Object.fromEntries(
      [...(match[2] ?? '').matchAll(/([a-z_]+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]),
    );
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) sum += Number(match[3]);
  }
  return sum;
}

describe('/metrics', () => {
  let stop: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await stop?.();
  });

  it('exposes every listed metric, and their values move after a declare, a reminder, a 429 and a containment run', async () => {
    const env = await openTestRedis();
    const local = await startLocalQuell({
      config: testConfig(env.prefix, CONFIG),
      redis: env.redis,
      logger: createLogger('silent'),
      ops: { port: 0 },
    });
    stop = async () => {
      await local.stop();
      await env.cleanup();
    };
    const scrape = async () => {
      const response = await fetch(`http://127.0.0.1:${local.runtime.opsPort}/metrics`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
      return response.text();
    };
    const before = await scrape();
    for (const name of [
      'quell_slack_ack_duration_seconds',
      'quell_slack_requests_total',
      'quell_errors_total',
      'quell_reminder_lateness_seconds',
      'quell_jobs_total',
      'quell_job_duration_seconds',
      'quell_queue_jobs',
      'quell_slack_api_calls_total',
      'quell_slack_api_rate_limited_total',
      'quell_slack_api_retries_total',
      'quell_containment_runs_total',
      'quell_containment_run_duration_seconds',
      'quell_archive_runs_total',
      'quell_archive_items_total',
      'quell_archive_bytes_total',
      'quell_forensics_collector_runs_total',
      'quell_redis_connection_errors_total',
      'quell_redis_reconnects_total',
      'quell_ready',
      'process_cpu_seconds_total',
      'nodejs_eventloop_lag_seconds',
    ])
      expect(before).toContain(`# TYPE ${name} `);
    const declares = { surface: 'command', name: '/incident declare' };

    const { incident, channel } = await local.declareIncident({ title: 'Agent refunded $4,200' });
    // the first reminder prompt meets one 429 and goes out on the job's retry
    local.slack.rateLimit('chat.postMessage', { times: 1, retryAfter: 1, channel });
    const afterDeclare = await scrape();
    expect(value(afterDeclare, 'quell_slack_ack_duration_seconds_count', declares)).toBe(
      value(before, 'quell_slack_ack_duration_seconds_count', declares) + 1,
    );
    expect(value(afterDeclare, 'quell_slack_requests_total', declares)).toBe(
      value(before, 'quell_slack_requests_total', declares) + 1,
    );
    expect(value(afterDeclare, 'quell_slack_ack_duration_seconds_bucket', { ...declares, le: '3' })).toBe(
      value(afterDeclare, 'quell_slack_ack_duration_seconds_count', declares),
    );
    expect(value(afterDeclare, 'quell_jobs_total', { outcome: 'completed' })).toBeGreaterThan(
      value(before, 'quell_jobs_total', { outcome: 'completed' }),
    );
    expect(
      value(afterDeclare, 'quell_slack_api_calls_total', { method: 'conversations.create', outcome: 'ok' }),
    ).toBeGreaterThan(
      value(before, 'quell_slack_api_calls_total', { method: 'conversations.create', outcome: 'ok' }),
    );
    expect(
      value(afterDeclare, 'quell_queue_jobs', { queue: 'background', state: 'delayed' }),
    ).toBeGreaterThanOrEqual(1);

    const reminded = await eventually(async () => {
      const text = await scrape();
      expect(value(text, 'quell_reminder_lateness_seconds_count')).toBe(
        value(before, 'quell_reminder_lateness_seconds_count') + 1,
      );
      return text;
    }, 10_000);
    expect(value(reminded, 'quell_slack_api_rate_limited_total', { method: 'chat.postMessage' })).toBe(
      value(before, 'quell_slack_api_rate_limited_total', { method: 'chat.postMessage' }) + 1,
    );
    expect(value(reminded, 'quell_jobs_total', { queue: 'background', outcome: 'failed' })).toBeGreaterThan(
      value(before, 'quell_jobs_total', { queue: 'background', outcome: 'failed' }),
    );
    // the retry waited out the 1 s Retry-After, so the prompt was at least that late
    expect(value(reminded, 'quell_reminder_lateness_seconds_bucket', { le: '0.5' })).toBe(
      value(before, 'quell_reminder_lateness_seconds_bucket', { le: '0.5' }),
    );

    const containment = local.runtime.services.containment;
    const confirmation = await containment.requestRun({
      incident,
      user: LOCAL_IDS.alice,
      kind: 'action',
      name: 'block-agent-key',
      args: {},
      dryRun: false,
    });
    await containment.confirm(confirmToken(confirmation), LOCAL_IDS.alice);
    const contained = await scrape();
    const runs = { adapter: 'recording' };
    expect(value(contained, 'quell_containment_runs_total', runs)).toBe(
      value(before, 'quell_containment_runs_total', runs) + 1,
    );
    expect(value(contained, 'quell_containment_run_duration_seconds_count', runs)).toBe(
      value(before, 'quell_containment_run_duration_seconds_count', runs) + 1,
    );
  }, 40_000);
});
