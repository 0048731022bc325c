import type { AlertFormat } from '../config.js';
import { parseAlertmanager } from './alertmanager.js';
import { parseGeneric } from './generic.js';
import { parseLitellm } from './litellm.js';
import type { FormatResult } from './result.js';

export { genericAlertJsonSchema } from './generic.js';
export type { FormatResult } from './result.js';

/** Each built-in format's reader, by the name a source's `format:` uses. */
export const FORMATS: Record<AlertFormat, (body: unknown) => FormatResult> = {
  alertmanager: parseAlertmanager,
  generic: parseGeneric,
  litellm: parseLitellm,
};
