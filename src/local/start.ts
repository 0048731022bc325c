import type { Env } from '../config/env.js';
import type { QuellConfig } from '../config/schema.js';
import type { Logger } from '../logging/logger.js';

export interface LocalWorkspaceOptions {
  env: Env;
  config: QuellConfig;
  logger: Logger;
}

export async function startLocalWorkspace(_options: LocalWorkspaceOptions): Promise<void> {
  throw new Error(
    'The local workspace is not built yet: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET or SLACK_APP_TOKEN.',
  );
}
