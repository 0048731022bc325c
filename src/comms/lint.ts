import { findLiveMarkup } from '../text/safe-text.js';
import type { BannedPhrase, PhraseCondition } from './config.js';
import { FIELD_NAMES, type IncidentFacts } from './fields.js';
import { MISSING_MARKER_PATTERN } from './templates.js';

/**
 * Checks a message before anyone approves it. Pure: the text, the audience's kind and facts about the
 * incident in, findings out. Errors block approval; warnings need an explicit, recorded override.
 */
export type LintLevel = 'error' | 'warning';

export const LINT_RULES = ['unfilled', 'banned-phrase', 'secret', 'root-cause', 'live-markup'] as const;
export type LintRule = (typeof LINT_RULES)[number];

export interface LintFinding {
  rule: LintRule;
  level: LintLevel;
  message: string;
}

export interface LintContext {
  facts: IncidentFacts;
  /** The audience is outside the company (customers, regulators, the public). */
  external: boolean;
  bannedPhrases: readonly BannedPhrase[];
}

/** Token shapes worth never publishing. The finding names the kind, never the value. */
const SECRET_PATTERNS: readonly { kind: string; pattern: RegExp }[] = [
  { kind: 'Slack token', pattern: /\bxox[abposre]-[A-Za-z0-9-]{8,}/ },
  { kind: 'Slack app token', pattern: /\bxapp-\d-[A-Za-z0-9-]{8,}/ },
  { kind: 'Slack webhook URL', pattern: /hooks\.slack\.com\/(services|workflows)\/[A-Za-z0-9/_-]{10,}/ },
  { kind: 'AWS access key id', pattern: /\b(AKIA|ASIA)[0-9A-Z]{16}\b/ },
  { kind: 'GitHub token', pattern: /\b(gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,})/ },
  { kind: 'API key (sk-…)', pattern: /\bsk-(ant-|proj-|live-|test-)?[A-Za-z0-9_-]{20,}/ },
  { kind: 'Google API key', pattern: /\bAIza[0-9A-Za-z_-]{35}\b/ },
  { kind: 'JSON web token', pattern: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/ },
  { kind: 'private key', pattern: /-----BEGIN [A-Z ]*PRIVATE KEY-----/ },
  { kind: 'bearer token', pattern: /\bBearer\s+[A-Za-z0-9._~+/-]{20,}=*/ },
  {
    kind: 'credential assignment',
    pattern:
      /\b(api[_-]?key|secret|password|passwd|access[_-]?token|auth[_-]?token)\s*[:=]\s*["']?[^\s"']{8,}/i,
  },
];

/** Statements of cause. Customer-facing text must not claim a cause that has not been confirmed. */
const ROOT_CAUSE_CLAIMS =
  /\b(root[\s-]cause\s+(was|is|has\s+been\s+identified\s+as)\b(?!\s+(not|still|unknown|under|being|yet))|was\s+caused\s+by|were\s+caused\s+by|is\s+caused\s+by|the\s+cause\s+(was|is)|caused\s+by\s+(a|an|the)|stemm(ed|ing)\s+from|resulted\s+from|traced\s+(it\s+|this\s+|the\s+\w+\s+)?(back\s+)?to|due\s+to\s+(a|an|the)\s+(bug|defect|misconfiguration|flaw|error|change|regression|prompt|model))\b/i;

const PLACEHOLDERS = /\b(TBD|TODO|FIXME|XXX)\b|\?\?\?/;

function conditionsHold(when: readonly PhraseCondition[], context: LintContext): boolean {
  return when.every((condition) => {
    switch (condition) {
      case 'incident-open':
        return context.facts.open;
      case 'side-effects':
        return context.facts.sideEffects;
      case 'external':
        return context.external;
      default:
        return false;
    }
  });
}

const phraseRegexCache = new Map<string, RegExp>();
function phraseRegex(banned: BannedPhrase): RegExp {
  const key = banned.pattern ? `p:${banned.pattern}` : `w:${banned.phrase}`;
  let regex = phraseRegexCache.get(key);
  if (!regex) {
    const source = banned.pattern
      ? banned.pattern
      : `(?<![\\p{L}\\p{N}])${banned
          .phrase!.trim()
          .split(/\s+/)
          .map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
          .join('\\s+')}(?![\\p{L}\\p{N}])`;
    regex = new RegExp(source, 'iu');
    phraseRegexCache.set(key, regex);
  }
  return regex;
}

export function lintMessage(text: string, context: LintContext): LintFinding[] {
  const findings: LintFinding[] = [];

  const missing = [...text.matchAll(MISSING_MARKER_PATTERN)].map((m) => m[1]!);
  for (const field of new Set(missing))
    findings.push({
      rule: 'unfilled',
      level: 'error',
      message: (FIELD_NAMES as string[]).includes(field)
        ? `${field} has no value yet: write it in (Edit), or record it on the incident and draft again.`
        : `Fill in: ${field} (Edit).`,
    });
  // Braces are text: a title or an edit may well contain "{{" or "{%" (the template rendered, or
  // failed to load, long before lint runs), so they are never a finding.
  const placeholder = PLACEHOLDERS.exec(text);
  if (placeholder)
    findings.push({
      rule: 'unfilled',
      level: 'error',
      message: `The text still contains the placeholder "${placeholder[0]}".`,
    });

  for (const banned of context.bannedPhrases) {
    if (!conditionsHold(banned.when, context)) continue;
    const match = phraseRegex(banned).exec(text);
    if (match)
      findings.push({
        rule: 'banned-phrase',
        level: banned.level,
        message: `"${match[0]}": ${banned.reason}`,
      });
  }

  for (const { kind, pattern } of SECRET_PATTERNS) {
    if (pattern.test(text))
      findings.push({
        rule: 'secret',
        level: 'error',
        message: `The text contains what looks like a ${kind}. Remove it; if it is real, revoke it.`,
      });
  }

  for (const markup of new Set(liveMarkup(text, context.facts.ownMentions ?? [])))
    findings.push({ rule: 'live-markup', level: 'error', message: liveMarkupMessage(markup) });

  if (context.external && !context.facts.rootCauseConfirmed) {
    const claim = ROOT_CAUSE_CLAIMS.exec(text);
    if (claim)
      findings.push({
        rule: 'root-cause',
        level: 'warning',
        message: `"${claim[0]}" states a cause, but no root cause is confirmed yet (\`/comms root-cause\`). Say what is known and that the investigation continues.`,
      });
  }
  return findings;
}

/**
 * Sequences that would ping or mislead when published: `<!channel>`, `<!here>`, `<!everyone>`,
 * `<!subteam^…>`, mentions of anyone but Quell's own role holders, and masked links (a label
 * hiding its URL). Channel links, date tokens and plain `<https://…>` links are fine.
 */
function liveMarkup(text: string, ownMentions: readonly string[]): string[] {
  return findLiveMarkup(text).filter((markup) => {
    const inner = markup.slice(1, -1);
    if (inner.startsWith('#') || inner.startsWith('!date^')) return false;
    if (inner.startsWith('@')) return !ownMentions.includes(inner.slice(1).split('|')[0]!);
    if (inner.startsWith('!')) return true;
    return inner.includes('|') && inner.split('|')[1] !== inner.split('|')[0];
  });
}

function liveMarkupMessage(markup: string): string {
  const inner = markup.slice(1, -1);
  const shown = `\`${markup.replace(/`/g, "'")}\``;
  if (inner.startsWith('!subteam^'))
    return `${shown} would ping a whole user group. Write the group's name instead.`;
  if (inner.startsWith('!')) return `${shown} would ping everyone in the channel. Remove it.`;
  if (inner.startsWith('@'))
    return `${shown} would ping someone who holds no role in this incident. Write their name instead.`;
  return `${shown} is a link whose label hides where it goes. Show the URL itself.`;
}

export function errorsOf(findings: readonly LintFinding[]): LintFinding[] {
  return findings.filter((f) => f.level === 'error');
}

export function warningsOf(findings: readonly LintFinding[]): LintFinding[] {
  return findings.filter((f) => f.level === 'warning');
}

export function describeFindings(findings: readonly LintFinding[]): string {
  const errors = errorsOf(findings).length;
  const warnings = warningsOf(findings).length;
  if (errors === 0 && warnings === 0) return 'lint clean';
  const parts = [];
  if (errors) parts.push(`${errors} lint error${errors === 1 ? '' : 's'}`);
  if (warnings) parts.push(`${warnings} warning${warnings === 1 ? '' : 's'}`);
  return parts.join(', ');
}
