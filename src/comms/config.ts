import { z } from 'zod';
import { SLACK_CHANNEL_ID_PATTERN, slackUsergroupId, slackUserId } from '../config/fields.js';
import { ROLES } from '../incidents/model.js';

/** The `comms:` section of the config file: templates, approvers, destinations, banned phrases. */

/** Where an approved message goes: a channel id, the incident's own channel, or nowhere (copied by hand). */
export const destinationSchema = z.union([
  z.literal('none'),
  z.literal('incident-channel'),
  z
    .string()
    .regex(
      SLACK_CHANNEL_ID_PATTERN,
      'must be a Slack channel id such as C024BE91L, incident-channel or none',
    ),
]);
export type Destination = z.infer<typeof destinationSchema>;

export const approversSchema = z.strictObject({
  users: z.array(slackUserId).default([]),
  usergroups: z.array(slackUsergroupId).default([]),
  /** Whoever holds one of these incident roles at approval time. */
  roles: z.array(z.enum(ROLES)).default([]),
});
export type Approvers = z.output<typeof approversSchema>;

/**
 * Conditions under which a banned phrase counts. All listed conditions must hold:
 * `incident-open` (not resolved), `side-effects` (the agent did something: any severity but SEV4, or a
 * containment action ran), `external` (the audience is outside the company: customers, regulators, public).
 */
export const PHRASE_CONDITIONS = ['incident-open', 'side-effects', 'external'] as const;
export type PhraseCondition = (typeof PHRASE_CONDITIONS)[number];

export const bannedPhraseSchema = z
  .strictObject({
    /** Plain words, matched case-insensitively as whole words. */
    phrase: z.string().min(2).optional(),
    /** A regular expression (case-insensitive) for phrasings too varied for one phrase. */
    pattern: z
      .string()
      .min(2)
      .refine((p) => {
        try {
          new RegExp(p, 'iu');
          return true;
        } catch {
          return false;
        }
      }, 'is not a valid regular expression')
      .optional(),
    /** Why it is banned: shown with the finding so the author knows what to write instead. */
    reason: z.string().min(3),
    level: z.enum(['error', 'warning']).default('error'),
    when: z.array(z.enum(PHRASE_CONDITIONS)).default([]),
  })
  .refine((p) => Boolean(p.phrase) !== Boolean(p.pattern), 'give exactly one of phrase or pattern');
export type BannedPhrase = z.output<typeof bannedPhraseSchema>;

/** The built-in list for AI-agent incidents; `defaultBannedPhrases: false` turns it off. */
export const DEFAULT_BANNED_PHRASES: readonly BannedPhrase[] = [
  {
    pattern: String.raw`\b(just|only|merely|simply)\s+(an?\s+)?(ai\s+|model\s+)?(hallucination|glitch)s?\b`,
    reason: 'The agent acted, so this is not "just a hallucination": say what it did and what was affected.',
    level: 'error',
    when: ['side-effects'],
  },
  {
    phrase: 'honest mistake',
    reason: 'Do not excuse the agent or the team; describe what happened and what is being done.',
    level: 'error',
    when: [],
  },
  {
    pattern: String.raw`\b((can|could|will|would|shall)\s+(never|not)|won['’]t|can['’]t|cannot|never)\s+(ever\s+)?happens?\s+again\b`,
    reason: 'Never promise it cannot happen again; say which safeguards were added and how they are checked.',
    level: 'error',
    when: [],
  },
  {
    pattern: String.raw`\b(fully|completely|totally|100%)\s+(resolved|fixed|remediated)\b`,
    reason: 'The incident is still open: say what is contained and what is still being checked.',
    level: 'error',
    when: ['incident-open'],
  },
  {
    pattern: String.raw`\b(will|shall|should|is\s+expected\s+to|are\s+expected\s+to)\s+be\s+(fixed|resolved|restored|back|fully\s+operational|remediated)\s+(by|within|in|before)\b|\bguarantee(d|s)?\b`,
    reason:
      'Do not promise a fix time; promise only the time of the next update ("next update by 14:30 UTC").',
    level: 'warning',
    when: ['incident-open'],
  },
  {
    pattern: String.raw`\b(system\s+prompt|jailbreak|exploit|payload|bypass(ed|es)?)\b`,
    reason:
      'While the incident is live, details of how the agent was misled or bypassed can help an attacker.',
    level: 'warning',
    when: ['external', 'incident-open'],
  },
];

export const commsAudienceSchema = z.strictObject({
  /** Who may approve this audience's messages; replaces `defaultApprovers` for it. */
  approvers: approversSchema.optional(),
  /** Overrides the template's `publish:`; `incident-channel`, `none` or a channel id. */
  destination: destinationSchema.optional(),
});

const audienceName = z.string().regex(/^[a-z][a-z0-9-]{0,39}$/, 'must be lower-case letters, digits and -');

export const commsConfigSchema = z
  .strictObject({
    /** Folder of `<audience>.liquid` templates, relative to the working directory. */
    templatesDir: z.string().min(1).default('templates/comms'),
    /** Timezone times are written in ("next update by 14:30 UTC"); defaults to incidents.timezone. */
    timezone: z
      .string()
      .refine((tz) => {
        try {
          new Intl.DateTimeFormat('en-GB', { timeZone: tz });
          return true;
        } catch {
          return false;
        }
      }, 'is not an IANA timezone such as UTC or Europe/Berlin')
      .optional(),
    /** Who approves audiences that have no `approvers` of their own. */
    defaultApprovers: approversSchema.prefault({ roles: ['commander', 'comms'] }),
    audiences: z.record(audienceName, commsAudienceSchema).default({}),
    /** The audience whose latest approved message `/comms talking-points` and App Home show. */
    talkingPointsAudience: audienceName.default('support'),
    defaultBannedPhrases: z.boolean().default(true),
    /** Added to the defaults (or used alone when defaultBannedPhrases is false). */
    bannedPhrases: z.array(bannedPhraseSchema).default([]),
  })
  .prefault({});

export type CommsConfig = z.output<typeof commsConfigSchema>;

export function bannedPhrasesOf(config: CommsConfig): readonly BannedPhrase[] {
  return [...(config.defaultBannedPhrases ? DEFAULT_BANNED_PHRASES : []), ...config.bannedPhrases];
}
