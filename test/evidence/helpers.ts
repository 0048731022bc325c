import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebClient } from '@slack/web-api';
import type { Redis } from 'ioredis';
import type { QuellConfig } from '../../src/config/schema.js';
import { createEvidenceService } from '../../src/evidence/index.js';
import type { EvidenceService } from '../../src/evidence/service.js';
import type { EvidenceSources } from '../../src/evidence/sources.js';
import type { Services } from '../../src/services.js';
import { SlackWebChat } from '../../src/slack/web-chat.js';
import type { SeededMessage } from '../helpers/fake-slack-api.js';
import { TEST_BOT_TOKEN, type TestClock, testConfig, testServices } from '../helpers/services.js';

/**
 * Services whose WebClient keeps the production retry policy (the default one, as in runtime.ts):
 * a 429 is waited out for its Retry-After and the same request sent again.
 */
export function evidenceServices(redis: Redis, config: QuellConfig, clock: TestClock): Services {
  return testServices(redis, config, clock, { chat: new SlackWebChat(new WebClient(TEST_BOT_TOKEN)) });
}

/** An evidence service beside `services` (same Redis, chat and incidents) whose bundle reads `sources`. */
export function evidenceWithSources(services: Services, sources: Partial<EvidenceSources>): EvidenceService {
  const { config, chat, incidents, store, redis, clock, logger } = services;
  return createEvidenceService({ config, chat, incidents, store, redis, clock, logger, sources });
}

export async function tempEvidenceDir(): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'quell-evidence-test-'));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

export function evidenceConfig(prefix: string, dir: string, extra = ''): QuellConfig {
  return testConfig(
    prefix,
    `evidence:
  storage:
    directory: ${JSON.stringify(dir)}
  historyPageSize: 3
  repliesPageSize: 2
${extra}`,
  );
}

/** A ts `seconds` after 2026-11-21T14:00:00Z (when TestClock starts), with a distinct fraction. */
export function tsAt(seconds: number, micro = 100): string {
  return `${1795269600 + seconds}.${String(micro).padStart(6, '0')}`;
}

export function message(
  seconds: number,
  user: string,
  text: string,
  extra: Record<string, unknown> = {},
): SeededMessage {
  return { type: 'message', user, text, ts: tsAt(seconds), ...extra };
}
