import { type JobType, Queue } from 'bullmq';
import { z } from 'zod';
import { createRedisClient } from '../../redis/client.js';
import { singleNode } from '../../redis/topology.js';
import { defineCollector, fillTemplate } from '../contract.js';

/**
 * `bullmq`: a read-only snapshot of the agent's queue: waiting, delayed, paused and failed job
 * payloads, taken when the incident is declared (before any containment resumes the queue).
 * Docs: https://api.docs.bullmq.io/classes/v5.Queue.html (`getJobs(types, start, end, asc)`,
 * `getJobCounts(...)`) and https://docs.bullmq.io/guide/jobs/getters. Only getters are called: no
 * job is added, moved, retried or removed. Least privilege: a Redis ACL user with read commands on
 * `~<prefix>:<queue>:*`.
 */
const settingsSchema = z.strictObject({
  queue: z.string().min(1).default('{agent.name}'),
  prefix: z.string().min(1).default('bull'),
  /** BullMQ 5+ keeps a paused queue's jobs in its waiting list; `counts.json` says whether it is paused. */
  states: z
    .array(z.enum(['waiting', 'prioritized', 'delayed', 'failed', 'waiting-children']))
    .default(['waiting', 'prioritized', 'delayed', 'failed']),
  pageSize: z.number().int().min(1).max(5000).default(500),
});
type Settings = z.output<typeof settingsSchema>;

export const bullmqCollector = defineCollector<Settings>({
  id: 'bullmq',
  summary: "A read-only snapshot of the agent's BullMQ queue (waiting, delayed, paused, failed jobs)",
  docs: 'https://api.docs.bullmq.io/classes/v5.Queue.html',
  settingsSchema,
  secrets: { required: ['redisUrl'] },
  plan: ({ settings, window, agent }) =>
    settings.states.map((state) => ({
      method: 'REDIS',
      url: `Queue#getJobs(${state}) ${settings.prefix}:${fillTemplate(settings.queue, window, agent)}`,
      what: `${state} job payloads (read-only)`,
    })),
  async collect({ settings, secrets, window, agent, out }) {
    const name = fillTemplate(settings.queue, window, agent);
    // through Quell's one connection factory (READONLY after a failover reconnects to the master)
    const connection = createRedisClient(singleNode(secrets.redisUrl ?? ''), {
      maxRetriesPerRequest: 1,
      lazyConnect: true,
      connectTimeout: 10_000,
      commandTimeout: 10_000,
      retryStrategy: () => null,
    });
    connection.on('error', () => {});
    const queue = new Queue(name, { connection, prefix: settings.prefix });
    try {
      await queue.waitUntilReady();
      const counts = {
        ...(await queue.getJobCounts(...settings.states.map(jobType))),
        paused: await queue.isPaused(),
      };
      await out.page('counts.json', JSON.stringify(counts), {
        method: 'REDIS',
        url: `Queue#getJobCounts ${name}`,
        what: 'job counts',
      });
      for (const state of settings.states) {
        for (let start = 0, n = 1; ; start += settings.pageSize, n++) {
          const jobs = await queue.getJobs([jobType(state)], start, start + settings.pageSize - 1, true);
          if (jobs.length === 0) break;
          const lines = jobs.map((job) => JSON.stringify(job.asJSON())).join('\n');
          const file = `${state}.page-${String(n).padStart(4, '0')}.jsonl`;
          await out.page(file, `${lines}\n`, {
            method: 'REDIS',
            url: `Queue#getJobs(${state}, ${start})`,
            what: `${state} jobs`,
          });
          for (const job of jobs)
            out.event({
              at: new Date(job.timestamp).toISOString(),
              kind: 'job',
              name: job.name,
              correlation: { job_id: String(job.id), queue: name, state },
              input: JSON.stringify(job.data),
              source: { collector: 'bullmq', file },
            });
          if (!out.count(jobs.length)) return;
          if (jobs.length < settings.pageSize) break;
        }
      }
    } finally {
      await queue.close().catch(() => {});
      connection.disconnect();
    }
  },
});

/** BullMQ calls the waiting list `wait`. */
const jobType = (state: Settings['states'][number]): JobType =>
  state === 'waiting' ? 'wait' : (state as JobType);
