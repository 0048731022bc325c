import { randomUUID } from 'node:crypto';
import type { Clock } from '../../src/clock.js';
import type { QuellConfig } from '../../src/config/schema.js';
import type { Logger } from '../../src/logging/logger.js';
import { asCommandClient, type RedisClient } from '../../src/redis/client.js';
import { closeWithin, connectRedis } from '../../src/redis/connection.js';
import type { RedisTopology } from '../../src/redis/topology.js';
import { type Services, startWorkers } from '../../src/services.js';
import { FakeSlackApi } from './fake-slack-api.js';
import { TestClock, testConfig, testServices } from './services.js';

export interface TopologyServices {
  config: QuellConfig;
  slack: FakeSlackApi;
  /** Builds another Quell replica: its own request-path connection to the topology, own queues and workers. */
  replica(options?: { background?: boolean }): Promise<Services>;
  cleanup(): Promise<void>;
}

/**
 * Quell's services on a Redis topology (Cluster or Sentinel) exactly as main.ts builds them: the
 * request path from the connection factory, queues and workers duplicated from it. Every replica
 * runs the interactive lane (testServices) and, unless told otherwise, the background lane
 * (reminders), so prompts fire on whichever replica is there.
 */
export function topologyServices(
  topology: RedisTopology,
  options: {
    yaml?: string;
    clock?: Clock;
    slack?: ConstructorParameters<typeof FakeSlackApi>[0];
    logger?: Logger;
  } = {},
): TopologyServices {
  const config = testConfig(`topo-${randomUUID().slice(0, 8)}`, options.yaml ?? '');
  const slack = new FakeSlackApi(options.slack);
  const clock = options.clock ?? new TestClock();
  const built: { services: Services; client: RedisClient }[] = [];
  return {
    config,
    slack,
    async replica({ background = true } = {}) {
      const client = await connectRedis(topology);
      const services = testServices(
        asCommandClient(client),
        config,
        clock,
        options.logger ? { logger: options.logger } : {},
      );
      built.push({ services, client });
      if (background) await startWorkers(services, { lanes: ['background'] });
      return services;
    },
    async cleanup() {
      await Promise.all(built.map(({ services }) => services.jobs.stop(1_000).catch(() => undefined)));
      await Promise.all(built.map(({ client }) => closeWithin(client, 500)));
      slack.close();
    },
  };
}
