import type { ChatPort } from '../../src/chat/port.js';
import { systemClock } from '../../src/clock.js';
import type { QuellConfig } from '../../src/config/schema.js';
import { PostGuard } from '../../src/jobs/index.js';
import { createLogger } from '../../src/logging/logger.js';
import { reminderKeys } from '../../src/reminders/keys.js';
import { ReminderPrompter, type ReminderPrompterDeps } from '../../src/reminders/prompter.js';
import { type Services, startWorkers } from '../../src/services.js';
import { reminderViews } from '../../src/slack/blocks/reminders.js';
import { ACTIONS } from '../../src/slack/ids.js';
import type { FakeSlackApi, SlackCall } from '../helpers/fake-slack-api.js';
import { buildTestServices, testBackgroundChat } from '../helpers/services.js';

/**
 * Short cadences, real time, real Redis, faked Slack: what every reminder test starts from.
 * Escalation is pushed out of the way unless a test asks for it.
 */
export const FAST_CADENCES = `
severities:
  sev1: { cadence: 2s }
  sev2: { cadence: 3s }
  sev3: { cadence: 1h }
reminders:
  overdueAfter: 1h
  lateAfter: 1s
  snoozeChoices: [1s, 10m]
`;

export interface ReminderHarness {
  services: Services;
  config: QuellConfig;
  slack: FakeSlackApi;
  /** Background-lane workers on the shared Redis (calling it again behaves like another replica). */
  startWorker(name?: string): Promise<void>;
  /** Services as a second Quell process would build them: same Redis and prefix, own connections. */
  replica(): Services;
  /** A prompter of its own, to run a job's handler directly (as a redelivered job would). */
  prompter(chat?: ChatPort, extra?: Partial<ReminderPrompterDeps>): ReminderPrompter;
  cleanup(): Promise<void>;
}

export const backgroundChat = testBackgroundChat;

/** The posting lease of `ReminderHarness.prompter()`'s post guard. */
export const PROMPTER_LEASE_MS = 300;

/** Starts the background lane (reminders, overdue actions) of `services`, as a replica would. */
export function startBackgroundWorker(services: Services, name?: string): Promise<void> {
  return startWorkers(services, { lanes: ['background'], ...(name ? { name } : {}) });
}

export async function reminderHarness(yaml = FAST_CADENCES): Promise<ReminderHarness> {
  const { services, config, slack, redis, replica, cleanup } = await buildTestServices({
    yaml,
    clock: systemClock,
  });
  return {
    services,
    config,
    slack,
    startWorker: (name) => startBackgroundWorker(services, name),
    replica,
    prompter: (chat = backgroundChat(), extra = {}) =>
      new ReminderPrompter({
        store: services.store,
        incidents: services.incidents,
        chat,
        views: reminderViews(config),
        queue: services.reminders.queue,
        // a short posting lease, so a test can wait out an uncertain post instead of a minute
        guard: new PostGuard(redis.redis, reminderKeys(config.redis.keyPrefix).postGuard, {
          postingLeaseMs: PROMPTER_LEASE_MS,
        }),
        config,
        clock: systemClock,
        logger: createLogger('silent'),
        ...extra,
      }),
    cleanup,
  };
}

function blocksText(call: SlackCall): string {
  return JSON.stringify(call.params.blocks ?? '');
}

/** Update prompts Quell posted, in order (escalations excluded). */
export function promptsIn(slack: FakeSlackApi): SlackCall[] {
  return slack
    .callsTo('chat.postMessage')
    .filter(
      (c) => blocksText(c).includes(ACTIONS.postUpdate) && String(c.params.text).includes('update due for'),
    );
}

export function escalationsIn(slack: FakeSlackApi): SlackCall[] {
  return slack.callsTo('chat.postMessage').filter((c) => String(c.params.text).includes('update overdue'));
}

export { eventually } from '../helpers/eventually.js';

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
