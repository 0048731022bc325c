import { describe, expect, it } from 'vitest';
import { ChatError, ChatUnavailableError } from '../../src/chat/port.js';
import {
  classifyJobError,
  InvalidJobIdError,
  JobTimeoutError,
  jobIdOf,
  RETRY,
  RetryLaterError,
  retryDelay,
  UnrecoverableError,
} from '../../src/jobs/index.js';

describe('the Slack retry classifier', () => {
  it('gives permanent Slack refusals up; rate limits, 5xx, network failures and timeouts are retried', () => {
    for (const code of [
      'channel_not_found',
      'not_in_channel',
      'is_archived',
      'invalid_blocks',
      'missing_scope',
    ])
      expect(classifyJobError(new ChatError('chat.postMessage', code))).toBeInstanceOf(UnrecoverableError);
    for (const code of [
      'ratelimited',
      'internal_error',
      'fatal_error',
      'service_unavailable',
      'request_timeout',
    ])
      expect(classifyJobError(new ChatError('chat.postMessage', code))).toBeInstanceOf(RetryLaterError);
    const limited = classifyJobError(new ChatUnavailableError('chat.postMessage', 'ratelimited', 30_000));
    expect(limited).toBeInstanceOf(RetryLaterError);
    expect((limited as RetryLaterError).retryAfterMs).toBe(30_000);
    expect(classifyJobError(new ChatUnavailableError('chat.update', 'http_503'))).toBeInstanceOf(
      RetryLaterError,
    );
    expect(classifyJobError(new ChatUnavailableError('chat.update', 'unreachable'))).toBeInstanceOf(
      RetryLaterError,
    );
    expect(classifyJobError(new JobTimeoutError('declare', 60_000))).toBeInstanceOf(RetryLaterError);
    // a Redis hiccup or an unknown error costs a retry, never a lost job
    expect(classifyJobError(new Error('Connection is closed.'))).toBeInstanceOf(RetryLaterError);
    const given = new UnrecoverableError('malformed');
    expect(classifyJobError(given)).toBe(given);
  });

  it('backs off exponentially up to the policy cap, never sooner than Retry-After', () => {
    expect(retryDelay(1, RETRY.slack)).toBeLessThanOrEqual(1_000);
    expect(retryDelay(1, RETRY.slack)).toBeGreaterThanOrEqual(800);
    expect(retryDelay(4, RETRY.slack)).toBeGreaterThanOrEqual(6_400);
    expect(retryDelay(30, RETRY.slack)).toBeLessThanOrEqual(RETRY.slack.maxMs);
    expect(retryDelay(30, RETRY.slack)).toBeGreaterThanOrEqual(RETRY.slack.maxMs * 0.8);
    expect(retryDelay(1, RETRY.slack, new RetryLaterError('429', 45_000))).toBe(45_000);
    expect(retryDelay(3, RETRY.interactive)).toBeLessThanOrEqual(2_000);
  });
});

describe('job ids', () => {
  it('never contain ":" nor are plain integers (BullMQ refuses both)', () => {
    expect(jobIdOf('view', 'V0123ABCDEF:1732', 'W0123456789')).toBe('view-V0123ABCDEF_1732-W0123456789');
    expect(jobIdOf('action', '1732000000.123456')).toBe('action-1732000000_123456');
    expect(() => jobIdOf('42')).toThrow(InvalidJobIdError);
    expect(() => jobIdOf('')).toThrow(InvalidJobIdError);
    expect(() => jobIdOf('x'.repeat(600))).toThrow(InvalidJobIdError);
  });
});
