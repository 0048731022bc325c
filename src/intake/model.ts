import type { Severity } from '../incidents/model.js';

/**
 * One alert as every format reads it: the sender's identity for it (fingerprint), whether it is
 * firing or resolved, when it started, and the labels rules match on. Formats (src/intake/formats)
 * turn a vendor's body into a list of these; nothing downstream knows the vendor.
 */
export interface NormalizedAlert {
  /** Stable across repeats of the same alert: the sender's fingerprint, or one derived from its labels. */
  fingerprint: string;
  status: 'firing' | 'resolved';
  /** When the sender says it started (ISO 8601), if it says. With the fingerprint: the replay key. */
  startsAt?: string;
  /** Label-like strings rules match on (Alertmanager labels, the generic schema's labels). */
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** Format-specific values for rules and templates (LiteLLM's spend, max_budget, event...). */
  fields: Record<string, string>;
  /** One line for people: the summary annotation, the event message... */
  summary: string;
  /** Where the sender shows it (generatorURL, a dashboard), if given. */
  url?: string;
}

/** Fingerprints end up in Redis keys, job ids and Slack text: a safe alphabet, bounded. */
export const FINGERPRINT_PATTERN = /^[A-Za-z0-9._-]{1,128}$/;

/**
 * Whoever is on call for a rule's reference (a PagerDuty schedule or escalation policy), as a Slack
 * user id. The pager module (src/paging, the paging engineer's) implements it: PagerDuty's on-calls
 * REST API, the person mapped to Slack by email (`users.lookupByEmail`). Intake only asks.
 *
 *   interface OnCallResolver {
 *     onCall(reference: { schedule?: string; escalationPolicy?: string },
 *            context: { ruleId: string; severity: Severity; drill: boolean }): Promise<string | undefined>;
 *   }
 *
 * Resolves to undefined when nobody is on call; rejects when the pager could not be asked (the
 * incident is declared without a commander and the timeline says why).
 */
export interface OnCallResolver {
  onCall(reference: OnCallReference, context: OnCallContext): Promise<string | undefined>;
}

export interface OnCallReference {
  schedule?: string;
  escalationPolicy?: string;
}

export interface OnCallContext {
  ruleId: string;
  severity: Severity;
  drill: boolean;
}

/** The actor an alert rule acts as (timeline, containment audit): "Quell on alert <id>". */
export { alertActor } from '../incidents/model.js';
