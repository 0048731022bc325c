import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildFields } from '../../src/comms/fields.js';
import { loadTemplateLibrary, parseTemplate, TemplateError } from '../../src/comms/templates.js';
import { plainDateTime, plainDuration, plainTime } from '../../src/comms/time.js';
import { REALISTIC_INCIDENT, realisticTimeline } from './fixtures.js';

const NOW = new Date('2026-11-21T14:20:00Z');

function realisticFields(overrides: Partial<typeof REALISTIC_INCIDENT> = {}, timeline = realisticTimeline()) {
  return buildFields({
    incident: { ...REALISTIC_INCIDENT, ...overrides },
    timeline,
    severityLabel: 'SEV1',
    severityDescription: 'Unauthorized tool action, data exposure or harmful external action.',
    timezone: 'UTC',
    now: NOW,
  });
}

function problemsOf(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof TemplateError) return error.problems.map((p) => `${p.file}:${p.line}: ${p.message}`);
    throw error;
  }
  throw new Error('expected a TemplateError');
}

const FRONT = '---\naudience: test\ntitle: Test\npublish: none\n---\n';

describe('shipped templates', () => {
  const library = loadTemplateLibrary('templates/comms');
  const { values } = realisticFields();
  const render = (audience: string) => library.get(audience)!.render(values);

  it('ships the six audiences the brief asks for', () => {
    expect(library.audiences().sort()).toEqual([
      'customer',
      'engineering',
      'executive',
      'legal',
      'status-page',
      'support',
    ]);
    expect(
      library
        .list()
        .filter((t) => t.external)
        .map((t) => t.audience)
        .sort(),
    ).toEqual(['customer', 'legal', 'status-page', 'support']);
  });

  it('engineering update: facts, agent scope, containment actions with times, next update in plain words', () => {
    const text = render('engineering');
    expect(text).toContain('*INC-7 engineering update, 14:20 UTC*: Support agent emailed order details');
    expect(text).toContain(
      'SEV1 · contained · open for 15 minutes · commander <@U0CMD> · tech lead <@U0TECH>',
    );
    expect(text).toContain('*Agent*: helpdesk-agent 2.3.1, model model-x-2026-09, production');
    expect(text).toContain('*Tools in scope*: tickets.reply, mail.send, orders.lookup');
    expect(text).toContain('*Prompt/config hash*: sha256:9f2c41');
    expect(text).toContain('• 14:09 UTC: disable mail.send, verified');
    expect(text).toContain(`*Investigation*: ${'Facts: the wrong attachments started at 13:52 UTC.'}`);
    expect(text).toContain('Next update by 14:30 UTC.');
    expect(text).not.toContain('[[missing');
  });

  it('executive briefing: impact, exposure and decisions left for a person to fill', () => {
    const text = render('executive');
    expect(text).toContain('*Executive briefing: INC-7, SEV1*');
    expect(text).toContain(
      '*Status*: Contained, from 14:05 UTC on 21 November 2026 at the latest (start not yet known), still ongoing (15 minutes).',
    );
    expect(text).toContain('*Business impact*: 41 customers received an email');
    expect(text).toContain('[[missing: decisions needed, or "none"]]');
    expect(text).toContain('Next update by 14:30 UTC.');
  });

  it('customer notice: what happened, what was done, a slot for what it means for them, next update time', () => {
    const text = render('customer');
    expect(text.split('\n')[0]).toBe(
      'We are investigating a problem with an automated assistant in our service.',
    );
    // the fixture records no start: the notice says when it was found, not that it started then
    expect(text).toContain('At 14:05 UTC we found that an automated assistant');
    expect(text).toContain('*What we have done*: The mail.send tool is disabled');
    expect(text).toContain(
      "[[missing: whether customers' data or accounts were affected, and what they should do]]",
    );
    expect(text).toContain('We will share our next update by 14:30 UTC.');
    expect(text).not.toMatch(/helpdesk-agent|<@/); // no internal names or mentions for customers
  });

  it('support talking points: one summary paragraph, three points, one escalation path', () => {
    const text = render('support');
    const summary = text.split('\n\n')[0]!;
    expect(summary).toMatch(/^\*Summary\*: INC-7 \(SEV1, contained\)/);
    expect(summary).not.toContain('\n');
    expect(text.match(/^\d\. /gm)).toHaveLength(3);
    expect(text).toContain('3. We will share more by 14:30 UTC.');
    expect(text.match(/\*Escalate\*/g)).toHaveLength(1);
    expect(text).toContain('go to <@U0COMMS> in <#C0INC0007>');
  });

  it('legal notice: time window, data categories and likelihood of harm for a person to assess', () => {
    const text = render('legal');
    expect(text).toContain(
      '*Time window*: from 14:05 UTC on 21 November 2026 at the latest (start not yet known), still ongoing.',
    );
    expect(text).toContain('("helpdesk-agent", production)');
    expect(text).toContain('*Categories of data involved*: [[missing:');
    expect(text).toContain('*Likelihood of harm*: [[missing:');
    expect(text).toContain('*Cause*: Under investigation; no cause has been confirmed.');
    expect(text).toContain('1 containment action(s) recorded');
  });

  it('status page text: one short paragraph with state, impact and next update', () => {
    const text = render('status-page');
    expect(text).toMatch(/^\*Contained\*: We are investigating unexpected actions/);
    expect(text).toContain('Next update by 14:30 UTC.');
    expect(text.split('\n')).toHaveLength(1);
  });

  it('marks the drill in every audience and switches to resolved wording', () => {
    const drill = realisticFields({ drill: true }).values;
    for (const template of library.list()) expect(template.render(drill)).toMatch(/DRILL/);
    const resolved = realisticFields({ status: 'resolved', resolvedAt: '2026-11-21T15:10:00.000Z' }).values;
    expect(library.get('status-page')!.render(resolved)).toMatch(/^\*Resolved\*: The problem .* is resolved/);
    expect(library.get('legal')!.render(resolved)).toContain(
      'from 14:05 UTC on 21 November 2026 at the latest (start not yet known) to 15:10 UTC on 21 November 2026',
    );
    expect(library.get('engineering')!.render(resolved)).toContain(
      'Resolved at 15:10 UTC after 1 hour 5 minutes.',
    );
  });

  it('shows an empty required field as a [[missing: …]] marker', () => {
    const noUpdate = realisticFields(
      {},
      realisticTimeline().filter((e) => e.kind !== 'update'),
    ).values;
    const text = library.get('engineering')!.render(noUpdate);
    expect(text).toContain('*Impact*: [[missing: update.impact]]');
    expect(text).toContain('*Investigation*: [[missing: update.investigation]]');
    // next update falls back to the severity cadence when no update gave one
    expect(text).toContain('Next update by 14:35 UTC.');
  });
});

describe('template validation names the file and line', () => {
  it('reports an unknown field with a suggestion', () => {
    const text = `${FRONT}Hello {{ incident.title }}\n\nImpact: {{ update.impakt }}\n`;
    expect(problemsOf(() => parseTemplate(text, 'templates/comms/test.liquid'))).toEqual([
      'templates/comms/test.liquid:8: unknown field "update.impakt" (did you mean update.impact?)',
    ]);
  });

  it('reports a Liquid syntax error on its line', () => {
    const text = `${FRONT}line one\n{% if incident.open %}open{% endiff %}\n`;
    expect(problemsOf(() => parseTemplate(text, 't.liquid'))).toEqual(['t.liquid:7: tag "endiff" not found']);
    const unclosed = `${FRONT}a\nb\n{{ incident.title \n`;
    expect(problemsOf(() => parseTemplate(unclosed, 't.liquid'))[0]).toMatch(
      /^t\.liquid:8: output .* not closed/,
    );
  });

  it('refuses filters it does not know, and tags that would read other files', () => {
    expect(problemsOf(() => parseTemplate(`${FRONT}{{ incident.title | shout }}`, 'f.liquid'))).toEqual([
      'f.liquid:6: undefined filter: shout',
    ]);
    expect(problemsOf(() => parseTemplate(`${FRONT}\n{% include "secrets" %}`, 'f.liquid'))).toEqual([
      'f.liquid:7: tag "include" not found',
    ]);
  });

  it('checks the front matter: missing, unknown keys, bad destination, unknown required field', () => {
    expect(problemsOf(() => parseTemplate('Hello', 'x.liquid'))).toEqual([
      'x.liquid:1: must start with front matter between --- lines (audience, title, publish)',
    ]);
    const bad =
      '---\naudience: test\ntitle: Test\npublish: "#general"\ncolour: blue\nrequired: [update.impact, nextUpdate]\n---\nHi\n';
    expect(problemsOf(() => parseTemplate(bad, 'x.liquid'))).toEqual([
      'x.liquid:4: front matter publish: must be a Slack channel id such as C024BE91L, incident-channel or none',
      'x.liquid:5: front matter Unrecognized key: "colour"',
    ]);
    const unknownRequired =
      '---\naudience: test\ntitle: Test\nrequired: [update.impact, nextUpdate]\n---\nHi\n';
    expect(problemsOf(() => parseTemplate(unknownRequired, 'x.liquid'))).toEqual([
      'x.liquid:4: required field "nextUpdate" does not exist (did you mean nextUpdateAt?)',
    ]);
  });

  it('accepts loops over list fields and their item fields, and rejects unknown item fields', () => {
    const ok = `${FRONT}{% for a in containment.actions %}{{ a.action }} {{ forloop.index }}{% endfor %}{{ containment.actions.size }}`;
    expect(() => parseTemplate(ok, 'ok.liquid')).not.toThrow();
    expect(
      problemsOf(() => parseTemplate(`${FRONT}{{ containment.actions.first.actor }}`, 'f.liquid')),
    ).toEqual(['f.liquid:6: unknown field "containment.actions.first.actor"']);
  });

  it('reports every broken file of a folder at once, and duplicate audiences', () => {
    const dir = mkdtempSync(join(tmpdir(), 'quell-templates-'));
    writeFileSync(join(dir, 'a.liquid'), `${FRONT}fine`);
    writeFileSync(join(dir, 'b.liquid'), `${FRONT}also fine, but the same audience`);
    writeFileSync(join(dir, 'c.liquid'), '---\naudience: other\ntitle: Other\n---\n{% if %}');
    writeFileSync(join(dir, 'd.liquid'), '---\naudience: third\ntitle: Third\n---\n{{ incident.zzzzzzzz }}');
    writeFileSync(join(dir, 'notes.txt'), 'not a template');
    const problems = problemsOf(() => loadTemplateLibrary(dir));
    expect(problems).toEqual([
      `${join(dir, 'b.liquid')}:2: audience "test" is already used by ${join(dir, 'a.liquid')}`,
      `${join(dir, 'c.liquid')}:5: invalid value expression: ""`,
      `${join(dir, 'd.liquid')}:5: unknown field "incident.zzzzzzzz"`,
    ]);
  });
});

describe('plain-words times', () => {
  const now = new Date('2026-11-21T14:20:00Z');
  it('writes the time alone on the same day and the day otherwise, in the stated timezone', () => {
    expect(plainTime(new Date('2026-11-21T14:30:00Z'), now, 'UTC')).toBe('14:30 UTC');
    expect(plainTime(new Date('2026-11-22T09:00:00Z'), now, 'UTC')).toBe('09:00 UTC on Sunday 22 November');
    expect(plainTime(new Date('2027-01-02T09:00:00Z'), now, 'UTC')).toBe(
      '09:00 UTC on Saturday 2 January 2027',
    );
    expect(plainTime(new Date('2026-11-21T14:30:00Z'), now, 'Europe/Berlin')).toBe('15:30 CET');
    expect(plainTime(new Date('2026-11-21T23:30:00Z'), now, 'Europe/Berlin')).toBe(
      '00:30 CET on Sunday 22 November',
    );
    expect(plainDateTime(new Date('2026-11-21T14:05:00Z'), 'UTC')).toBe('14:05 UTC on 21 November 2026');
  });

  it('writes durations in words', () => {
    expect(plainDuration(30_000)).toBe('less than a minute');
    expect(plainDuration(60_000)).toBe('1 minute');
    expect(plainDuration(65 * 60_000)).toBe('1 hour 5 minutes');
    expect(plainDuration((26 * 60 + 3) * 60_000)).toBe('1 day 2 hours');
  });
});
