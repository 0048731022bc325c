import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordedCalls } from '../../src/containment/adapters/recording.js';
import type { Incident } from '../../src/incidents/model.js';
import { signBody } from '../../src/intake/index.js';
import { type LocalQuell, startLocalQuell } from '../../src/local/harness.js';
import { LOCAL_IDS } from '../../src/local/seed.js';
import { createLogger } from '../../src/logging/logger.js';
import { registry } from '../../src/ops/index.js';
import { openTestRedis } from '../helpers/redis.js';
import { testConfig } from '../helpers/services.js';
import { alertmanagerPayload } from './fixtures.js';

/**
 * Alert intake end to end: real HTTP to Quell's receiver port, the local Slack emulator, real Redis
 * and the job runtime. Each test uses its own fingerprints, so they share one Quell.
 */

const I = LOCAL_IDS;
const AM_TOKEN = 'am-token-for-tests-0123456789';
const GUARD_SECRET = 'guardrail-signing-secret-abcdef';
const LITELLM_TOKEN = 'litellm-token-for-tests-987';

const CONFIG = `
containment:
  actions:
    freeze-agent: { adapter: recording, description: "Pause the agent's work queue" }
    revoke-sessions: { adapter: recording, settings: { irreversible: true, undoable: false } }
  playbooks:
    stop-agent: { description: "Stop the agent", steps: [freeze-agent, revoke-sessions] }
intake:
  coalesceEvery: 1s
  sources:
    alertmanager: { format: alertmanager, auth: bearer, secretEnv: QUELL_AM_TOKEN }
    guardrail: { format: generic, auth: hmac, secretEnv: QUELL_GUARD_SECRET }
    litellm: { format: litellm, auth: bearer, secretEnv: QUELL_LITELLM_TOKEN, queryToken: true }
  rules:
    - id: prompt-injection
      sources: [alertmanager]
      match: { alertname: PromptInjectionDetected }
      severity: sev1
      title: "Prompt injection on {{ labels.agent }}"
      agent: { name: "{{ labels.agent }}", model: "{{ labels.model }}", environment: "{{ labels.env }}" }
      commander: ${I.bob}
      playbook: stop-agent
      decisionDeadline: 2s
    - id: tool-anomaly
      sources: [guardrail]
      match: { detector: tool-anomaly }
      severity: sev2
      title: "Tool-call anomaly: {{ summary }}"
      playbook: stop-agent
      autoRun: true
    - id: guardrail-drill
      sources: [guardrail]
      match: { detector: game-day }
      severity: sev3
      title: "Game day: {{ summary }}"
      drill: true
      playbook: stop-agent
      autoRun: true
    - id: budget
      sources: [litellm]
      match: { event: budget_crossed }
      severity: sev3
      title: "LiteLLM budget crossed for {{ labels.event_group }} {{ labels.user_id }}"
`;

let local: LocalQuell;
let cleanup: () => Promise<void>;
let base: string;

beforeAll(async () => {
  const env = await openTestRedis();
  cleanup = env.cleanup;
  local = await startLocalQuell({
    config: testConfig(env.prefix, CONFIG),
    redis: env.redis,
    logger: createLogger('silent'),
    secrets: {
      QUELL_AM_TOKEN: AM_TOKEN,
      QUELL_GUARD_SECRET: GUARD_SECRET,
      QUELL_LITELLM_TOKEN: LITELLM_TOKEN,
    },
  });
  base = `http://127.0.0.1:${local.runtime.port}`;
});

afterAll(async () => {
  await local?.stop();
  await cleanup?.();
});

const POLL = 10_000;

/** Re-checks `check` (which may read Redis) until it returns something truthy. */
async function until<T>(check: () => Promise<T | undefined | false>, timeoutMs = POLL): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() - started > timeoutMs) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function postAlertmanager(body: unknown, token = AM_TOKEN) {
  return fetch(`${base}/api/alerts/alertmanager`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

function postSigned(body: unknown, options: { timestamp?: number; secret?: string; raw?: string } = {}) {
  const raw = options.raw ?? JSON.stringify(body);
  const timestamp = String(options.timestamp ?? Math.floor(Date.now() / 1000));
  return fetch(`${base}/api/alerts/guardrail`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-quell-request-timestamp': timestamp,
      'x-quell-signature': signBody(options.secret ?? GUARD_SECRET, timestamp, raw),
    },
    body: raw,
  });
}

async function incidents(): Promise<Incident[]> {
  return local.runtime.services.store.listActive();
}

async function incidentTitled(prefix: string): Promise<Incident> {
  return until(async () => {
    const found = (await incidents()).find((i) => i.title.startsWith(prefix) && i.channelId);
    return found;
  }, POLL);
}

function cardIn(channel: string) {
  return local.slack
    .messages(channel)
    .filter((m) => typeof m.text === 'string' && (m.text as string).startsWith('Alert from'));
}

async function metricValue(source: string, outcome: string): Promise<number> {
  const metric = await registry.getSingleMetric('quell_alerts_total')?.get();
  return metric?.values.find((v) => v.labels.source === source && v.labels.outcome === outcome)?.value ?? 0;
}

describe('POST /api/alerts/alertmanager', () => {
  it('declares a SEV1 with agent facts, the commander and a suggested playbook; repeats coalesce; resolved is recorded', async () => {
    const res = await postAlertmanager(alertmanagerPayload({ fingerprint: 'a1b2c3d4e5f60001' }));
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({
      accepted: 1,
      results: [
        { fingerprint: 'a1b2c3d4e5f60001', status: 'firing', outcome: 'accepted', rule: 'prompt-injection' },
      ],
    });
    const incident = await incidentTitled('Prompt injection on helpdesk-agent');
    expect(incident).toMatchObject({
      severity: 'sev1',
      status: 'investigating',
      agent: { name: 'helpdesk-agent', model: 'gpt-4.1', environment: 'production' },
      declaredBy: 'quell:alert:a1b2c3d4e5f60001',
    });
    const channel = incident.channelId!;
    const card = await local.slack.waitFor(() => cardIn(channel)[0], POLL);
    const blocks = JSON.stringify(card.blocks);
    expect(blocks).toContain('playbook `stop-agent`');
    expect(blocks).toContain('"action_id":"quell_intake_run"');
    expect(blocks).toContain(`"value":"${incident.id}|playbook|stop-agent"`);
    expect(blocks).toContain(`"value":"${incident.id}|action|revoke-sessions"`);
    // the rule's commander holds the role
    await local.slack.waitFor(
      async () => (await local.runtime.services.store.require(incident.id)).roles.commander === I.bob,
      POLL,
    );

    // the same alert firing again (a new startsAt) adds to the incident; three repeats, one card
    for (const startsAt of ['2026-12-01T14:05:00Z', '2026-12-01T14:06:00Z', '2026-12-01T14:07:00Z'])
      expect(
        (await postAlertmanager(alertmanagerPayload({ fingerprint: 'a1b2c3d4e5f60001', startsAt }))).status,
      ).toBe(202);
    await local.slack.waitFor(() => {
      const cards = cardIn(channel);
      return cards.length === 1 && String(cards[0]!.text).endsWith('fired 4 times') ? cards : undefined;
    }, POLL);
    expect(JSON.stringify(cardIn(channel)[0]!.blocks)).toContain('Fired 4 times since');
    const fired = (await local.runtime.services.incidents.timeline(incident.id)).filter(
      (e) => e.kind === 'alert_fired',
    );
    expect(fired.map((e) => e.data.count).at(-1)).toBe(4);
    expect(fired.length).toBeLessThanOrEqual(3);
    expect(
      (await incidents()).filter((i) => i.title.startsWith('Prompt injection on helpdesk-agent')),
    ).toHaveLength(1);

    // resolved at the source: recorded, the incident stays open
    const resolved = alertmanagerPayload({
      fingerprint: 'a1b2c3d4e5f60001',
      startsAt: '2026-12-01T14:07:00Z',
      status: 'resolved',
    });
    expect((await postAlertmanager(resolved)).status).toBe(202);
    await local.slack.waitFor(
      async () =>
        (await local.runtime.services.incidents.timeline(incident.id)).find(
          (e) => e.kind === 'alert_resolved',
        ),
      POLL,
    );
    expect((await local.runtime.services.store.require(incident.id)).status).toBe('investigating');
    await local.slack.waitFor(
      () => JSON.stringify(cardIn(channel)[0]?.blocks).includes('Resolved at the source'),
      POLL,
    );

    // the decision deadline (2 s) passes; the commander never acted: the channel is reminded
    const reminder = await local.slack.waitFor(
      () => local.slack.messages(channel).find((m) => String(m.text).startsWith('Decision deadline passed')),
      POLL,
    );
    expect(JSON.stringify(reminder.blocks)).toContain(`<@${I.bob}>, no decision has been recorded`);
  });

  it('refuses bad credentials and a replayed notification, and creates nothing', async () => {
    const before = (await incidents()).length;
    const payload = alertmanagerPayload({ fingerprint: 'feedbeef00000002', agent: 'replay-agent' });
    const bad = await postAlertmanager(payload, 'wrong-token');
    expect(bad.status).toBe(401);
    expect(await bad.json()).toEqual({ error: 'the token is not valid for this source' });
    const none = await fetch(`${base}/api/alerts/alertmanager`, {
      method: 'POST',
      body: JSON.stringify(payload),
    });
    expect(none.status).toBe(401);
    expect(await none.json()).toEqual({ error: 'no credentials: send Authorization: Bearer <token>' });
    expect((await postAlertmanager({ version: '3', alerts: [] })).status).toBe(400);

    expect((await postAlertmanager(payload)).status).toBe(202);
    const replay = await postAlertmanager(payload);
    expect(replay.status).toBe(400);
    expect(((await replay.json()) as { error: string }).error).toMatch(/^replayed: /);
    await incidentTitled('Prompt injection on replay-agent');
    // give the replay every chance to do something, then check it did not
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await incidents()).length).toBe(before + 1);
    expect(await metricValue('alertmanager', 'refused')).toBeGreaterThanOrEqual(3);
    expect(await metricValue('alertmanager', 'replayed')).toBeGreaterThanOrEqual(1);
  });

  it('counts an alert no rule matches and declares nothing', async () => {
    const before = (await incidents()).length;
    const counted = await metricValue('alertmanager', 'unmatched');
    const res = await postAlertmanager(
      alertmanagerPayload({ fingerprint: 'c0ffee0000000003', alertname: 'DiskFull' }),
    );
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({
      accepted: 0,
      results: [{ fingerprint: 'c0ffee0000000003', status: 'firing', outcome: 'unmatched' }],
    });
    expect(await metricValue('alertmanager', 'unmatched')).toBe(counted + 1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await incidents()).length).toBe(before);
  });
});

describe('POST /api/alerts/guardrail (HMAC-signed generic alerts)', () => {
  it('refuses stale, unsigned, wrongly signed and replayed deliveries', async () => {
    const alert = {
      fingerprint: 'guard-sig-0001',
      summary: 'never declared',
      labels: { detector: 'tool-anomaly' },
    };
    const stale = await postSigned(alert, { timestamp: Math.floor(Date.now() / 1000) - 600 });
    expect(stale.status).toBe(401);
    expect(((await stale.json()) as { error: string }).error).toMatch(
      /^stale: the timestamp is \d+s from now/,
    );
    const forged = await postSigned(alert, { secret: 'not-the-secret' });
    expect(await forged.json()).toEqual({ error: 'the signature does not match' });
    const unsigned = await fetch(`${base}/api/alerts/guardrail`, {
      method: 'POST',
      body: JSON.stringify(alert),
    });
    expect(unsigned.status).toBe(401);
    const malformed = await postSigned({ fingerprint: 'x y', summary: '' });
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { error: string }).error).toMatch(/^not a Quell generic alert: /);

    const raw = JSON.stringify({ ...alert, labels: { detector: 'nothing-matches' } });
    const timestamp = Math.floor(Date.now() / 1000);
    expect((await postSigned(undefined, { raw, timestamp })).status).toBe(202);
    const again = await postSigned(undefined, { raw, timestamp });
    expect(again.status).toBe(401);
    expect(await again.json()).toEqual({ error: 'replayed: this signature was already received' });
    expect((await incidents()).some((i) => i.title.includes('never declared'))).toBe(false);
  });

  it('an auto-run rule runs only the reversible actions, audited as "Quell on alert <id>"', async () => {
    const res = await postSigned({
      fingerprint: 'guard-auto-0001',
      summary: 'agent called delete_user 40 times',
      labels: { detector: 'tool-anomaly', agent: 'ops-agent' },
    });
    expect(res.status).toBe(202);
    const incident = await incidentTitled('Tool-call anomaly: agent called delete_user');
    const audit = await until(async () => {
      const entries = await local.runtime.services.containment.audit(incident.id);
      return entries.some((e) => e.event === 'verified') ? entries : undefined;
    }, POLL);
    expect(new Set(audit.map((e) => e.action))).toEqual(new Set(['freeze-agent']));
    expect(audit.every((e) => e.actor === 'quell:alert:guard-auto-0001')).toBe(true);
    const calls = recordedCalls.filter((c) => c.incidentId === incident.id);
    expect(calls.filter((c) => c.phase === 'execute').map((c) => c.actionName)).toEqual(['freeze-agent']);
    const channel = incident.channelId!;
    const card = await local.slack.waitFor(
      () => cardIn(channel).find((m) => JSON.stringify(m.blocks).includes('Run automatically')),
      POLL,
    );
    expect(JSON.stringify(card.blocks)).toContain('Waiting for a person: `revoke-sessions`');

    // the irreversible one waits for a person: Alice (a responder) presses Run and gets the confirmation
    await local.slack.clickAction({
      user: I.alice,
      container: { type: 'message', channel, ts: String(card.ts) },
      actionId: 'quell_intake_run',
      blockId: 'intake_action_1',
    });
    const confirmation = await local.slack.waitFor(
      () =>
        local.slack
          .ephemerals({ user: I.alice, channel })
          .find((e) => JSON.stringify([e.text, e.blocks]).includes('IRREVERSIBLE')),
      POLL,
    );
    expect(JSON.stringify(confirmation.blocks)).toContain('revoke-sessions');
    // Dev is no responder: refused, and nothing ran
    await local.slack.clickAction({
      user: I.dev,
      container: { type: 'message', channel, ts: String(card.ts) },
      actionId: 'quell_intake_run',
      blockId: 'intake_playbook',
    });
    await local.slack.waitFor(
      () =>
        local.slack
          .ephemerals({ user: I.dev, channel })
          .find((e) => e.text.startsWith(':warning: You are not authorized to run `freeze-agent`')),
      POLL,
    );
    expect(
      recordedCalls.filter((c) => c.incidentId === incident.id && c.actionName === 'revoke-sessions'),
    ).toEqual([]);
  });

  it('a drill stays in its channel: no announcement, containment only as a dry run', async () => {
    const outside = [I.announcements, I.general, I.support].map((c) => local.slack.messages(c).length);
    const res = await postSigned({
      fingerprint: 'guard-drill-0001',
      summary: 'rehearse a runaway agent',
      labels: { detector: 'game-day' },
    });
    expect(res.status).toBe(202);
    const incident = await incidentTitled('Game day: rehearse a runaway agent');
    expect(incident.drill).toBe(true);
    const audit = await until(async () => {
      const entries = await local.runtime.services.containment.audit(incident.id);
      return entries.length ? entries : undefined;
    }, POLL);
    expect(audit.every((e) => e.dryRun)).toBe(true);
    await local.slack.waitFor(() => cardIn(incident.channelId!)[0], POLL);
    expect(recordedCalls.filter((c) => c.incidentId === incident.id)).toEqual([]);
    expect([I.announcements, I.general, I.support].map((c) => local.slack.messages(c).length)).toEqual(
      outside,
    );
  });
});

describe('POST /api/alerts/litellm', () => {
  it('takes a documented budget alert with the token in the query string', async () => {
    const body = {
      spend: 1,
      max_budget: 0,
      token: '88dc28d0f030c55ed4ab77ed8faf098196cb1c05df778539800c9f1243fe6b4b',
      user_id: 'default_user_id',
      team_id: null,
      user_email: null,
      key_alias: null,
      projected_exceeded_data: null,
      projected_spend: null,
      event: 'budget_crossed',
      event_group: 'user',
      event_message: 'User Budget: Budget Crossed',
    };
    const res = await fetch(`${base}/api/alerts/litellm?token=${LITELLM_TOKEN}`, {
      method: 'POST',
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(202);
    const incident = await incidentTitled('LiteLLM budget crossed for user default_user_id');
    expect(incident.severity).toBe('sev3');
    const card = await local.slack.waitFor(() => cardIn(incident.channelId!)[0], POLL);
    // the hashed key is used for the fingerprint only, never shown
    expect(JSON.stringify(card)).not.toContain(body.token);
  });
});
