import type { z } from 'zod';

/**
 * The one encode/decode pair for what Quell hands Slack and gets back: a modal's `private_metadata`
 * and a button's or menu option's `value`. Both are JSON; decoding never throws (bad JSON, missing
 * fields and unknown values are all just "not ours any more"), so a stale or forged payload can be
 * answered instead of crashing the request.
 */
export function encodePayload<T>(value: T): string {
  return JSON.stringify(value);
}

export function decodePayload<S extends z.ZodType>(
  schema: S,
  text: string | undefined,
): z.output<S> | undefined {
  if (!text) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  const parsed = schema.safeParse(json);
  return parsed.success ? parsed.data : undefined;
}

/** A plain value (a token, `INC-3`, `INC-3|r2`, a menu's selection) checked by its schema; undefined when it does not fit. */
export function decodeText<S extends z.ZodType>(schema: S, text: unknown): z.output<S> | undefined {
  const parsed = schema.safeParse(text);
  return parsed.success ? parsed.data : undefined;
}
