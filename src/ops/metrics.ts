import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/**
 * Every metric Quell exposes, defined here and nowhere else, in one registry (`/metrics` on the ops
 * listener). Other modules call the small typed helpers below, never prom-client directly, so names
 * and labels stay consistent and label values stay bounded (ids never become labels).
 *
 * This module imports nothing from Quell, so any module may record into it without a cycle.
 */
export const registry = new Registry();
// process_cpu_seconds_total, process_resident_memory_bytes, nodejs_eventloop_lag_seconds, ...
collectDefaultMetrics({ register: registry });

// Slack acknowledges within 3 s, so the buckets are dense below that
const ACK_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 1.5, 2, 2.5, 3, 5];
// reminders are late by scheduling jitter (ms) or by an outage (minutes)
const LATENESS_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900];
const RUN_BUCKETS = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

const ackDuration = new Histogram({
  name: 'quell_slack_ack_duration_seconds',
  help: 'Time from receiving a Slack request to acknowledging it, by surface (command, action, view, shortcut) and name (subcommand, action id, callback id).',
  labelNames: ['surface', 'name'] as const,
  buckets: ACK_BUCKETS,
  registers: [registry],
});

const requests = new Counter({
  name: 'quell_slack_requests_total',
  help: 'Slack requests acknowledged, by surface and name.',
  labelNames: ['surface', 'name'] as const,
  registers: [registry],
});

const errors = new Counter({
  name: 'quell_errors_total',
  help: 'Failures shown to a person, by error code (`unexpected` for anything not coded).',
  labelNames: ['code'] as const,
  registers: [registry],
});

const reminderLateness = new Histogram({
  name: 'quell_reminder_lateness_seconds',
  help: 'How long after its due time a reminder prompt was posted.',
  buckets: LATENESS_BUCKETS,
  registers: [registry],
});

const jobs = new Counter({
  name: 'quell_jobs_total',
  help: 'Job attempts finished, by queue, job type and outcome (completed, failed: will retry, given_up).',
  labelNames: ['queue', 'job', 'outcome'] as const,
  registers: [registry],
});

const jobDuration = new Histogram({
  name: 'quell_job_duration_seconds',
  help: 'How long a job attempt ran, by queue and job type.',
  labelNames: ['queue', 'job'] as const,
  buckets: RUN_BUCKETS,
  registers: [registry],
});

/** Set at scrape time from the queues (see `measureQueueDepth`). */
export const queueDepth = new Gauge({
  name: 'quell_queue_jobs',
  help: 'Jobs in each queue by state (waiting, active, delayed, prioritized, failed).',
  labelNames: ['queue', 'state'] as const,
  registers: [registry],
});

const slackCalls = new Counter({
  name: 'quell_slack_api_calls_total',
  help: 'Slack Web API calls made, by method and outcome (ok, error, rate_limited).',
  labelNames: ['method', 'outcome'] as const,
  registers: [registry],
});

const slackRateLimited = new Counter({
  name: 'quell_slack_api_rate_limited_total',
  help: 'Slack Web API answers with HTTP 429, by method.',
  labelNames: ['method'] as const,
  registers: [registry],
});

const slackRetries = new Counter({
  name: 'quell_slack_api_retries_total',
  help: 'Slack Web API calls retried, by method.',
  labelNames: ['method'] as const,
  registers: [registry],
});

const containmentRuns = new Counter({
  name: 'quell_containment_runs_total',
  help: 'Containment actions run, by adapter and outcome.',
  labelNames: ['adapter', 'outcome'] as const,
  registers: [registry],
});

const containmentDuration = new Histogram({
  name: 'quell_containment_run_duration_seconds',
  help: 'How long a containment action took (apply and verify), by adapter and outcome.',
  labelNames: ['adapter', 'outcome'] as const,
  buckets: RUN_BUCKETS,
  registers: [registry],
});

const archiveRuns = new Counter({
  name: 'quell_archive_runs_total',
  help: 'Evidence bundles sealed (failed archive runs: quell_jobs_total{outcome="given_up"}).',
  labelNames: ['outcome'] as const,
  registers: [registry],
});

const archiveItems = new Counter({
  name: 'quell_archive_items_total',
  help: 'Archive progress: items written into evidence bundles, by kind (message, reply, file).',
  labelNames: ['kind'] as const,
  registers: [registry],
});

const archiveBytes = new Counter({
  name: 'quell_archive_bytes_total',
  help: 'Bytes written into evidence bundles.',
  registers: [registry],
});

const collectorRuns = new Counter({
  name: 'quell_forensics_collector_runs_total',
  help: 'Forensics collector runs, by collector and outcome.',
  labelNames: ['collector', 'outcome'] as const,
  registers: [registry],
});

const collectorDuration = new Histogram({
  name: 'quell_forensics_collector_duration_seconds',
  help: 'How long a forensics collector ran, by collector.',
  labelNames: ['collector'] as const,
  buckets: RUN_BUCKETS,
  registers: [registry],
});

const redisErrors = new Counter({
  name: 'quell_redis_connection_errors_total',
  help: 'Redis connection errors, by connection (request-path, or the queue or worker name).',
  labelNames: ['connection'] as const,
  registers: [registry],
});

const redisReconnects = new Counter({
  name: 'quell_redis_reconnects_total',
  help: 'Redis reconnect attempts, by connection.',
  labelNames: ['connection'] as const,
  registers: [registry],
});

const ready = new Gauge({
  name: 'quell_ready',
  help: '1 when the last readiness check passed (what /readyz answered), else 0.',
  registers: [registry],
});

const slackAuthAge = new Gauge({
  name: 'quell_slack_auth_check_age_seconds',
  help: 'Seconds since the bot token last passed auth.test.',
  registers: [registry],
});

/** Label values come from code or config (ids, names), never free text: this keeps them bounded. */
function label(value: unknown): string {
  // forged payloads carry anything where an id belongs
  return typeof value === 'string' && value ? value.slice(0, 64) : 'unknown';
}

const seconds = (ms: number) => Math.max(0, ms) / 1000;

// names come partly from what people type (a slash command's first word): past this many, `other`
const MAX_ACK_NAMES = 200;
const ackNames = new Set<string>();
function ackName(name: string | undefined): string {
  const value = label(name);
  if (ackNames.has(value)) return value;
  if (ackNames.size >= MAX_ACK_NAMES) return 'other';
  ackNames.add(value);
  return value;
}

const alerts = new Counter({
  name: 'quell_alerts_total',
  help: 'Alerts received on /api/alerts/<source>, by source and outcome (accepted, unmatched: no rule matched, replayed, refused: bad credentials or body).',
  labelNames: ['source', 'outcome'] as const,
  registers: [registry],
});

export const metrics = {
  ack(surface: string, name: string | undefined, durationMs: number): void {
    const labels = { surface, name: ackName(name) };
    ackDuration.observe(labels, seconds(durationMs));
    requests.inc(labels);
  },
  error(code: string | undefined): void {
    errors.inc({ code: label(code ?? 'unexpected') });
  },
  reminderLate(latenessMs: number): void {
    reminderLateness.observe(seconds(latenessMs));
  },
  job(queue: string, job: string, outcome: 'completed' | 'failed' | 'given_up', durationMs?: number): void {
    jobs.inc({ queue, job: label(job), outcome });
    if (durationMs !== undefined) jobDuration.observe({ queue, job: label(job) }, seconds(durationMs));
  },
  slackCall(method: string, outcome: 'ok' | 'error' | 'rate_limited'): void {
    slackCalls.inc({ method: label(method), outcome });
    if (outcome === 'rate_limited') slackRateLimited.inc({ method: label(method) });
  },
  slackRetry(method: string): void {
    slackRetries.inc({ method: label(method) });
  },
  containmentRun(adapter: string, outcome: string, durationMs: number): void {
    const labels = { adapter: label(adapter), outcome: label(outcome) };
    containmentRuns.inc(labels);
    containmentDuration.observe(labels, seconds(durationMs));
  },
  archiveRun(outcome: 'sealed'): void {
    archiveRuns.inc({ outcome });
  },
  archived(kind: 'message' | 'reply' | 'file', count: number, bytes = 0): void {
    if (count > 0) archiveItems.inc({ kind }, count);
    if (bytes > 0) archiveBytes.inc(bytes);
  },
  collectorRun(collector: string, outcome: string, durationMs: number): void {
    collectorRuns.inc({ collector: label(collector), outcome: label(outcome) });
    collectorDuration.observe({ collector: label(collector) }, seconds(durationMs));
  },
  redisError(connection: string | undefined): void {
    redisErrors.inc({ connection: label(connection ?? 'request-path') });
  },
  redisReconnect(connection: string | undefined): void {
    redisReconnects.inc({ connection: label(connection ?? 'request-path') });
  },
  alert(source: string, outcome: 'accepted' | 'unmatched' | 'replayed' | 'refused', count = 1): void {
    if (count > 0) alerts.inc({ source: label(source), outcome }, count);
  },
  ready(isReady: boolean): void {
    ready.set(isReady ? 1 : 0);
  },
  slackAuthAge(ageMs: number | undefined): void {
    if (ageMs === undefined) slackAuthAge.reset();
    else slackAuthAge.set(seconds(ageMs));
  },
};
