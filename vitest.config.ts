import { defineConfig } from 'vitest/config';

// Three kinds of test, told apart by file name so a test says what it needs:
//   *.test.ts      unit: pure functions, no Redis, no network (no Redis is provided to them)
//   *.int.test.ts  integration: services against a private real Redis and nock-faked HTTP
//   *.e2e.test.ts  end to end: the app over HTTP or Socket Mode, the emulator, child processes, Chromium
const INTEGRATION = 'test/**/*.int.test.ts';
const E2E = 'test/**/*.e2e.test.ts';

export default defineConfig({
  test: {
    reporters: ['default', './test/helpers/plain-summary-reporter.ts'],
    setupFiles: ['test/helpers/strict-nock.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: 'forks',
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: [INTEGRATION, E2E] },
      },
      {
        extends: true,
        test: { name: 'integration', include: [INTEGRATION], globalSetup: ['test/helpers/global-setup.ts'] },
      },
      {
        extends: true,
        test: { name: 'e2e', include: [E2E], globalSetup: ['test/helpers/global-setup.ts'] },
      },
    ],
  },
});
