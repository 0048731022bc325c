import { z } from 'zod';
import { durationField } from '../config/duration.js';
import { slackChannelId, slackUsergroupId, slackUserId } from '../config/fields.js';
import { INCIDENT_CATEGORIES } from '../incidents/categories.js';
import { SEVERITIES } from '../incidents/model.js';

/**
 * `obligations:` in the config file: the notification clocks Quell keeps per incident. The shipped
 * types below are always available; an entry under `types` with the same id changes only the fields
 * it names (e.g. other reminder offsets), a new id adds a type (sector or contractual rules).
 */

const TYPE_ID = /^[a-z][a-z0-9-]{1,39}$/;

const typeFields = {
  /** What people call it: "GDPR personal-data breach notification". */
  name: z.string().min(1).max(120),
  /** Who is notified: "the lead supervisory authority". */
  authority: z.string().min(1).max(120),
  /** The rule and where it is written (article, official text). Shown in Slack and the postmortem. */
  citation: z.string().min(1).max(500),
  /** How long after the organisation became aware the notice is due at the latest. */
  deadline: durationField,
  /** The rule allows an initial (incomplete) report that meets the deadline, followed by a complete one. */
  phased: z.boolean(),
  /** Which incidents Quell proposes this obligation for (a proposal only: someone adds it). */
  propose: z
    .strictObject({
      severities: z.array(z.enum(SEVERITIES)).default([]),
      categories: z.array(z.enum(INCIDENT_CATEGORIES)).default([]),
    })
    .prefault({}),
  /** Reminders this long before the deadline, while nothing is submitted. */
  reminders: z.array(durationField).max(10),
  /** The comms audience whose template drafts the notice (`/comms draft <audience>`). */
  audience: z.string().min(1).max(40),
};

const fullType = z.strictObject(typeFields);
const partialType = fullType.partial();
export type ObligationTypeConfig = z.output<typeof fullType>;

/**
 * The shipped types. Official texts on EUR-Lex:
 * - EU AI Act, Regulation (EU) 2024/1689, Art. 73 "Reporting of serious incidents":
 *   https://eur-lex.europa.eu/eli/reg/2024/1689/oj (73(2) 15 days; 73(3) 2 days for a widespread
 *   infringement or a serious incident under Art. 3(49)(b), serious and irreversible disruption of
 *   critical infrastructure; 73(4) 10 days in the event of a death; 73(5) an initial report that is
 *   incomplete may be followed by a complete one). Applies to providers (and deployers) of
 *   high-risk AI systems.
 * - GDPR, Regulation (EU) 2016/679, Art. 33(1) "Notification of a personal data breach to the
 *   supervisory authority": https://eur-lex.europa.eu/eli/reg/2016/679/oj (without undue delay and,
 *   where feasible, not later than 72 hours after having become aware of it).
 */
const AI_ACT = 'Regulation (EU) 2024/1689 (AI Act)';
const AI_ACT_URL = 'https://eur-lex.europa.eu/eli/reg/2024/1689/oj';
export const SHIPPED_OBLIGATION_TYPES: Record<string, z.input<typeof fullType>> = {
  'ai-act-art73': {
    name: 'EU AI Act serious-incident report',
    authority: 'market surveillance authority of the Member State where the incident occurred',
    citation: `${AI_ACT} Art. 73(2): not later than 15 days after becoming aware; an initial report may precede a complete one (Art. 73(5)). ${AI_ACT_URL}`,
    deadline: '15d',
    phased: true,
    propose: { severities: ['sev1'], categories: ['safety'] },
    reminders: ['5d', '2d', '1d', '4h'],
    audience: 'legal',
  },
  'ai-act-art73-death': {
    name: 'EU AI Act serious-incident report (death)',
    authority: 'market surveillance authority of the Member State where the incident occurred',
    citation: `${AI_ACT} Art. 73(4): in the event of the death of a person, not later than 10 days after becoming aware; initial report allowed (Art. 73(5)). ${AI_ACT_URL}`,
    deadline: '10d',
    phased: true,
    reminders: ['3d', '1d', '4h'],
    audience: 'legal',
  },
  'ai-act-art73-widespread': {
    name: 'EU AI Act serious-incident report (widespread or critical infrastructure)',
    authority: 'market surveillance authority of the Member State where the incident occurred',
    citation: `${AI_ACT} Art. 73(3): a widespread infringement or a serious disruption of critical infrastructure (Art. 3(49)(b)), not later than 2 days after becoming aware; initial report allowed (Art. 73(5)). ${AI_ACT_URL}`,
    deadline: '2d',
    phased: true,
    reminders: ['1d', '6h', '1h'],
    audience: 'legal',
  },
  'gdpr-art33': {
    name: 'GDPR personal-data breach notification',
    authority: 'competent supervisory authority (Art. 55/56)',
    citation:
      'Regulation (EU) 2016/679 (GDPR) Art. 33(1): without undue delay and, where feasible, not later than 72 hours after becoming aware. https://eur-lex.europa.eu/eli/reg/2016/679/oj',
    deadline: '72h',
    phased: false,
    propose: { severities: ['sev1', 'sev2'], categories: ['privacy', 'security'] },
    reminders: ['24h', '6h', '1h'],
    audience: 'legal',
  },
};

export const obligationsConfigSchema = z
  .strictObject({
    /** Types by id: a shipped id with only the fields to change, or a new id with every field. */
    types: z
      .record(z.string().regex(TYPE_ID, 'type ids are lower-case letters, digits and dashes'), z.unknown())
      .default({}),
    /** Where reminders and the missed-deadline escalation of real (non-drill) incidents also go (e.g. legal's channel). */
    channel: slackChannelId.optional(),
    /** Who is mentioned, besides the commander, when a deadline passes unmet. */
    escalateTo: z
      .strictObject({
        users: z.array(slackUserId).default([]),
        usergroups: z.array(slackUsergroupId).default([]),
      })
      .prefault({}),
    /** Post a proposal in the channel when a declared incident matches a type's `propose`. */
    proposeOnDeclare: z.boolean().default(true),
  })
  .transform((section, ctx) => {
    const types: Record<string, ObligationTypeConfig> = {};
    const ids = new Set([...Object.keys(SHIPPED_OBLIGATION_TYPES), ...Object.keys(section.types)]);
    for (const id of ids) {
      const shipped = SHIPPED_OBLIGATION_TYPES[id];
      const given = section.types[id] ?? {};
      const merged = shipped ? partialType.safeParse(given) : fullType.safeParse(given);
      if (!merged.success) {
        for (const issue of merged.error.issues)
          ctx.addIssue({ ...issue, path: ['types', id, ...issue.path] } as never);
        continue;
      }
      types[id] = shipped
        ? { ...fullType.parse(shipped), ...onlyGiven(merged.data, given) }
        : (merged.data as ObligationTypeConfig);
    }
    return { ...section, types };
  })
  .prefault({});

/** Only the fields the file names: a field's own default must not replace the shipped value. */
function onlyGiven<T extends object>(parsed: T, given: unknown): Partial<T> {
  const named = given && typeof given === 'object' ? Object.keys(given) : [];
  return Object.fromEntries(Object.entries(parsed).filter(([key]) => named.includes(key))) as Partial<T>;
}

export type ObligationsConfig = z.output<typeof obligationsConfigSchema>;
