import { WebClient } from '@slack/web-api';
import { vi } from 'vitest';
import type { Severity } from '../../src/incidents/model.js';
import type { Services } from '../../src/services.js';
import { commandListener } from '../../src/slack/boundary/command.js';
import { INCIDENT_COMMAND } from '../../src/slack/listeners/commands/incident/index.js';
import type { FakeSlackApi } from '../helpers/fake-slack-api.js';
import type { openTestRedis } from '../helpers/redis.js';
import { buildTestServices, TEST_BOT_TOKEN, TestClock } from '../helpers/services.js';

export const COMMANDER = 'U0COMMANDER';
export const TECH_LEAD = 'U0TECHLEAD';
export const OUTSIDER = 'U0OUTSIDER';
export const APPROVER = 'U0VPAPPROVE';

export interface ResolutionHarness {
  services: Services;
  slack: FakeSlackApi;
  clock: TestClock;
  redis: Awaited<ReturnType<typeof openTestRedis>>;
  yaml: string;
  /** Another services container on the same Redis and prefix: a second replica. */
  replica(): Services;
  declare(options?: { severity?: Severity; drill?: boolean; title?: string }): Promise<string>;
  /** Runs `/incident <text>` through the real handler as `user` in `channel`; returns ack and respond. */
  command(text: string, user: string, channel: string): Promise<{ ack: unknown; responses: unknown[] }>;
  close(): Promise<void>;
}

export async function resolutionHarness(yaml = ''): Promise<ResolutionHarness> {
  const clock = new TestClock(new Date('2026-11-21T14:00:00Z'));
  const { services, slack, redis, replica, cleanup } = await buildTestServices({
    yaml,
    clock,
    secrets: { LITELLM_MASTER_KEY: 'sk-master-abcdef0123456789', AGENT_KEY: 'sk-agent-9876543210fedcba' },
    slack: {
      users: [
        { id: COMMANDER, name: 'Cora Mander' },
        { id: TECH_LEAD, name: 'Tess Lead' },
        { id: OUTSIDER, name: 'Otto Side' },
        { id: APPROVER, name: 'Vera Prove' },
      ],
    },
  });
  let declared = 0;
  return {
    services,
    slack,
    clock,
    redis,
    yaml,
    replica,
    async declare(options = {}) {
      declared += 1;
      const { incident } = await services.incidents.declare({
        title: options.title ?? 'Support agent deletes customer mailboxes',
        severity: options.severity ?? 'sev1',
        description:
          'The support agent called mailbox.delete on 12 customer mailboxes after a prompt injection.',
        drill: options.drill ?? false,
        declaredBy: COMMANDER,
        idempotencyKey: `declare-${redis.prefix}-${declared}`,
      });
      return incident.id;
    },
    async command(text, user, channel) {
      const ack = vi.fn(async (_r?: unknown) => {});
      const respond = vi.fn(async (_m: unknown) => {});
      await commandListener(
        INCIDENT_COMMAND,
        services,
      )({
        command: {
          text,
          user_id: user,
          channel_id: channel,
          command: '/incident',
          response_url: 'https://hooks.slack.com/commands/T0QUELL/1/abc',
          trigger_id: `trigger-${Math.random()}`,
        },
        ack,
        respond,
        client: new WebClient(TEST_BOT_TOKEN, { retryConfig: { retries: 0 } }),
      } as never);
      await services.requests.drain();
      return { ack: ack.mock.calls[0]?.[0], responses: respond.mock.calls.map((c) => c[0]) };
    },
    close: cleanup,
  };
}
