import { randomUUID } from 'node:crypto';
import { QuellError } from '../errors.js';
import type { Logger } from '../logging/logger.js';
import { metrics } from '../ops/metrics.js';

/**
 * The text a person sees for a failure: a QuellError's own message, or for anything unexpected a
 * generic line with a reference to find the logged details. Never a stack trace.
 */
export function userFacingMessage(error: unknown, logger: Logger): string {
  metrics.error(error instanceof QuellError ? error.code : undefined);
  if (error instanceof QuellError) return `:warning: ${error.userMessage}`;
  const ref = randomUUID().slice(0, 8);
  logger.error({ err: error, ref }, 'unexpected error while handling a Slack request');
  return `:x: Something went wrong on Quell's side (ref ${ref}). Nothing you did was lost; try again, and tell your Quell admins if it keeps happening.`;
}
