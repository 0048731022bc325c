import { describe, expect, it } from 'vitest';
import { bannedPhrasesOf, commsConfigSchema, DEFAULT_BANNED_PHRASES } from '../../src/comms/config.js';
import type { IncidentFacts } from '../../src/comms/fields.js';
import { type LintContext, type LintFinding, lintMessage } from '../../src/comms/lint.js';

const OPEN_WITH_SIDE_EFFECTS: IncidentFacts = { open: true, sideEffects: true, rootCauseConfirmed: false };

function lint(
  text: string,
  overrides: Omit<Partial<LintContext>, 'facts'> & { facts?: Partial<IncidentFacts> } = {},
) {
  return lintMessage(text, {
    external: overrides.external ?? false,
    bannedPhrases: overrides.bannedPhrases ?? DEFAULT_BANNED_PHRASES,
    facts: { ...OPEN_WITH_SIDE_EFFECTS, ...overrides.facts },
  });
}

const rules = (findings: LintFinding[]) => findings.map((f) => `${f.rule}/${f.level}`);
const CLEAN =
  'The agent sent 41 emails to the wrong customers. Sending is disabled. Next update by 14:30 UTC.';

describe('lint', () => {
  it('finds nothing in a plain, factual message', () => {
    expect(lint(CLEAN)).toEqual([]);
    expect(lint(CLEAN, { external: true })).toEqual([]);
  });

  describe('unfilled fields', () => {
    it('errors on [[missing: …]] markers and placeholders, never on braces', () => {
      expect(lint('Impact: [[missing: update.impact]]')).toEqual([
        {
          rule: 'unfilled',
          level: 'error',
          message:
            'update.impact has no value yet: write it in (Edit), or record it on the incident and draft again.',
        },
      ]);
      expect(lint('For you: [[missing: what customers should do]]')[0]!.message).toBe(
        'Fill in: what customers should do (Edit).',
      );
      // braces are people's text, never a finding (a title may well contain "{{")
      expect(rules(lint('Impact: {{ update.impact }} {% if %}'))).toEqual([]);
      expect(rules(lint('Affected accounts: TBD'))).toEqual(['unfilled/error']);
    });
    it('does not mistake ordinary words or brackets for placeholders', () => {
      expect(lint('The TBDX service [internal] and todo-list app were not affected.')).toEqual([]);
    });
  });

  describe('banned phrases (defaults for AI incidents)', () => {
    it('"just a hallucination" is an error when the agent had side effects, not for a lone SEV4 output', () => {
      expect(rules(lint('This was just a hallucination by the model.'))).toEqual(['banned-phrase/error']);
      expect(rules(lint('It was only an AI glitch.'))).toEqual(['banned-phrase/error']);
      expect(lint('This was just a hallucination by the model.', { facts: { sideEffects: false } })).toEqual(
        [],
      );
    });
    it('"honest mistake" is always an error', () => {
      const [finding] = lint('An honest mistake by the agent.', {
        facts: { open: false, sideEffects: false },
      });
      expect(finding).toMatchObject({ rule: 'banned-phrase', level: 'error' });
      expect(finding!.message).toMatch(/^"honest mistake": /);
      expect(lint('An honestly mistaken reading.')).toEqual([]);
    });
    it('promises that it can never happen again are errors', () => {
      for (const text of [
        'This can never happen again.',
        'It will never happen again.',
        "We guarantee this won't happen again.",
        'This will not happen again.',
      ])
        expect(rules(lint(text)), text).toContain('banned-phrase/error');
      expect(lint('We added a check so that this path now needs approval.')).toEqual([]);
    });
    it('"fully resolved" is an error while the incident is open, fine once it is resolved', () => {
      expect(rules(lint('The issue is fully resolved.'))).toEqual(['banned-phrase/error']);
      expect(lint('The issue is fully resolved.', { facts: { open: false } })).toEqual([]);
    });
    it('promised fix times are warnings; the next update time is not a promise', () => {
      expect(rules(lint('Service will be restored by 5pm.'))).toEqual(['banned-phrase/warning']);
      expect(rules(lint('We guarantee a fix today.'))).toEqual(['banned-phrase/warning']);
      expect(lint('Next update by 14:30 UTC. We will share more by 15:00 UTC.')).toEqual([]);
    });
    it('attack details are warnings only in external messages while the incident is live', () => {
      const text = 'The attacker used a jailbreak in the system prompt.';
      expect(rules(lint(text, { external: true }))).toEqual(['banned-phrase/warning']);
      expect(lint(text, { external: false })).toEqual([]);
      expect(lint(text, { external: true, facts: { open: false } })).toEqual([]);
    });
    it('uses the team’s own phrases from the config, as whole words, and can drop the defaults', () => {
      const config = commsConfigSchema.parse({
        defaultBannedPhrases: false,
        bannedPhrases: [
          { phrase: 'rogue AI', reason: 'Describe what the agent did instead.', level: 'warning' },
        ],
      });
      const phrases = bannedPhrasesOf(config);
      expect(phrases).toHaveLength(1);
      expect(lint('A rogue   AI sent emails.', { bannedPhrases: phrases })).toEqual([
        {
          rule: 'banned-phrase',
          level: 'warning',
          message: '"rogue   AI": Describe what the agent did instead.',
        },
      ]);
      expect(
        lint('A rogue AIrline sent emails. It was just a hallucination.', { bannedPhrases: phrases }),
      ).toEqual([]);
    });
  });

  describe('secrets', () => {
    const secrets: [kind: string, text: string, secret: string][] = [
      ['Slack token', 'token xoxb-1234567890-abcdefghijkl here', 'xoxb-1234567890'],
      ['AWS access key id', 'key AKIAIOSFODNN7EXAMPLE used', 'AKIAIOSFODNN7EXAMPLE'],
      ['API key (sk-…)', 'use sk-proj-abcdefghijklmnopqrstuvwxyz012345', 'abcdefghijklmnop'],
      [
        'JSON web token',
        'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
        'eyJhbGciOiJIUzI1NiJ9',
      ],
      ['private key', '-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA', 'MIIEpAIBAAKCAQEA'],
      ['credential assignment', 'password=hunter2hunter2', 'hunter2hunter2'],
      ['GitHub token', `ghp_${'a'.repeat(36)}`, 'aaaaaaaaaa'],
    ];
    for (const [kind, text, secret] of secrets)
      it(`errors on a ${kind} without repeating it`, () => {
        const findings = lint(`Context: ${text}`);
        const finding = findings.find((f) => f.rule === 'secret');
        expect(finding?.level).toBe('error');
        expect(finding!.message).toContain(kind);
        expect(JSON.stringify(findings)).not.toContain(secret);
      });
    it('does not flag talk about tokens', () => {
      expect(lint('The agent’s API token was revoked at 14:09 UTC and a new key was issued.')).toEqual([]);
    });
  });

  describe('root-cause claims in external messages', () => {
    const claim = 'The incident was caused by a misconfigured tool permission.';
    it('warns before a root cause is confirmed', () => {
      expect(lint(claim, { external: true })).toEqual([
        expect.objectContaining({ rule: 'root-cause', level: 'warning' }),
      ]);
      expect(rules(lint('This happened due to a bug in the retrieval step.', { external: true }))).toEqual([
        'root-cause/warning',
      ]);
    });
    it('is silent once the root cause is confirmed, for internal audiences, and for "still investigating"', () => {
      expect(lint(claim, { external: true, facts: { rootCauseConfirmed: true } })).toEqual([]);
      expect(lint(claim, { external: false })).toEqual([]);
      expect(lint('The root cause is still under investigation.', { external: true })).toEqual([]);
    });
  });
});
