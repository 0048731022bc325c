import type { z } from 'zod';
import type { NormalizedAlert } from '../model.js';

/** What a format makes of a body: the alerts in it, or why it is not one (the 400's reason). */
export type FormatResult = { ok: true; alerts: NormalizedAlert[] } | { ok: false; reason: string };

/** Zod issues as one line a sender can act on: `alerts.0.labels: expected record; ...` (first three). */
export function issuesText(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.length ? `${issue.path.join('.')}: ` : ''}${issue.message}`)
    .join('; ');
}
