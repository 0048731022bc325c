import { maskSecrets } from '../logging/logger.js';

/**
 * The secrets policy's readable half: the raw export keeps what Slack returned (it is evidence; the
 * bundle is access-controlled and signed), and every readable view masks secrets with these
 * patterns (on top of the ones logs already scrub). Patterns follow the shapes of widely used
 * secret scanners (gitleaks' rule set): fixed-prefix tokens are masked anywhere, shapeless ones
 * (AWS secret keys, passwords) only beside the name that says what they are, so ordinary incident
 * chatter ("token: expired-yesterday", a 40-hex commit id) stays readable.
 */
export const MASK = '[REDACTED]';

type Rule = RegExp | { pattern: RegExp; replace: (match: string, ...groups: string[]) => string };

/** A value after `password:` / `token=` that looks like a secret, not like words about one. */
function looksSecret(value: string): boolean {
  const v = value.replace(/^["']|["',;.]$/g, '');
  if (v.length < 6) return false;
  if (/^(?:\[redacted\]|\*+|x+|<[^>]*>|\$\{[^}]*\}|null|none|n\/a|redacted|changeme)$/i.test(v)) return false;
  // plain words joined by dashes/underscores ("expired-yesterday", "rotated_today") are chatter
  if (/^[a-z]+(?:[-_][a-z]+)*$/.test(v)) return false;
  return true;
}

const KEY_NAMES =
  'password|passwd|pwd|pass|secret|client[_-]?secret|api[_-]?key|apikey|access[_-]?key|secret[_-]?key|private[_-]?key|access[_-]?token|refresh[_-]?token|auth[_-]?token|token|credentials?';

export const SECRET_RULES: readonly Rule[] = [
  /\bxox[a-z]-[A-Za-z0-9-]{8,}/g, // any other Slack token family (xoxe-, xoxc-, ...)
  /\bxapp-\d-[A-Za-z0-9-]{8,}/g, // Slack app-level tokens
  // Slack incoming webhooks and workflow triggers: the path is the secret
  /\bhttps:\/\/hooks\.slack(?:-gov)?\.com\/(?:services|workflows|triggers)\/[A-Za-z0-9_/-]{8,}/g,
  /\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\b/g, // AWS access key ids
  // AWS secret access keys: 40 base64 characters, beside their name or right after a key id
  {
    pattern:
      /\b(aws[_-]?secret(?:[_-]?access)?[_-]?key|secret[_-]?access[_-]?key|SecretAccessKey)(["']?\s*[:=]\s*["']?|\s+)([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+])/gi,
    replace: (_m, name, sep) => `${name}${sep}${MASK}`,
  },
  {
    pattern: /(\[REDACTED\][\s,:;|/]+)([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])/g,
    replace: (_m, before) => `${before}${MASK}`,
  },
  /\bAIza[0-9A-Za-z_-]{35}\b/g, // Google API keys
  /\bgithub_pat_[A-Za-z0-9_]{22,}/g, // GitHub fine-grained tokens
  /\bglpat-[A-Za-z0-9_-]{20,}/g, // GitLab personal tokens
  /\b(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{16,}/g, // Stripe keys
  /\bSG\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}/g, // SendGrid
  /\bnpm_[A-Za-z0-9]{36}\b/g, // npm tokens
  /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g, // JWTs
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)/g,
  // passwords in URLs: scheme://user:PASSWORD@host (databases, brokers, proxies)
  {
    pattern: /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:)([^\s@/]+)(@)/gi,
    replace: (_m, before, password, at) =>
      password === MASK ? `${before}${password}${at}` : `${before}${MASK}${at}`,
  },
  // name: value / name=value, where the value looks like a secret
  {
    pattern: new RegExp(`\\b(${KEY_NAMES})(["']?\\s*[:=]\\s*["']?)([^\\s"',;]+)`, 'gi'),
    replace: (match, name, sep, value) =>
      looksSecret(value) && value !== MASK ? `${name}${sep}${MASK}` : match,
  },
];

export function maskTranscriptSecrets(text: string): string {
  return SECRET_RULES.reduce<string>(
    (out, rule) =>
      rule instanceof RegExp
        ? out.replace(rule, MASK)
        : out.replace(rule.pattern, rule.replace as (substring: string, ...args: unknown[]) => string),
    maskSecrets(text),
  );
}
