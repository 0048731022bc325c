/** Unit tests of the shared Block Kit helpers and the two builders issue 14 found broken. */
import type { ActionsBlock, Checkboxes, ContextBlock } from '@slack/types';
import { describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../../src/incidents/model.js';
import { validateMessageBlocks } from '../../../src/local/emulator/validate/index.js';
import { evaluateGate, GATE_ITEM_IDS, GATE_ITEM_LABELS } from '../../../src/resolution/gate.js';
import {
  actorName,
  escapeExcept,
  lineSections,
  MENTIONS_DATES_LINKS,
  safeCut,
  slackDate,
  truncate,
  truncateMrkdwn,
} from '../../../src/slack/blocks/format.js';
import { incidentViews, timelineMessage } from '../../../src/slack/blocks/incident.js';
import { resolutionViews } from '../../../src/slack/blocks/resolution.js';
import { config, worstIncident } from './worst-case-inputs.js';

const DATE = slackDate('2026-11-21T14:05:00.000Z', '{date_short} {time}');

describe('truncation', () => {
  it('cuts plain text at the limit with an ellipsis, never between the halves of an emoji', () => {
    expect(truncate('abcdef', 6)).toBe('abcdef');
    expect(truncate('abcdefg', 6)).toBe('abcde…');
    const cut = truncate(`abcd😀xyz`, 6);
    expect(cut).toBe('abcd…');
    expect(cut.length).toBeLessThanOrEqual(6);
  });

  it('never cuts mrkdwn inside a mention, a date token or an escape', () => {
    const mention = `ticked by <@W0123456789> at ${DATE}`;
    for (let max = 5; max < mention.length; max++) {
      const cut = truncateMrkdwn(mention, max);
      expect(cut.length).toBeLessThanOrEqual(max);
      expect(cut.endsWith('…')).toBe(true);
      // every < opened is closed: nothing half-rendered
      expect((cut.match(/</g) ?? []).length).toBe((cut.match(/>/g) ?? []).length);
    }
    expect(truncateMrkdwn('abc <@W0123456789> def', 12)).toBe('abc …');
    expect(truncateMrkdwn('fish &amp; chips', 8)).toBe('fish …');
    expect(truncateMrkdwn('fish &amp; chips', 12)).toBe('fish &amp; …');
    expect(safeCut('short', 99)).toBe(5);
  });

  it('packs lines into sections of at most 3000 characters, each line whole', () => {
    const lines = Array.from({ length: 20 }, (_, i) => `${i} <@W0123456789> ${'x'.repeat(400)}`);
    const sections = lineSections(lines);
    expect(sections.length).toBeGreaterThan(2);
    const texts = sections.map((s) => s.text!.text);
    for (const text of texts) expect(text.length).toBeLessThanOrEqual(3000);
    expect(texts.join('\n')).toBe(lines.join('\n'));
  });
});

describe('mentions', () => {
  it('keeps Quell’s mentions, dates and links whole and escapes everything else', () => {
    const text = `made <@W0123456789> commander at ${DATE} <https://x.example/p1|message> <!channel> a&b <b>`;
    expect(escapeExcept(text, MENTIONS_DATES_LINKS)).toBe(
      `made <@W0123456789> commander at ${DATE} <https://x.example/p1|message> &lt;!channel&gt; a&amp;b &lt;b&gt;`,
    );
  });

  it('names Quell itself as Quell, never as <@quell>', () => {
    expect(actorName(SYSTEM_ACTOR)).toBe('Quell');
    expect(actorName('U0123456789')).toBe('<@U0123456789>');
    const notice = incidentViews(config).changeNotice(worstIncident({ drill: false }), {
      incidentId: 'INCIDENTXY-99999',
      at: '2026-11-21T14:05:00.000Z',
      actor: SYSTEM_ACTOR,
      kind: 'status_changed',
      text: 'archived the evidence <!here>',
      data: {},
    });
    expect(notice.text).toBe('Quell archived the evidence &lt;!here&gt;');
  });
});

describe('/incident timeline', () => {
  it('renders Quell’s own mentions as mentions and people’s text escaped', () => {
    const events = [
      {
        actor: 'W0CMD456789',
        kind: 'role_assigned' as const,
        text: 'made <@U0BOB456789> incident commander',
      },
      { actor: 'U0BOB456789', kind: 'note' as const, text: 'saw <script> & <!channel> in the logs' },
      { actor: SYSTEM_ACTOR, kind: 'status_changed' as const, text: 'archived the evidence' },
    ].map((e, i) => ({ ...e, incidentId: 'INC-7', at: `2026-11-21T14:0${i}:00.000Z`, data: {} }));
    const message = timelineMessage(worstIncident({ id: 'INC-7' }), events);
    const text = message
      .blocks!.flatMap((b) => (b.type === 'section' && b.text ? [b.text.text] : []))
      .join('\n');
    expect(text).toContain('<@W0CMD456789> made <@U0BOB456789> incident commander');
    expect(text).not.toContain('&lt;@U0BOB');
    expect(text).toContain('<@U0BOB456789> saw &lt;script&gt; &amp; &lt;!channel&gt; in the logs');
    expect(text).toContain('Quell archived the evidence');
    expect(validateMessageBlocks(message.blocks)).toEqual({ ok: true });
  });
});

describe('restart gate checklist', () => {
  const views = resolutionViews(config);
  const ticks = Object.fromEntries(
    GATE_ITEM_IDS.map((item, i) => [
      item,
      { by: `W${String(i).padStart(10, '0')}`, at: '2026-11-21T15:00:00.000Z' },
    ]),
  );
  const message = views.gateChecklist({
    incident: worstIncident({ status: 'contained' }),
    state: evaluateGate(config.resolution.gate.required.sev1, ticks),
  });
  const checklist = message.blocks!.find((b): b is ActionsBlock => b.type === 'actions')!;
  const checkboxes = checklist.elements[0] as Checkboxes;

  it('keeps each option within Slack’s limits: labels only, no who-and-when description', () => {
    expect(checkboxes.options).toHaveLength(GATE_ITEM_IDS.length);
    for (const option of checkboxes.options) {
      expect(option.text.text.length).toBeLessThanOrEqual(75);
      expect(option.description).toBeUndefined();
    }
    expect(checkboxes.initial_options).toEqual(checkboxes.options);
    expect(validateMessageBlocks(message.blocks)).toEqual({ ok: true });
  });

  it('says who ticked each item and when in a context block below the checklist', () => {
    const index = message.blocks!.indexOf(checklist);
    const ticked = message.blocks![index + 1] as ContextBlock;
    expect(ticked.type).toBe('context');
    const text = (ticked.elements[0] as { text: string }).text;
    for (const [i, item] of GATE_ITEM_IDS.entries()) {
      expect(text).toContain(`${GATE_ITEM_LABELS[item]}: <@W${String(i).padStart(10, '0')}> <!date^`);
    }
  });

  it('says nothing is ticked yet when nothing is', () => {
    const empty = views.gateChecklist({
      incident: worstIncident(),
      state: evaluateGate(config.resolution.gate.required.sev1, {}),
    });
    const actions = empty.blocks!.find((b): b is ActionsBlock => b.type === 'actions')!;
    expect((actions.elements[0] as Checkboxes).initial_options).toBeUndefined();
    expect(JSON.stringify(empty.blocks)).toContain('Nothing ticked yet.');
  });
});
