import { ChatError, ChatUnavailableError } from '../chat/port.js';
import { BundleExistsError } from './storage/port.js';

/** What failed and why, in one sentence a responder can act on (never a secret, never a stack). */
export function describeArchiveError(error: unknown): string {
  if (error instanceof ChatError) {
    const hint: Record<string, string> = {
      not_in_channel: 'Quell is not in the channel',
      channel_not_found: 'Slack cannot find the channel (for a private channel Quell must be a member)',
      missing_scope: 'the app lacks a scope for this read; reinstall it with the manifest',
      invalid_auth: "Slack refused Quell's token",
      ratelimited: "Slack's rate limit",
    };
    return `Slack refused ${error.method} (${error.code}${hint[error.code] ? `: ${hint[error.code]}` : ''})`;
  }
  if (error instanceof ChatUnavailableError) return `Slack did not answer ${error.method} (${error.reason})`;
  if ((error as Error)?.name === 'S3Error') return (error as Error).message;
  if (error instanceof BundleExistsError) return error.message;
  const code = (error as NodeJS.ErrnoException)?.code;
  if (code === 'ENOSPC') return 'the evidence disk is full (ENOSPC) while writing the bundle';
  if (code === 'EACCES' || code === 'EPERM') return `the evidence directory is not writable (${code})`;
  if (code === 'EDQUOT') return 'the evidence disk quota is used up (EDQUOT)';
  const message = (error as Error)?.message ?? String(error);
  return message.replace(/\s+/g, ' ').slice(0, 300);
}
