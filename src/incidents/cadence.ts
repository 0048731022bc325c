import type { QuellConfig } from '../config/schema.js';
import type { Severity } from './model.js';

/** Milliseconds between structured updates for a severity, or null when it has none. */
export function cadenceFor(severity: Severity, config: QuellConfig): number | null {
  return config.severities[severity].cadence;
}

/** When the next update falls due if the clock (re)starts at `from`. */
export function nextUpdateDueFrom(severity: Severity, from: Date, config: QuellConfig): string | null {
  const cadence = cadenceFor(severity, config);
  return cadence === null ? null : new Date(from.getTime() + cadence).toISOString();
}
