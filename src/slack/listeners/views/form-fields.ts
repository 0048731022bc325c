import type { z } from 'zod';
import type { FormResult, StateValues } from '../../boundary/define.js';

/** A form field's block and action ids (see ids.ts). */
export interface FieldIds {
  block: string;
  action: string;
}

/** The text a plain-text input holds ('' when empty). */
export function textOf(values: StateValues, field: FieldIds): string {
  return values[field.block]?.[field.action]?.value ?? '';
}

/**
 * Checks read values with a zod schema; each problem is shown under the block of its field
 * (`blockOf`), the first problem per block only, anything unplaced under `fallbackBlock`.
 */
export function checkForm<S extends z.ZodType>(
  schema: S,
  raw: unknown,
  blockOf: Record<string, string>,
  fallbackBlock: string,
): FormResult<z.output<S>> {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return { ok: true, data: parsed.data };
  const errors: Record<string, string> = {};
  for (const issue of parsed.error.issues)
    errors[blockOf[String(issue.path[0])] ?? fallbackBlock] ??= issue.message;
  return { ok: false, errors };
}
