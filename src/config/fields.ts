import { z } from 'zod';
import { parseDuration } from './duration.js';

/**
 * Config field schemas shared by every section of the config file, so a Slack id or a duration is
 * checked (and its error worded) the same way wherever it appears.
 */

/**
 * A Slack user id: `U` or `W` (Enterprise Grid), e.g. U024BE7LH. Real ids are 9-11+ characters; the
 * minimum stays at 3 because existing config files and fixtures use short ids such as U0ONCALL.
 */
export const slackUserId = z
  .string()
  .regex(/^[UW][A-Z0-9]{2,}$/, 'must be a Slack user id such as U024BE7LH');

/** A Slack user group id, e.g. S0614TZR7. */
export const slackUsergroupId = z
  .string()
  .regex(/^S[A-Z0-9]{2,}$/, 'must be a Slack user group id such as S0614TZR7');

/** A Slack channel id: public (`C`) or private (`G`), e.g. C024BE91L. */
export const SLACK_CHANNEL_ID_PATTERN = /^[CG][A-Z0-9]{2,}$/;
export const slackChannelId = z
  .string()
  .regex(SLACK_CHANNEL_ID_PATTERN, 'must be a Slack channel id such as C024BE91L');

/** The NAME of an environment variable that holds a secret; the secret itself never goes in the file. */
export const envVarName = z
  .string()
  .regex(
    /^[A-Za-z_][A-Za-z0-9_]*$/,
    'must be the NAME of an environment variable (e.g. LITELLM_MASTER_KEY), never the secret itself',
  );

/** `15m`-style text, yielding milliseconds (parsed by config/duration.ts, the one place). */
export { durationField as duration } from './duration.js';

/** `none` (no update prompts) or a duration such as `15m`; yields milliseconds or null. */
export const cadence = z.string().transform((text, ctx): number | null => {
  if (text.trim() === 'none') return null;
  const ms = parseDuration(text);
  if (ms === undefined) {
    ctx.addIssue({
      code: 'custom',
      message: `"${text}" is not a cadence; use none or a duration such as 15m or 1h`,
    });
    return z.NEVER;
  }
  return ms;
});
