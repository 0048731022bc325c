import { maskSecrets } from '../logging/logger.js';

/**
 * Token shapes masked in the readable transcript (on top of the ones logs already scrub). The raw
 * transcript keeps Slack's text untouched: it is the evidence, and it is readable only by its owner.
 */
const EXTRA_SECRET_PATTERNS: readonly (RegExp | [RegExp, string])[] = [
  /\bxox[a-z]-[A-Za-z0-9-]{8,}/g, // any other Slack token family (xoxe-, xoxc-, ...)
  /\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/g, // AWS access key ids
  /\bAIza[0-9A-Za-z_-]{35}\b/g, // Google API keys
  /\bgithub_pat_[A-Za-z0-9_]{22,}/g, // GitHub fine-grained tokens
  /\b(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{16,}/g, // Stripe keys
  /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g, // JWTs
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)/g,
  [/\b(password|passwd|secret|api[_-]?key|token)(\s*[:=]\s*)\S{6,}/gi, `$1$2[REDACTED]`], // key=value
];

export const MASK = '[REDACTED]';

export function maskTranscriptSecrets(text: string): string {
  return EXTRA_SECRET_PATTERNS.reduce(
    (out, rule) => (Array.isArray(rule) ? out.replace(rule[0], rule[1]) : out.replace(rule, MASK)),
    maskSecrets(text),
  );
}
