import { expect } from 'vitest';
import type { SlackEmulator } from '../../src/local/emulator/emulator.js';

/**
 * Makes the emulator leave `method` unanswered for `hangMs` (every call), runs `call`, and checks
 * that it gave up within `withinMs` after exactly `tries` requests: a client that retries for half
 * an hour (the Web API client's default) fails both.
 */
export async function expectGivenUpOnHang(
  slack: SlackEmulator,
  method: string,
  call: () => Promise<unknown>,
  expected: { tries: number; withinMs: number; hangMs: number },
): Promise<void> {
  slack.hang(method, { ms: expected.hangMs, times: 10 });
  const started = Date.now();
  await expect(call()).rejects.toThrow();
  expect(Date.now() - started).toBeLessThan(expected.withinMs);
  // a hung call is counted once its late answer is sent: wait for those; a retry would add more
  await new Promise((resolve) => setTimeout(resolve, expected.hangMs + 500));
  expect(slack.callCounts()[method]).toBe(expected.tries);
}
