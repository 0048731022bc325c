/**
 * The largest realistic inputs each builder can meet: 11-character user ids (U… and Enterprise
 * W…), 80-character channel names, titles, notes and fields at the limits Quell's own parsers
 * allow, people's text full of characters that mrkdwn escapes, the most options the config admits,
 * long timelines and a gate ticked item by item by different people.
 */
import { parseConfigText } from '../../../src/config/load.js';
import { MAX_CHANNEL_NAME_LENGTH } from '../../../src/incidents/channel-name.js';
import type { Incident } from '../../../src/incidents/model.js';
import { MAX_TITLE_LENGTH } from '../../../src/incidents/service.js';
import type { TimelineEvent } from '../../../src/incidents/timeline.js';
import { MAX_UPDATE_FIELD_LENGTH } from '../../../src/reminders/updates.js';
import { MAX_ACTION_TEXT } from '../../../src/resolution/actions.js';

/** Text of exactly `length` characters, heavy in what mrkdwn must escape (escaping grows it 5x). */
export function peopleText(length: number, seed = 'A&B <script> agent>1 & "quotes" ✅ 👩‍💻 '): string {
  let text = '';
  while (text.length < length) text += seed;
  return text.slice(0, length);
}

/** Slack user ids: 11 characters, half of them Enterprise Grid (`W…`). */
export const users = Array.from({ length: 30 }, (_, i) =>
  `${i % 2 ? 'U' : 'W'}${String(i).padStart(2, '0')}ABCDEFGH`.slice(0, 11),
);
export const usergroups = Array.from({ length: 10 }, (_, i) => `S${String(i).padStart(2, '0')}ABCDEFGH`);
export const channelId = 'C07ABCDEFGH';
export const publicChannelId = 'C07PUBLICXY';

/** The widest config: 20-character severity labels, 300-character descriptions, five snoozes. */
export const config = parseConfigText(
  [
    'incidents:',
    '  idPrefix: INCIDENTXY',
    'severities:',
    ...['sev1', 'sev2', 'sev3', 'sev4'].flatMap((s) => [
      `  ${s}:`,
      `    label: ${JSON.stringify(`${s.toUpperCase()} critical-ish!`.padEnd(20, 'x'))}`,
      `    description: ${JSON.stringify(peopleText(300, 'Side effects & <blast> radius, money > data; '))}`,
    ]),
    'reminders:',
    '  snoozeChoices: [10m, 1h30m, 2h, 12h, 23h59m]',
    '  escalateTo:',
    `    users: [${users.slice(0, 20).join(', ')}]`,
    `    usergroups: [${usergroups.join(', ')}]`,
  ].join('\n'),
  'worst-case',
);

const at = (minute: number) => new Date(Date.UTC(2026, 10, 21, 14, 0) + minute * 60_000).toISOString();

export function worstIncident(overrides: Partial<Incident> = {}): Incident {
  return {
    id: 'INCIDENTXY-99999',
    seq: 99_999,
    title: peopleText(MAX_TITLE_LENGTH),
    description: peopleText(2000),
    severity: 'sev1',
    status: 'contained',
    drill: true,
    channelId,
    channelName: 'inc-'.padEnd(MAX_CHANNEL_NAME_LENGTH, 'x'),
    summaryTs: '1700000000.000001',
    roles: { commander: users[0]!, scribe: users[1]!, 'tech-lead': users[2]!, comms: users[3]! },
    agent: {
      name: peopleText(500),
      version: peopleText(500),
      model: peopleText(500),
      'prompt-hash': peopleText(500),
      tools: peopleText(500),
      environment: peopleText(500),
    },
    declaredBy: users[4]!,
    createdAt: at(0),
    updatedAt: at(30),
    nextUpdateDueAt: at(45),
    reactivationPlan: {
      steps: (['shadow', 'read-only', 'limited', 'full'] as const).map((stage, i) => ({
        stage,
        owner: users[5 + i]!,
        criteria: peopleText(500),
      })),
      recordedBy: users[9]!,
      recordedAt: at(20),
    },
    version: 99,
    ...overrides,
  };
}

/** A long timeline: Quell's own markup (mentions, dates, links) mixed with people's longest notes. */
export function worstTimeline(count: number, incidentId = 'INCIDENTXY-99999'): TimelineEvent[] {
  return Array.from(
    { length: count },
    (_, i): TimelineEvent => ({
      incidentId,
      at: at(i),
      actor: i % 5 === 0 ? 'quell' : users[i % users.length]!,
      kind: i % 3 === 0 ? 'note' : 'role_assigned',
      text:
        i % 3 === 0
          ? peopleText(2000)
          : `<!channel> made <@${users[(i + 1) % users.length]}> incident commander; ${peopleText(400)} <@${users[i % users.length]}>`,
      data:
        i % 4 === 0
          ? { permalink: `https://acme-corp.enterprise.slack.com/archives/${channelId}/p17000000000${i}` }
          : {},
    }),
  );
}

export const LONGEST = {
  updateField: peopleText(MAX_UPDATE_FIELD_LENGTH),
  actionText: peopleText(MAX_ACTION_TEXT),
  at,
};
