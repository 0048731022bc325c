/** Slack's cursor pagination and history windows (oldest/latest/inclusive, newest first). */
import { type EmuMessage, lowerBound } from '../workspace.js';
import { type Params, SlackApiError } from './params.js';

export function encodeCursor(kind: string, value: string | number): string {
  return Buffer.from(`${kind}:${value}`).toString('base64');
}

export function decodeCursor(cursor: string | undefined, kind: string): string | undefined {
  if (!cursor) return undefined;
  const decoded = Buffer.from(cursor, 'base64').toString('utf8');
  if (!decoded.startsWith(`${kind}:`)) throw new SlackApiError('invalid_cursor');
  return decoded.slice(kind.length + 1);
}

export function clampLimit(params: Params, fallback: number, max: number): number {
  const limit = params.int('limit', fallback);
  if (Number.isNaN(limit)) throw new SlackApiError('invalid_limit');
  if (limit <= 0) return fallback;
  return Math.min(limit, max);
}

export function historyPage(
  messages: readonly EmuMessage[],
  params: Params,
  options: { newestFirst: boolean; max: number; fallback: number },
): { page: EmuMessage[]; nextCursor: string | undefined } {
  const limit = clampLimit(params, options.fallback, options.max);
  const inclusive = params.bool('inclusive');
  const oldest = params.str('oldest');
  const latest = params.str('latest');
  if (oldest !== undefined && oldest !== '' && Number.isNaN(Number(oldest)))
    throw new SlackApiError('invalid_ts_oldest');
  if (latest !== undefined && latest !== '' && Number.isNaN(Number(latest)))
    throw new SlackApiError('invalid_ts_latest');
  const cursorTs = decodeCursor(params.str('cursor'), 'next_ts');
  if (cursorTs !== undefined && Number.isNaN(Number(cursorTs))) throw new SlackApiError('invalid_cursor');
  const inRange = (m: EmuMessage) => {
    const t = Number(m.ts);
    if (oldest && Number(oldest) > 0 && (inclusive ? t < Number(oldest) : t <= Number(oldest))) return false;
    if (latest && Number(latest) > 0 && (inclusive ? t > Number(latest) : t >= Number(latest))) return false;
    return true;
  };
  if (options.newestFirst) {
    // walk back from the newest message (or the cursor) towards the oldest
    let index = cursorTs !== undefined ? lowerBound(messages, cursorTs) : messages.length - 1;
    if (cursorTs !== undefined && messages[index]?.ts !== cursorTs) index -= 1;
    const page: EmuMessage[] = [];
    for (; index >= 0 && page.length < limit; index--) {
      const message = messages[index]!;
      if (inRange(message)) page.push(message);
      else if (oldest && Number(message.ts) <= Number(oldest)) break;
    }
    let next: EmuMessage | undefined;
    for (; index >= 0; index--) {
      if (inRange(messages[index]!)) {
        next = messages[index];
        break;
      }
      if (oldest && Number(messages[index]!.ts) <= Number(oldest)) break;
    }
    return { page, nextCursor: next ? encodeCursor('next_ts', next.ts) : undefined };
  }
  const start = cursorTs !== undefined ? lowerBound(messages, cursorTs) : 0;
  const matching = messages.slice(start).filter(inRange);
  return {
    page: matching.slice(0, limit),
    nextCursor: matching[limit] ? encodeCursor('next_ts', matching[limit]!.ts) : undefined,
  };
}
