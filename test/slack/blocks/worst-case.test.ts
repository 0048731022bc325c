/**
 * Every Block Kit builder, fed the worst realistic inputs (worst-case-inputs.ts), produces what
 * Slack accepts: each message passes the emulator's strict validator (validateMessageBlocks), each
 * modal and Home tab passes validateView, and every mrkdwn text holds only whole Slack tokens and
 * whole escapes (truncation never cuts inside a mention, a date token or an `&amp;`).
 */
import type { KnownBlock, View } from '@slack/types';
import { describe, expect, it } from 'vitest';
import type { ChatMessage } from '../../../src/chat/port.js';
import { LINT_RULES } from '../../../src/comms/lint.js';
import type { CommsDraft } from '../../../src/comms/model.js';
import type { ContainmentRun } from '../../../src/containment/model.js';
import type { ExecutionReport, StepReport } from '../../../src/containment/presenter.js';
import { validateMessageBlocks, validateView } from '../../../src/local/emulator/validate/index.js';
import { PROMPT_REASONS } from '../../../src/reminders/jobs.js';
import { evaluateGate, GATE_ITEM_IDS } from '../../../src/resolution/gate.js';
import { TRIAGE_QUESTIONS } from '../../../src/resolution/triage.js';
import { commsViews, homeView, talkingPointsMessage } from '../../../src/slack/blocks/comms.js';
import { editModal, overrideModal } from '../../../src/slack/blocks/comms-modals.js';
import { containmentViews } from '../../../src/slack/blocks/containment.js';
import { declareModal } from '../../../src/slack/blocks/declare-modal.js';
import { forensicsViews } from '../../../src/slack/blocks/forensics.js';
import { incidentViews, timelineMessage } from '../../../src/slack/blocks/incident.js';
import { reminderViews, snoozedPromptMessage } from '../../../src/slack/blocks/reminders.js';
import {
  gateOverrideModal,
  openActionsMessage,
  resolutionViews,
  triageDecisionModal,
  triageQuestionsModal,
} from '../../../src/slack/blocks/resolution.js';
import { updateModal } from '../../../src/slack/blocks/update-modal.js';
import {
  channelId,
  config,
  LONGEST,
  peopleText,
  publicChannelId,
  usergroups,
  users,
  worstIncident,
  worstTimeline,
} from './worst-case-inputs.js';

/** Slack's `<…>` sequences Quell may send: mentions, channel and group links, date tokens, links. */
const SLACK_TOKEN =
  /^<(@[UW][A-Z0-9]{2,}|#[CG][A-Z0-9]{2,}(\|[^<>]*)?|!subteam\^S[A-Z0-9]+(\|[^<>]*)?|!here|!channel|!date\^\d+\^[^|<>]+\|[^<>]+|https?:\/\/[^<>|\s]+(\|[^<>]+)?)>$/;

/** Every mrkdwn text anywhere in a block tree. */
function mrkdwnTexts(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const item of value) mrkdwnTexts(item, out);
  else if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if (o.type === 'mrkdwn' && typeof o.text === 'string') out.push(o.text);
    for (const child of Object.values(o)) mrkdwnTexts(child, out);
  }
  return out;
}

/** What is wrong with the markup of one mrkdwn text: half tokens, stray brackets, bare ampersands. */
function markupProblems(text: string): string[] {
  const problems: string[] = [];
  for (const token of text.match(/<[^<>]*>/g) ?? [])
    if (!SLACK_TOKEN.test(token)) problems.push(`not a Slack token: ${token.slice(0, 60)}`);
  const rest = text.replace(/<[^<>]*>/g, '');
  if (/[<>]/.test(rest)) problems.push(`stray < or > near: ${rest.slice(rest.search(/[<>]/), 40)}`);
  const bare = text.search(/&(?!amp;|lt;|gt;)/);
  if (bare !== -1) problems.push(`unescaped or cut & near: ${text.slice(bare, bare + 12)}`);
  return problems;
}

function expectValidMessage(name: string, message: ChatMessage): KnownBlock[] {
  expect(message.text.length, `${name}: fallback text`).toBeGreaterThan(0);
  expect(message.text.length, `${name}: fallback text (msg_too_long past 40,000)`).toBeLessThanOrEqual(
    40_000,
  );
  const blocks = message.blocks ?? [];
  expect(validateMessageBlocks(blocks), name).toEqual({ ok: true });
  expect(mrkdwnTexts(blocks).flatMap(markupProblems), name).toEqual([]);
  return blocks;
}

function expectValidView(name: string, view: View, expected: 'modal' | 'home'): void {
  expect(validateView(view, expected), name).toEqual({ ok: true });
  expect(mrkdwnTexts(view.blocks).flatMap(markupProblems), name).toEqual([]);
}

const incident = worstIncident();
const timeline = worstTimeline(60);

describe('every builder with worst-case inputs passes the strict validator', () => {
  it('the check itself: refuses a half mention, a bare & and a 76-character option description', () => {
    expect(markupProblems('cut here <@W01ABCD…')).not.toEqual([]);
    expect(markupProblems('A & B')).not.toEqual([]);
    expect(markupProblems('ok <@W01ABCDEFGH> &amp; <!date^1700000000^{time}|14:00 UTC>')).toEqual([]);
    const tooLong = [
      {
        type: 'actions',
        elements: [
          {
            type: 'checkboxes',
            action_id: 'a',
            options: [
              {
                text: { type: 'plain_text', text: 'x' },
                value: 'x',
                description: { type: 'plain_text', text: 'd'.repeat(76) },
              },
            ],
          },
        ],
      },
    ];
    expect(validateMessageBlocks(tooLong)).toMatchObject({ ok: false, error: 'invalid_blocks' });
  });

  it('incident summary, announcement, change notice and set-up failures', () => {
    const views = incidentViews(config);
    expectValidMessage('summary', views.summary(incident));
    expectValidMessage(
      'summary (resolved, no channel)',
      views.summary(worstIncident({ status: 'resolved', channelId: undefined, resolvedAt: LONGEST.at(90) })),
    );
    expectValidMessage('announcement', views.announcement(incident));
    for (const event of timeline.slice(0, 6))
      expectValidMessage('change notice', views.changeNotice(incident, event));
    expectValidMessage(
      'setup failures',
      views.setupFailures(
        incident,
        users.map((u) => `could not invite <@${u}>: ${peopleText(200)}`),
      ),
    );
  });

  it('a 60-event timeline: 45 shown, Quell’s mentions whole, people’s markup escaped', () => {
    const blocks = expectValidMessage('timeline', timelineMessage(incident, timeline));
    const text = mrkdwnTexts(blocks).join('\n');
    expect(text).toContain('15 earlier events are not shown');
    expect(text).toContain(`made <@${users[2]}> incident commander`);
    expect(text).not.toContain('&lt;@');
    expect(text).not.toContain('<!channel>');
    expect(text).toContain('&lt;!channel&gt;');
    expect(text).toContain('&lt;script&gt;');
    // the 45 newest are listed, the newest last
    expect(text.indexOf(timeline[15]!.at.slice(0, 10))).toBeGreaterThan(-1);
    expectValidMessage('timeline of 45', timelineMessage(incident, worstTimeline(45)));
  });

  it('update prompts for every reason, the escalation with every configured mention, updates and snoozes', () => {
    const views = reminderViews(config);
    for (const reason of PROMPT_REASONS)
      for (const late of [false, true])
        expectValidMessage(
          `prompt ${reason}`,
          views.prompt({
            incident: worstIncident({ roles: {} }),
            dueAt: LONGEST.at(45),
            overdueSince: LONGEST.at(15),
            reason,
            since: LONGEST.at(0),
            late,
            cadenceMs: 15 * 60_000,
            marker: `quell_prompt_INCIDENTXY-99999_${'9'.repeat(13)}`,
          }),
        );
    const escalation = expectValidMessage(
      'escalation',
      views.escalation({
        incident,
        dueAt: LONGEST.at(45),
        overdueSince: LONGEST.at(15),
        promptedAt: LONGEST.at(16),
        users: users.slice(0, 20),
        usergroups,
        marker: 'quell_escalation_INCIDENTXY-99999',
      }),
    );
    const snooze = (escalation.at(-1) as { elements: { options?: unknown[] }[] }).elements[1]!;
    expect(snooze.options).toHaveLength(5);
    const event = timeline[1]!;
    expectValidMessage(
      'update',
      views.update(incident, event, {
        impact: LONGEST.updateField,
        containment: LONGEST.updateField,
        investigation: LONGEST.updateField,
        nextUpdateAt: LONGEST.at(60),
      }),
    );
    expectValidMessage('snoozed', views.snoozed(incident, { ...event, data: { until: LONGEST.at(50) } }));
    expectValidMessage('snoozed prompt', snoozedPromptMessage(incident.id, users[7]!, LONGEST.at(50)));
  });

  it('the restart gate ticked item by item by different people, then resolved', () => {
    const views = resolutionViews(config);
    const ticks: Record<string, { by: string; at: string }> = {};
    for (const [i, item] of GATE_ITEM_IDS.entries()) {
      ticks[item] = { by: users[10 + i]!, at: LONGEST.at(100 + i) };
      const state = evaluateGate(config.resolution.gate.required.sev1, { ...ticks });
      const blocks = expectValidMessage(
        `gate after ${i + 1} ticks`,
        views.gateChecklist({ incident, state, rootCauseCategory: 'tool-schema-mismatch' }),
      );
      const text = mrkdwnTexts(blocks).join('\n');
      for (const tick of Object.values(ticks)) expect(text).toContain(`<@${tick.by}>`);
    }
    const state = evaluateGate(config.resolution.gate.required.sev1, ticks);
    expectValidMessage(
      'gate resolved',
      views.gateChecklist({
        incident: worstIncident({ status: 'resolved', resolvedAt: LONGEST.at(120) }),
        state,
      }),
    );
    expectValidMessage(
      'action overdue',
      views.actionOverdue(incident, {
        id: 'A999',
        incidentId: incident.id,
        owner: users[20]!,
        text: LONGEST.actionText,
        dueAt: LONGEST.at(10),
        createdBy: users[21]!,
        createdAt: LONGEST.at(0),
        status: 'open',
      }),
    );
    const actions = Array.from({ length: 60 }, (_, i) => ({
      id: `A${i}`,
      incidentId: incident.id,
      owner: users[i % users.length]!,
      text: LONGEST.actionText,
      dueAt: LONGEST.at(i * 10),
      createdBy: users[0]!,
      createdAt: LONGEST.at(0),
      status: 'open' as const,
    }));
    const list = expectValidMessage('open actions', openActionsMessage(actions, new Date(LONGEST.at(300))));
    expect(mrkdwnTexts(list).join('\n')).toContain('…and 20 more');
  });

  it('gate override, triage and corrective-action modals', () => {
    expectValidView('gate override', gateOverrideModal(incident, [...GATE_ITEM_IDS], channelId), 'modal');
    expectValidView('triage questions', triageQuestionsModal({ drill: true, channelId }), 'modal');
    const answers = Object.fromEntries(TRIAGE_QUESTIONS.map((q) => [q, 'unsure']));
    expectValidView(
      'triage decision',
      triageDecisionModal(config, {
        drill: true,
        channelId,
        title: peopleText(120),
        answers,
        suggestion: { severity: 'sev1', reason: peopleText(400) },
      }),
      'modal',
    );
  });

  it('declare and update forms', () => {
    for (const drill of [false, true])
      for (const announce of [false, true])
        expectValidView('declare', declareModal(config, { drill, announce, channelId }), 'modal');
    for (const severity of ['sev1', 'sev4'] as const)
      expectValidView(
        'update',
        updateModal(worstIncident({ severity }), config, { incidentId: incident.id, channelId }),
        'modal',
      );
  });

  it('comms drafts, publications, talking points, App Home and comms forms', () => {
    const findings = Array.from({ length: 40 }, (_, i) => ({
      rule: LINT_RULES[i % LINT_RULES.length]!,
      level: i % 2 ? ('error' as const) : ('warning' as const),
      message: peopleText(300),
    }));
    const version = (number: number) => ({
      number,
      text: peopleText(3000),
      at: LONGEST.at(number),
      author: users[number % users.length]!,
      source: 'edit' as const,
      sha256: 'a'.repeat(64),
      findings,
    });
    const draft: CommsDraft = {
      id: 'D99',
      incidentId: incident.id,
      audience: 'a'.repeat(40),
      title: peopleText(80),
      external: true,
      createdBy: users[0]!,
      createdAt: LONGEST.at(0),
      status: 'open',
      versions: Array.from({ length: 30 }, (_, i) => version(i + 1)),
    };
    const approvers = {
      users: users.slice(0, 20),
      usergroups,
      roles: ['commander', 'comms'] as ('commander' | 'comms')[],
    };
    const base = {
      actor: users[5]!,
      at: LONGEST.at(200),
      draftId: 'D99',
      audience: draft.audience,
      version: 30,
      sha256: 'b'.repeat(64),
    };
    const views = commsViews();
    for (const destination of [
      { kind: 'channel' as const, channel: publicChannelId },
      { kind: 'none' as const },
    ])
      expectValidMessage('draft', views.draft({ incident, draft, destination, approvers }));
    expectValidMessage(
      'draft approved, publish failed',
      views.draft({
        incident,
        draft: { ...draft, status: 'approved' },
        destination: { kind: 'channel', channel: publicChannelId },
        approvers,
        decision: { kind: 'approved', overridden: true, ...base },
        publication: { kind: 'publish_failed', channel: publicChannelId, error: peopleText(500), ...base },
      }),
    );
    const approved = {
      draftId: 'D99',
      audience: draft.audience,
      version: 30,
      text: peopleText(3000),
      sha256: 'c'.repeat(64),
      approvedBy: users[6]!,
      approvedAt: LONGEST.at(210),
    };
    expectValidMessage(
      'publication',
      views.publication({
        incident,
        draft,
        approved,
        drillInsteadOf: { kind: 'channel', channel: publicChannelId },
      }),
    );
    const entries = Array.from({ length: 20 }, (_, i) => ({
      incident: worstIncident({ id: `INCIDENTXY-${i}` }),
      ...(i % 2 ? { approved } : {}),
    }));
    const points = expectValidMessage('talking points', talkingPointsMessage(entries, config));
    // whole incidents only, and the rest counted in the last block
    expect(JSON.stringify(points.at(-1))).toMatch(/\d+ more active incidents/);
    expectValidView('home', homeView(entries, config, new Date(LONGEST.at(300))), 'home');
    const metadata = { i: incident.id, d: 'D99', v: 30, c: channelId };
    expectValidView('comms edit', editModal(draft, metadata), 'modal');
    expectValidView('comms override', overrideModal(draft, findings, metadata), 'modal');
  });

  it('containment catalog, confirmations, reports and status at their largest', () => {
    const views = containmentViews();
    const target = `https://llm.internal.acme-corp.example/${peopleText(200)}`;
    expectValidMessage(
      'catalog',
      views.catalog({
        actions: Array.from({ length: 60 }, (_, i) => ({
          name: `action-${i}`.padEnd(40, 'x'),
          description: peopleText(300),
          adapter: 'webhook',
          target,
          irreversible: i % 3 === 0,
          undoable: i % 3 === 1,
        })),
        playbooks: Array.from({ length: 20 }, (_, i) => ({
          name: `playbook-${i}`,
          description: peopleText(300),
          groups: [['a', 'b', 'c'], ['d'], ['e', 'f']],
          irreversible: i % 2 === 0,
        })),
      }),
    );
    const steps = Array.from({ length: 12 }, (_, i) => ({
      action: `delete-key-${i}`,
      target,
      irreversible: true,
      consequence: peopleText(300),
    }));
    for (const dryRun of [false, true])
      expectValidMessage(
        'confirmation',
        views.confirmation({
          token: 't'.repeat(64),
          incidentId: incident.id,
          title: peopleText(300),
          groups: [steps.slice(0, 6), steps.slice(6)],
          dryRun,
          drill: true,
          kind: 'playbook',
        }),
      );
    const states: StepReport['state'][] = ['pending', 'running', 'ok', 'failed', 'dry_run'];
    const reportSteps: StepReport[] = Array.from({ length: 80 }, (_, i) => ({
      action: `action-${i}`,
      target,
      runId: `r${i}`,
      state: states[i % states.length]!,
      detail: peopleText(300),
      error: peopleText(300),
      verify: {
        outcome: (['verified', 'not_verified', 'failed'] as const)[i % 3]!,
        observed: peopleText(300),
      },
      durationMs: 12_345,
      wouldSend: [{ method: 'POST', url: target }],
      irreversible: i % 4 === 0,
      undoable: i % 4 === 1,
    }));
    const report: ExecutionReport = {
      incidentId: incident.id,
      kind: 'playbook',
      title: peopleText(300),
      playbookRunId: 'p1',
      by: users[3]!,
      dryRun: false,
      drill: false,
      groups: [reportSteps.slice(0, 40), reportSteps.slice(40)],
      finished: true,
      durationMs: 99_999,
    };
    expectValidMessage('report', views.report(report));
    const run = (i: number): ContainmentRun => ({
      id: `r${i}`,
      incidentId: incident.id,
      action: `action-${i}`,
      adapter: 'webhook',
      target,
      args: {},
      requestedBy: users[1]!,
      confirmedBy: users[i % users.length]!,
      startedAt: LONGEST.at(i),
      dryRun: false,
      irreversible: i % 2 === 0,
      undoable: true,
      status: 'in_force',
      requests: [],
      state: {},
      verify: { outcome: 'not_verified', observed: peopleText(300), durationMs: 1, at: LONGEST.at(i) },
    });
    expectValidMessage(
      'status',
      views.status(
        incident.id,
        Array.from({ length: 80 }, (_, i) => run(i)),
      ),
    );
  });

  it('forensics: run progress and results with many gaps, a drill plan, a 60-call agent timeline', () => {
    const views = forensicsViews();
    expectValidMessage(
      'started',
      views.started({
        incidentId: incident.id,
        name: 'gateway-logs',
        summary: peopleText(300),
        trigger: 'declared',
        from: LONGEST.at(-60),
      }),
    );
    const summary = {
      name: 'gateway-logs',
      collector: 'litellm',
      collectorVersion: '1',
      run: 'forensics-INC-42-gateway-logs-cmd-1',
      trigger: 'command',
      window: { from: LONGEST.at(-60), to: LONGEST.at(0) },
      startedAt: LONGEST.at(0),
      finishedAt: LONGEST.at(1),
      records: 100_000,
      files: 1001,
      bytes: 123_456_789,
      events: 100_000,
      truncated: true,
      gaps: Array.from({ length: 40 }, (_, i) => ({
        what: peopleText(200, `gap ${i} & <b> `),
        reason: peopleText(400),
      })),
      notes: { promptsStored: false, ingestionLagMinutes: 10 },
      error: { kind: 'rate_limited' as const, status: 429, message: peopleText(1000) },
    };
    expectValidMessage('finished', views.finished(summary));
    expectValidMessage(
      'finished, clean',
      views.finished({ ...summary, gaps: [], truncated: false, error: undefined } as never),
    );
    expectValidMessage(
      'planned',
      views.planned({
        incidentId: incident.id,
        plans: Array.from({ length: 7 }, (_, i) => ({
          name: `collector-${i}`,
          requests: Array.from({ length: 6 }, (_, j) => ({
            method: 'GET',
            url: `https://vendor.example/api/${j}?q=${peopleText(300)}`,
            what: peopleText(120),
          })),
        })),
      }),
    );
    const entries = Array.from({ length: 60 }, (_, i) => ({
      id: i.toString(16).padStart(16, '0'),
      at: LONGEST.at(i),
      kind: (i % 2 ? 'tool_call' : 'model_call') as 'tool_call' | 'model_call',
      name: peopleText(300, `tool_${i} <@U00ABCDEFGH> & `),
      correlation: { trace_id: 'a'.repeat(32), span_id: 'b'.repeat(16) },
      input: `${peopleText(2000)} \`code\` jane@example.com api_key=sk_live_51HxAbCdEfGhIjKlMnOpQr`,
      source: { collector: peopleText(60), file: 'forensics/x/run/y.json' },
    }));
    const blocks = expectValidMessage(
      'agent timeline',
      views.agentTimeline({
        incidentId: incident.id,
        entries,
        total: 100_000,
        firstUnauthorized: entries[59]!.id,
      }),
    );
    expect(JSON.stringify(blocks)).not.toContain('jane@example.com');
    expectValidMessage(
      'agent timeline, empty',
      views.agentTimeline({ incidentId: incident.id, entries: [], total: 0 }),
    );
  });
});
