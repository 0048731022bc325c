import type { SlackEmulatorOptions } from '../../src/local/emulator/emulator.js';
import type { LocalQuell } from '../../src/local/harness.js';
import { startLocalSlack } from '../helpers/local-slack.js';

/** Quell connected to the local Slack over Socket Mode, on the private test Redis (own key prefix). */
export function startSocketModeSlack(
  options: { configYaml?: string; emulator?: SlackEmulatorOptions } = {},
): Promise<LocalQuell & { prefix: string }> {
  return startLocalSlack({ ...options, transport: 'socket' });
}
