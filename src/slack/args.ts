import { z } from 'zod';
import { UsageError } from '../errors.js';
import { SEVERITIES, type Severity } from '../incidents/model.js';

/** Splits command text on whitespace; the rest-of-line helpers keep the original spacing. */
export function tokenize(text: string): string[] {
  return text.trim().split(/\s+/).filter(Boolean);
}

/** Text after the first `count` tokens, spacing preserved. */
export function restAfter(text: string, count: number): string {
  let rest = text.trim();
  for (let i = 0; i < count; i++) rest = rest.replace(/^\S+\s*/, '');
  return rest.trim();
}

const severityArg = z
  .string()
  .transform((s) => s.toLowerCase().replace(/^sev-?/, 'sev'))
  .pipe(z.enum(SEVERITIES));

/** `sev1`, `SEV1`, `sev-1` all mean sev1. */
export function parseSeverity(token: string | undefined, usage: string): Severity {
  const result = severityArg.safeParse(token ?? '');
  if (!result.success)
    throw new UsageError(
      token ? `"${token}" is not a severity; use one of ${SEVERITIES.join(', ')}.` : 'Give a severity.',
      usage,
    );
  return result.data;
}

/** One of a fixed list, with an error that lists the choices. */
export function parseChoice<T extends string>(
  token: string | undefined,
  choices: readonly T[],
  what: string,
  usage: string,
): T {
  const value = token?.toLowerCase();
  if (value && (choices as readonly string[]).includes(value)) return value as T;
  const given = token ? `"${token}" is not a ${what}` : `Give a ${what}`;
  throw new UsageError(`${given}; use one of ${choices.join(', ')}.`, usage);
}

const USER_MENTION = /^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$/;

/**
 * A user mention as Slack escapes it in command text (`<@U123|name>`, with the command's
 * "escape channels, users and links" setting on). Anything else, e.g. a channel or group, is refused.
 */
export function parseUserMention(token: string | undefined, usage: string): string {
  const match = USER_MENTION.exec(token ?? '');
  if (match) return match[1]!;
  if (!token) throw new UsageError('Mention the person, e.g. @alex.', usage);
  if (token.startsWith('<!subteam^'))
    throw new UsageError('Roles go to one person, not a user group.', usage);
  if (token.startsWith('<#')) throw new UsageError('Roles go to a person, not a channel.', usage);
  throw new UsageError(
    `"${token}" is not a person; mention someone with @ and pick them from the list.`,
    usage,
  );
}

export function requireText(text: string, what: string, usage: string): string {
  if (!text) throw new UsageError(`Give ${what}.`, usage);
  return text;
}
