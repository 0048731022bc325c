/**
 * What kind of misbehaviour an incident is, in the words responders use for AI agents. Optional on
 * an incident; security and privacy incidents are private by default (`incidents.privateByDefault`).
 */
export const INCIDENT_CATEGORIES = [
  'safety',
  'security',
  'privacy',
  'integrity',
  'compliance',
  'operational',
] as const;
export type IncidentCategory = (typeof INCIDENT_CATEGORIES)[number];

export const CATEGORY_LABELS: Record<IncidentCategory, string> = {
  safety: 'Safety / harm',
  security: 'Security (injection, exfiltration, credentials)',
  privacy: 'Privacy (PII, cross-tenant leakage)',
  integrity: 'Integrity / correctness',
  compliance: 'Compliance / policy',
  operational: 'Operational (loops, cost, outage)',
};
