import { describe, expect, it } from 'vitest';
import { validateMessageBlocks } from '../../../src/local/emulator/validate/index.js';
import {
  announcementFollowUpMessage,
  announcementMessage,
  formatDuration,
} from '../../../src/slack/blocks/announcements.js';
import { movedToPrivateMessage, privateFollowUpOffer } from '../../../src/slack/blocks/privacy.js';
import { channelId, config, peopleText, users, worstIncident } from './worst-case-inputs.js';

/** The announcement and its thread: current state in the text, nothing of a private incident's detail. */

const secretTitle = 'Agent exported the payroll table to a partner bucket';
const incident = (overrides: Parameters<typeof worstIncident>[0] = {}) =>
  worstIncident({
    title: secretTitle,
    status: 'investigating',
    drill: false,
    channelId,
    channelName: 'inc-20261121-agent-exported-the-payroll-table',
    agent: { name: 'PayrollBot' },
    roles: { commander: users[0]! },
    ...overrides,
  });
const everything = (m: { text: string; blocks?: unknown }) => `${m.text} ${JSON.stringify(m.blocks)}`;

describe('announcement', () => {
  it('shows a public incident’s title, channel, status and commander, and validates as Slack would', () => {
    const message = announcementMessage(incident(), config);
    expect(message.text).toContain(
      `INCIDENTXY-99999 declared in <#${channelId}>: ${secretTitle} (investigating)`,
    );
    expect(everything(message)).toContain(`Commander: <@${users[0]}>`);
    expect(validateMessageBlocks(message.blocks)).toEqual({ ok: true });
    const resolved = announcementMessage(
      incident({ status: 'resolved', resolvedAt: '2026-11-21T16:00:00.000Z' }),
      config,
    );
    expect(resolved.text.startsWith(':white_check_mark:')).toBe(true);
    expect(everything(resolved)).toContain('Resolved <!date^');
  });

  it('says of a private incident only that it exists, its severity and who leads it', () => {
    const message = announcementMessage(incident({ private: true }), config);
    const all = everything(message);
    expect(message.text).toBe(
      `:lock: A ${config.severities.sev1.label} incident (INCIDENTXY-99999) is being handled privately. Commander <@${users[0]}>.`,
    );
    for (const secret of [secretTitle, 'PayrollBot', channelId, 'inc-20261121', 'investigating'])
      expect(all).not.toContain(secret);
    expect(validateMessageBlocks(message.blocks)).toEqual({ ok: true });
  });

  it('escapes people’s text in a title at the length limit', () => {
    const message = announcementMessage(incident({ title: peopleText(120) }), config);
    expect(JSON.stringify(message.blocks)).not.toContain('<script>');
    expect(validateMessageBlocks(message.blocks)).toEqual({ ok: true });
  });
});

describe('announcement thread', () => {
  const summary = {
    declaredAt: '2026-11-21T14:00:00.000Z',
    resolvedAt: '2026-11-21T16:14:00.000Z',
    impact: 'Payroll rows of 212 people left the company',
    rootCause: 'Over-broad export scope on the agent’s service account',
  };

  it('tells a raised severity, a new commander and a status change', () => {
    const raised = announcementFollowUpMessage(
      incident(),
      { kind: 'severity', actor: users[1]!, from: 'sev2', to: 'sev1' },
      config,
    );
    expect(raised.text).toContain(
      `<@${users[1]}> raised the severity: ${config.severities.sev2.label} → *${config.severities.sev1.label}*`,
    );
    const commander = announcementFollowUpMessage(
      incident(),
      { kind: 'commander', actor: users[1]!, from: users[0]!, to: users[2]! },
      config,
    );
    expect(commander.text).toBe(`<@${users[2]}> now leads INCIDENTXY-99999 (was <@${users[0]}>).`);
    const status = announcementFollowUpMessage(
      incident(),
      { kind: 'status', actor: users[1]!, from: 'investigating', to: 'contained' },
      config,
    );
    expect(status.text).toContain('to *contained* (was investigating)');
    for (const m of [raised, commander, status])
      expect(validateMessageBlocks(m.blocks)).toEqual({ ok: true });
  });

  it('resolves with the summary for a public incident and without it for a private one', () => {
    const open = announcementFollowUpMessage(
      incident(),
      { kind: 'resolved', actor: users[0]!, summary },
      config,
    );
    expect(open.text).toContain('*INCIDENTXY-99999 is resolved* after 2h 14m');
    expect(open.text).toContain(`*Impact:* ${summary.impact}`);
    expect(open.text).toContain('*Root cause:* Over-broad export scope');
    const hidden = announcementFollowUpMessage(
      incident({ private: true }),
      { kind: 'resolved', actor: users[0]!, summary },
      config,
    );
    expect(hidden.text).toContain('is resolved* after 2h 14m');
    for (const secret of [summary.impact, summary.rootCause, channelId])
      expect(hidden.text).not.toContain(secret);
  });

  it('durations read as people say them', () => {
    expect(formatDuration(20_000)).toBe('under a minute');
    expect(formatDuration(35 * 60_000)).toBe('35m');
    expect(formatDuration(3 * 3_600_000)).toBe('3h');
    expect(formatDuration(2 * 86_400_000 + 3 * 3_600_000 + 5 * 60_000)).toBe('2d 3h');
  });
});

describe('private follow-up', () => {
  it('says Slack cannot make the channel private and offers the follow-up; the public channel learns nothing of where', () => {
    const offer = privateFollowUpOffer(incident());
    expect(offer.text).toContain('Slack offers apps no way to make a live public channel private');
    expect(JSON.stringify(offer.blocks)).toContain('"action_id":"quell_private_follow_up"');
    expect(validateMessageBlocks(offer.blocks)).toEqual({ ok: true });
    const moved = movedToPrivateMessage(incident({ private: true, channelId: 'C0PRIVATE01' }));
    expect(everything(moved)).not.toContain('C0PRIVATE01');
    expect(moved.text).toContain(`ask <@${users[0]}>`);
  });
});
