import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LintOverrideRequiredError } from '../../src/comms/service.js';
import { QuellError } from '../../src/errors.js';
import type { Incident } from '../../src/incidents/model.js';
import type { Services } from '../../src/services.js';
import { FakeSlackApi } from '../helpers/fake-slack-api.js';
import { openTestRedis } from '../helpers/redis.js';
import { TestClock, testConfig, testServices } from '../helpers/services.js';
import { declareRealisticIncident } from './fixtures.js';

const CONFIG = `
comms:
  audiences:
    customer:
      destination: C0CUSTOMERS
      approvers:
        usergroups: [S0LEGAL]
        roles: [comms]
    status-page:
      destination: C0STATUS
      approvers:
        users: [U0VP]
    executive:
      destination: C0EXEC
`;

const sha = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
const CUSTOMER_TEXT = [
  'We are investigating a problem with an automated assistant in our service.',
  '',
  '*What happened*: From 14:05 UTC an assistant emailed order details to 41 customers who should not have received them.',
  '',
  '*What this means for you*: If you received such an email, please delete it. Your own account was not changed.',
  '',
  'We will share our next update by 14:30 UTC.',
].join('\n');

describe('comms drafts, approval and publishing', () => {
  let env: Awaited<ReturnType<typeof openTestRedis>>;
  let slack: FakeSlackApi;
  let services: Services;
  let clock: TestClock;
  let incident: Incident;
  let callsBefore: number;
  const newCalls = () => slack.calls.slice(callsBefore);

  beforeEach(async () => {
    env = await openTestRedis();
    slack = new FakeSlackApi({ usergroups: { S0LEGAL: ['U0COUNSEL'] } });
    clock = new TestClock(new Date('2026-11-21T14:05:00Z'));
    services = testServices(env.redis, testConfig(env.prefix, CONFIG), clock);
    incident = await declareRealisticIncident(services);
    clock.set(new Date('2026-11-21T14:20:00Z'));
    callsBefore = slack.calls.length;
  });

  afterEach(async () => {
    slack.close();
    await env.cleanup();
  });

  it('drafts from the template and posts it in the incident channel with findings and buttons', async () => {
    const draft = await services.comms.draft(incident.id, 'customer', 'U0COMMS');

    expect(newCalls().map((c) => c.method)).toEqual(['chat.postMessage']);
    const post = newCalls()[0]!.params;
    expect(post.channel).toBe('C0INC0001');
    expect(post.text).toBe('Draft customer notice for INC-1 (v1)');
    const blocks = post.blocks as {
      type: string;
      text?: { text: string };
      elements?: Record<string, unknown>[];
    }[];
    expect(blocks[0]).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: 'Draft: Customer notice, INC-1', emoji: true },
    });
    expect(blocks.some((b) => b.text?.text.includes('We will share our next update by 14:30 UTC.'))).toBe(
      true,
    );
    const lint = blocks.find((b) => b.text?.text.startsWith('*Lint*'))!;
    expect(lint.text!.text).toBe(
      "*Lint*: 1 error (blocks approval)\n:no_entry: Fill in: whether customers' data or accounts were affected, and what they should do (Edit).",
    );
    const actions = blocks.find((b) => b.type === 'actions')!;
    expect(actions.elements!.map((e) => [e.action_id, e.value])).toEqual([
      ['quell_comms_edit', '{"i":"INC-1","d":"d1","v":1}'],
      ['quell_comms_approve', '{"i":"INC-1","d":"d1","v":1}'],
      ['quell_comms_reject', '{"i":"INC-1","d":"d1","v":1}'],
    ]);

    expect(draft).toMatchObject({ id: 'd1', audience: 'customer', status: 'open', external: true });
    expect(draft.message).toEqual({ channel: 'C0INC0001', ts: post.ts ?? expect.any(String) });
    expect(draft.versions[0]).toMatchObject({ number: 1, author: 'U0COMMS', source: 'template' });
    expect(draft.versions[0]!.sha256).toBe(sha(draft.versions[0]!.text));
    const timeline = await services.incidents.timeline(incident.id);
    expect(timeline.at(-1)).toMatchObject({
      kind: 'comms_drafted',
      actor: 'U0COMMS',
      text: 'drafted the customer notice (v1, 1 lint error)',
      data: { draftId: 'd1', audience: 'customer', version: 1 },
    });
  });

  it('refuses an unknown audience and drafting where there is no incident channel', async () => {
    await expect(services.comms.draft(incident.id, 'investors', 'U0COMMS')).rejects.toThrow(
      /There is no "investors" audience\. Audiences: customer, engineering, executive, legal, status-page, support\./,
    );
    expect(newCalls()).toEqual([]);
  });

  it('drafts from the latest structured update each time (the timeline is read incrementally)', async () => {
    const first = await services.comms.draft(incident.id, 'engineering', 'U0TECH');
    expect(first.versions[0]!.text).toContain('*Impact*: 41 customers received an email');
    await services.incidents.record(incident.id, 'U0CMD', 'update', 'posted an update', {
      impact: 'No further emails since 14:09 UTC.',
      containment: 'mail.send stays disabled.',
      investigation: 'Confirmed: a cached lookup was reused.',
      nextUpdateAt: '2026-11-21T15:00:00.000Z',
    });
    await services.comms.confirmRootCause(
      incident.id,
      'U0TECH',
      'A cached order lookup was reused across tickets.',
    );
    const second = await services.comms.draft(incident.id, 'engineering', 'U0TECH');
    expect(second.versions[0]!.text).toContain('*Impact*: No further emails since 14:09 UTC.');
    expect(second.versions[0]!.text).toContain(
      '*Confirmed root cause* (14:20 UTC): A cached order lookup was reused across tickets.',
    );
    expect(second.versions[0]!.text).toContain('Next update by 15:00 UTC.');
    expect(second.versions[0]!.text).toContain('• 14:05 UTC: disable mail.send, verified');
  });

  it('keeps a draft Slack refused to post, says so, and records it on the timeline', async () => {
    slack.failNext('chat.postMessage', 'is_archived');
    await expect(services.comms.draft(incident.id, 'engineering', 'U0TECH')).rejects.toThrow(
      'The engineering update draft is saved, but Slack refused to post it (is_archived).',
    );
    const { drafts } = await services.comms.history(incident.id);
    expect(drafts.map((d) => [d.id, d.status, d.versions.length, d.message])).toEqual([
      ['d1', 'open', 1, undefined],
    ]);
    expect((await services.incidents.timeline(incident.id)).at(-1)).toMatchObject({
      kind: 'comms_drafted',
      data: { draftId: 'd1', postError: 'is_archived' },
    });
  });

  it('keeps every version: each edit is linted, stored and shown on the draft message', async () => {
    const draft = await services.comms.draft(incident.id, 'customer', 'U0COMMS');
    clock.advance(60_000);
    const first = await services.comms.edit({
      incidentId: incident.id,
      draftId: draft.id,
      baseVersion: 1,
      actor: 'U0COMMS',
      text: `${CUSTOMER_TEXT}\nThis was just a hallucination.`,
    });
    expect(first.version.findings.map((f) => `${f.rule}/${f.level}`)).toEqual(['banned-phrase/error']);
    clock.advance(60_000);
    const second = await services.comms.edit({
      incidentId: incident.id,
      draftId: draft.id,
      baseVersion: 2,
      actor: 'U0CMD',
      text: CUSTOMER_TEXT,
    });
    expect(second).toMatchObject({ editedMeanwhile: false, version: { number: 3, findings: [] } });

    const updates = slack.callsTo('chat.update').filter((c) => c.params.ts === draft.message!.ts);
    expect(updates).toHaveLength(2);
    expect(updates[1]!.params).toMatchObject({
      channel: 'C0INC0001',
      text: 'Draft customer notice for INC-1 (v3)',
    });
    expect(JSON.stringify(updates[1]!.params.blocks)).toContain(':white_check_mark: *Lint*: no findings.');
    expect(JSON.stringify(updates[1]!.params.blocks)).toContain(
      '"value":"{\\"i\\":\\"INC-1\\",\\"d\\":\\"d1\\",\\"v\\":3}"',
    );

    const { drafts } = await services.comms.history(incident.id);
    expect(drafts[0]!.versions.map((v) => [v.number, v.author, v.source, v.at])).toEqual([
      [1, 'U0COMMS', 'template', '2026-11-21T14:20:00.000Z'],
      [2, 'U0COMMS', 'edit', '2026-11-21T14:21:00.000Z'],
      [3, 'U0CMD', 'edit', '2026-11-21T14:22:00.000Z'],
    ]);
    expect(drafts[0]!.versions[2]!.text).toBe(CUSTOMER_TEXT);
    const kinds = (await services.incidents.timeline(incident.id)).map((e) => e.kind);
    expect(kinds.filter((k) => k.startsWith('comms_'))).toEqual([
      'comms_drafted',
      'comms_edited',
      'comms_edited',
    ]);
  });

  it('keeps both texts when two people save at once', async () => {
    const draft = await services.comms.draft(incident.id, 'engineering', 'U0TECH');
    const saves = await Promise.all(
      // two role holders (the permission model lets any of them edit a draft)
      ['U0CMD', 'U0COMMS'].map((actor) =>
        services.comms.edit({
          incidentId: incident.id,
          draftId: draft.id,
          baseVersion: 1,
          actor,
          text: `From ${actor}`,
        }),
      ),
    );
    expect(saves.map((s) => s.version.number).sort()).toEqual([2, 3]);
    expect(saves.filter((s) => s.editedMeanwhile)).toHaveLength(1);
    const stored = await services.comms.getDraft(incident.id, draft.id);
    expect(stored.versions.map((v) => v.text).sort()).toEqual(
      ['From U0CMD', 'From U0COMMS', stored.versions[0]!.text].sort(),
    );
  });

  describe('approval', () => {
    async function cleanCustomerDraft() {
      const draft = await services.comms.draft(incident.id, 'customer', 'U0COMMS');
      await services.comms.edit({
        incidentId: incident.id,
        draftId: draft.id,
        baseVersion: 1,
        actor: 'U0COMMS',
        text: CUSTOMER_TEXT,
      });
      callsBefore = slack.calls.length;
      return draft;
    }

    it('is limited to the audience’s approvers: not the commander for customers, yes the legal group', async () => {
      const draft = await cleanCustomerDraft();
      const byCommander = services.comms.approve({
        incidentId: incident.id,
        draftId: draft.id,
        version: 2,
        actor: 'U0CMD',
      });
      await expect(byCommander).rejects.toMatchObject({ code: 'comms_not_approver' });
      await expect(byCommander).rejects.toThrow(
        'Who may: the communications lead (<@U0COMMS>) or <!subteam^S0LEGAL>.',
      );
      expect(newCalls().map((c) => c.method)).toEqual(['usergroups.users.list']);
      expect((await services.comms.getDraft(incident.id, draft.id)).status).toBe('open');

      const outcome = await services.comms.approve({
        incidentId: incident.id,
        draftId: draft.id,
        version: 2,
        actor: 'U0COUNSEL',
      });
      expect(outcome.approved).toMatchObject({
        approvedBy: 'U0COUNSEL',
        version: 2,
        sha256: sha(CUSTOMER_TEXT),
      });
    });

    it('lets the holder of an approver role approve, and a configured user for another audience', async () => {
      const draft = await cleanCustomerDraft();
      await services.comms.approve({
        incidentId: incident.id,
        draftId: draft.id,
        version: 2,
        actor: 'U0COMMS',
      });
      expect(slack.callsTo('usergroups.users.list').length).toBe(0); // the role matched first

      const status = await services.comms.draft(incident.id, 'status-page', 'U0COMMS');
      await expect(
        services.comms.approve({ incidentId: incident.id, draftId: status.id, version: 1, actor: 'U0COMMS' }),
      ).rejects.toMatchObject({ code: 'comms_not_approver' });
      await services.comms.approve({
        incidentId: incident.id,
        draftId: status.id,
        version: 1,
        actor: 'U0VP',
      });
    });

    it('defaults to the commander and communications lead for audiences without approvers', async () => {
      const draft = await services.comms.draft(incident.id, 'engineering', 'U0TECH');
      await expect(
        services.comms.approve({ incidentId: incident.id, draftId: draft.id, version: 1, actor: 'U0TECH' }),
      ).rejects.toMatchObject({ code: 'comms_not_approver' });
      await services.comms.approve({
        incidentId: incident.id,
        draftId: draft.id,
        version: 1,
        actor: 'U0CMD',
      });
    });

    it('records approver, time and the text’s SHA-256 on the timeline and publishes to the destination', async () => {
      const draft = await cleanCustomerDraft();
      clock.set(new Date('2026-11-21T14:24:00Z'));
      const outcome = await services.comms.approve({
        incidentId: incident.id,
        draftId: draft.id,
        version: 2,
        actor: 'U0COMMS',
      });

      expect(newCalls().map((c) => [c.method, c.params.channel])).toEqual([
        ['chat.postMessage', 'C0CUSTOMERS'],
        ['chat.update', 'C0INC0001'],
      ]);
      const published = newCalls()[0]!.params;
      expect(published.text).toBe(CUSTOMER_TEXT);
      expect(published.blocks).toEqual([
        {
          type: 'section',
          text: { type: 'mrkdwn', text: CUSTOMER_TEXT },
        },
        {
          type: 'context',
          elements: [
            {
              type: 'mrkdwn',
              text: `INC-1 · Customer notice v2 · approved by <@U0COMMS> <!date^${Date.parse('2026-11-21T14:24:00Z') / 1000}^{date_short_pretty} at {time}|2026-11-21 14:24 UTC>`,
            },
          ],
        },
      ]);
      expect(published.unfurl_links).toBe('false');
      const update = newCalls()[1]!.params;
      expect(update.ts).toBe(draft.message!.ts);
      expect(update.text).toBe('Approved customer notice for INC-1 (v2)');
      expect(JSON.stringify(update.blocks)).not.toContain('"type":"actions"');
      expect(JSON.stringify(update.blocks)).toContain(`sha256 \`${sha(CUSTOMER_TEXT).slice(0, 16)}…\``);
      expect(JSON.stringify(update.blocks)).toContain(':mega: Published to <#C0CUSTOMERS>');

      const events = (await services.incidents.timeline(incident.id)).filter((e) =>
        e.kind.startsWith('comms_'),
      );
      expect(events.slice(-2)).toEqual([
        {
          incidentId: 'INC-1',
          at: '2026-11-21T14:24:00.000Z',
          actor: 'U0COMMS',
          kind: 'comms_approved',
          text: `approved the customer notice v2 (sha256 ${sha(CUSTOMER_TEXT).slice(0, 12)}…)`,
          data: {
            draftId: 'd1',
            audience: 'customer',
            version: 2,
            sha256: sha(CUSTOMER_TEXT),
            actor: 'U0COMMS',
            at: '2026-11-21T14:24:00.000Z',
            approver: 'U0COMMS',
            approvedAt: '2026-11-21T14:24:00.000Z',
            overridden: false,
          },
        },
        expect.objectContaining({
          kind: 'comms_published',
          data: expect.objectContaining({
            channel: 'C0CUSTOMERS',
            ts: outcome.publication!.kind === 'published' ? outcome.publication!.ts : '',
            drill: false,
          }),
        }),
      ]);
      expect((await services.comms.history(incident.id)).log.map((e) => e.kind)).toEqual([
        'approved',
        'published',
      ]);
    });

    it('refuses versions with lint errors, and stale versions', async () => {
      const draft = await services.comms.draft(incident.id, 'customer', 'U0COMMS');
      await expect(
        services.comms.approve({ incidentId: incident.id, draftId: draft.id, version: 1, actor: 'U0COMMS' }),
      ).rejects.toThrow(/v1 cannot be approved until its lint errors are fixed \(Edit\):\n• Fill in:/);
      await services.comms.edit({
        incidentId: incident.id,
        draftId: draft.id,
        baseVersion: 1,
        actor: 'U0TECH', // a role holder: the permission model lets them edit
        text: CUSTOMER_TEXT,
      });
      await expect(
        services.comms.approve({ incidentId: incident.id, draftId: draft.id, version: 1, actor: 'U0COMMS' }),
      ).rejects.toMatchObject({ code: 'comms_stale_version' });
      expect(slack.callsTo('chat.postMessage').filter((c) => c.params.channel === 'C0CUSTOMERS')).toEqual([]);
    });

    it('needs an explicit override with a reason for warnings, and records it', async () => {
      const draft = await services.comms.draft(incident.id, 'customer', 'U0COMMS');
      const text = CUSTOMER_TEXT.replace('From 14:05 UTC', 'Due to a bug in order lookups, from 14:05 UTC');
      await services.comms.edit({
        incidentId: incident.id,
        draftId: draft.id,
        baseVersion: 1,
        actor: 'U0COMMS',
        text,
      });
      const attempt = services.comms.approve({
        incidentId: incident.id,
        draftId: draft.id,
        version: 2,
        actor: 'U0COMMS',
      });
      await expect(attempt).rejects.toBeInstanceOf(LintOverrideRequiredError);
      const error = (await attempt.catch((e: unknown) => e)) as LintOverrideRequiredError;
      expect(error.warnings.map((w) => w.rule)).toEqual(['root-cause']);
      expect((await services.comms.getDraft(incident.id, draft.id)).status).toBe('open');

      await services.comms.approve({
        incidentId: incident.id,
        draftId: draft.id,
        version: 2,
        actor: 'U0COMMS',
        override: { reason: 'Engineering confirmed the lookup bug; legal agreed to name it.' },
      });
      const events = (await services.incidents.timeline(incident.id)).filter((e) =>
        e.kind.startsWith('comms_'),
      );
      expect(events.map((e) => e.kind)).toEqual([
        'comms_drafted',
        'comms_edited',
        'comms_lint_override',
        'comms_approved',
        'comms_published',
      ]);
      expect(events[2]).toMatchObject({
        actor: 'U0COMMS',
        text: 'overrode 1 lint warning on the customer notice v2: Engineering confirmed the lookup bug; legal agreed to name it.',
        data: { version: 2, sha256: sha(text), warnings: [expect.objectContaining({ rule: 'root-cause' })] },
      });
      expect(events[3]!.data.overridden).toBe(true);
      const log = (await services.comms.history(incident.id)).log;
      expect(log.map((e) => e.kind)).toEqual(['override', 'approved', 'published']);
    });

    it('decides a draft once: a second approval or a rejection afterwards is refused', async () => {
      const draft = await cleanCustomerDraft();
      const results = await Promise.allSettled([
        services.comms.approve({ incidentId: incident.id, draftId: draft.id, version: 2, actor: 'U0COMMS' }),
        services.comms.approve({
          incidentId: incident.id,
          draftId: draft.id,
          version: 2,
          actor: 'U0COUNSEL',
        }),
      ]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      expect(rejected.reason).toBeInstanceOf(QuellError);
      expect(
        slack.callsTo('chat.postMessage').filter((c) => c.params.channel === 'C0CUSTOMERS'),
      ).toHaveLength(1);
      await expect(
        services.comms.reject({ incidentId: incident.id, draftId: draft.id, version: 2, actor: 'U0COMMS' }),
      ).rejects.toMatchObject({ code: 'comms_draft_closed' });
    });

    it('rejects: closes the draft, keeps it on record, publishes nothing', async () => {
      const draft = await cleanCustomerDraft();
      await services.comms.reject({
        incidentId: incident.id,
        draftId: draft.id,
        version: 2,
        actor: 'U0COUNSEL',
      });
      // a group member is looked up too: guests and other organisations are refused by default
      expect(newCalls().map((c) => c.method)).toEqual(['usergroups.users.list', 'users.info', 'chat.update']);
      expect(newCalls()[2]!.params.text).toBe('Rejected customer notice for INC-1 (v2)');
      const { drafts, log } = await services.comms.history(incident.id);
      expect(drafts[0]).toMatchObject({ status: 'rejected' });
      expect(drafts[0]!.versions).toHaveLength(2);
      expect(log).toEqual([
        {
          kind: 'rejected',
          draftId: 'd1',
          audience: 'customer',
          version: 2,
          sha256: sha(CUSTOMER_TEXT),
          actor: 'U0COUNSEL',
          at: '2026-11-21T14:20:00.000Z',
        },
      ]);
      await expect(
        services.comms.edit({
          incidentId: incident.id,
          draftId: draft.id,
          baseVersion: 2,
          actor: 'U0X',
          text: 'late',
        }),
      ).rejects.toMatchObject({ code: 'comms_draft_closed' });
    });

    it('keeps the approval and records the failure when Slack refuses the publication', async () => {
      const draft = await cleanCustomerDraft();
      slack.failNext('chat.postMessage', 'not_in_channel');
      const outcome = await services.comms.approve({
        incidentId: incident.id,
        draftId: draft.id,
        version: 2,
        actor: 'U0COMMS',
      });
      expect(outcome.publication).toMatchObject({
        kind: 'publish_failed',
        channel: 'C0CUSTOMERS',
        error: 'not_in_channel',
      });
      expect((await services.comms.getDraft(incident.id, draft.id)).status).toBe('approved');
      const last = (await services.incidents.timeline(incident.id)).at(-1)!;
      expect(last).toMatchObject({
        kind: 'comms_publish_failed',
        text: 'could not publish the customer notice v2 to <#C0CUSTOMERS>: not_in_channel',
      });
      expect(JSON.stringify(slack.callsTo('chat.update').at(-1)!.params.blocks)).toContain(
        'Publishing to <#C0CUSTOMERS> failed (not_in_channel)',
      );
    });

    it('publishes nothing for an audience without a destination', async () => {
      const draft = await services.comms.draft(incident.id, 'support', 'U0COMMS');
      callsBefore = slack.calls.length;
      const outcome = await services.comms.approve({
        incidentId: incident.id,
        draftId: draft.id,
        version: 1,
        actor: 'U0CMD',
      });
      expect(outcome.publication).toBeUndefined();
      expect(newCalls().map((c) => c.method)).toEqual(['chat.update']);
    });

    it('publishes engineering updates in the incident channel itself', async () => {
      const draft = await services.comms.draft(incident.id, 'engineering', 'U0TECH');
      callsBefore = slack.calls.length;
      await services.comms.approve({
        incidentId: incident.id,
        draftId: draft.id,
        version: 1,
        actor: 'U0CMD',
      });
      expect(newCalls().map((c) => [c.method, c.params.channel])).toEqual([
        ['chat.postMessage', 'C0INC0001'],
        ['chat.update', 'C0INC0001'],
      ]);
    });
  });

  describe('drills', () => {
    it('never publish outside the incident channel', async () => {
      const drill = await declareRealisticIncident(services, { drill: true });
      const draft = await services.comms.draft(drill.id, 'status-page', 'U0COMMS');
      const blocks = JSON.stringify(slack.calls.at(-1)!.params.blocks);
      expect(blocks).toContain('drill: publishes here only (would go to <#C0STATUS>)');
      callsBefore = slack.calls.length;
      const outcome = await services.comms.approve({
        incidentId: drill.id,
        draftId: draft.id,
        version: 1,
        actor: 'U0VP',
      });

      expect(newCalls().map((c) => [c.method, c.params.channel])).toEqual([
        ['chat.postMessage', drill.channelId],
        ['chat.update', drill.channelId],
      ]);
      const published = newCalls()[0]!.params;
      expect(String(published.text)).toMatch(
        /^\[DRILL\] \[DRILL: do not post\] \*Contained\*|^\[DRILL\] \[DRILL: do not post\] \*Investigating\*/,
      );
      expect(JSON.stringify(published.blocks)).toContain(
        'in a real incident this would be published to <#C0STATUS>. It stays in this channel.',
      );
      expect(outcome.publication).toMatchObject({ kind: 'published', channel: drill.channelId, drill: true });
      expect(slack.calls.some((c) => c.params.channel === 'C0STATUS')).toBe(false);
      const last = (await services.incidents.timeline(drill.id)).at(-1)!;
      expect(last.data).toMatchObject({ drill: true, intendedChannel: 'C0STATUS' });
    });
  });

  it('history(incidentId) returns every draft, version, approval and publication for the evidence archive', async () => {
    const a = await services.comms.draft(incident.id, 'engineering', 'U0TECH');
    const b = await services.comms.draft(incident.id, 'support', 'U0COMMS');
    await services.comms.edit({
      incidentId: incident.id,
      draftId: b.id,
      baseVersion: 1,
      actor: 'U0COMMS',
      text: 'Support v2',
    });
    await services.comms.approve({ incidentId: incident.id, draftId: a.id, version: 1, actor: 'U0CMD' });
    await services.comms.reject({ incidentId: incident.id, draftId: b.id, version: 2, actor: 'U0CMD' });

    const history = await services.comms.history(incident.id);
    expect(history.incidentId).toBe('INC-1');
    expect(history.drafts.map((d) => [d.id, d.audience, d.status, d.versions.length])).toEqual([
      ['d1', 'engineering', 'approved', 1],
      ['d2', 'support', 'rejected', 2],
    ]);
    for (const draft of history.drafts)
      for (const version of draft.versions) expect(version.sha256).toBe(sha(version.text));
    expect(history.log.map((e) => [e.kind, e.draftId, e.version, e.actor])).toEqual([
      ['approved', 'd1', 1, 'U0CMD'],
      ['published', 'd1', 1, 'U0CMD'],
      ['rejected', 'd2', 2, 'U0CMD'],
    ]);
    expect(await services.comms.history('INC-999')).toEqual({ incidentId: 'INC-999', drafts: [], log: [] });
  });
});
