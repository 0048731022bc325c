import nock from 'nock';
import { afterEach, beforeAll, expect } from 'vitest';

/**
 * Strict HTTP faking for every test file: no real network (loopback only, for the private Redis and
 * the local emulator), and a test fails if it leaves a mocked request unused.
 */
beforeAll(() => {
  nock.disableNetConnect();
  nock.enableNetConnect(
    (host) => host.startsWith('127.0.0.1') || host.startsWith('localhost') || host.startsWith('[::1]'),
  );
});

afterEach(() => {
  const pending = nock.pendingMocks();
  nock.cleanAll();
  expect(pending, 'mocked HTTP requests that were never made').toEqual([]);
});
