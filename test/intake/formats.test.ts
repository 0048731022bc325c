import { describe, expect, it } from 'vitest';
import { authenticate, signBody } from '../../src/intake/auth.js';
import { intakeConfigSchema } from '../../src/intake/config.js';
import { FORMATS, genericAlertJsonSchema } from '../../src/intake/formats/index.js';
import { AlertRules } from '../../src/intake/rules.js';
import { alertmanagerPayload } from './fixtures.js';

/**
 * Conformance of the three formats with their documentation's examples, the two authentications,
 * and rule matching. Fixtures: Alertmanager's webhook_config payload (prometheus.io configuration
 * docs), LiteLLM's budget-alert webhook example (docs.litellm.ai/docs/proxy/alerting, PR 3748).
 */

/** LiteLLM's documented example body (the doc spells the date field projected_exceeded_data). */
const LITELLM_DOC_EXAMPLE = {
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

describe('Alertmanager v4', () => {
  it('reads every documented field of an alert', () => {
    const result = FORMATS.alertmanager(alertmanagerPayload());
    expect(result).toEqual({
      ok: true,
      alerts: [
        {
          fingerprint: '1a30ba71cca2921f',
          status: 'firing',
          startsAt: '2026-12-01T14:02:00.000Z',
          labels: expect.objectContaining({ alertname: 'PromptInjectionDetected', agent: 'helpdesk-agent' }),
          annotations: expect.objectContaining({
            summary: "Prompt injection detected in helpdesk-agent's tool calls",
          }),
          fields: expect.objectContaining({
            receiver: 'quell',
            externalURL: 'http://alertmanager.example.org:9093',
          }),
          summary: "Prompt injection detected in helpdesk-agent's tool calls",
          url: expect.stringMatching(/^http:\/\/prometheus\.example\.org:9090\/graph/),
        },
      ],
    });
  });

  it('refuses another version and says where a body is wrong', () => {
    expect(FORMATS.alertmanager({ ...alertmanagerPayload(), version: '3' })).toEqual({
      ok: false,
      reason:
        'not an Alertmanager v4 payload: version: version must be "4" (Alertmanager webhook payload version 4)',
    });
    const bad = alertmanagerPayload();
    (bad.alerts[0] as { startsAt: string }).startsAt = 'yesterday';
    const result = FORMATS.alertmanager(bad);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toMatch(/alerts\.0\.startsAt/);
  });

  it('derives a stable fingerprint from the labels when the sender sends none', () => {
    const a = alertmanagerPayload();
    delete (a.alerts[0] as { fingerprint?: string }).fingerprint;
    const first = FORMATS.alertmanager(a);
    const second = FORMATS.alertmanager(structuredClone(a));
    expect(first.ok && first.alerts[0]!.fingerprint).toMatch(/^[0-9a-f]{16}$/);
    expect(first.ok && first.alerts[0]!.fingerprint).toBe(second.ok && second.alerts[0]!.fingerprint);
  });
});

describe('LiteLLM budget alerts', () => {
  it('reads the documented example, keeping the hashed key out of labels and fields', () => {
    const result = FORMATS.litellm(LITELLM_DOC_EXAMPLE);
    expect(result.ok).toBe(true);
    const alert = result.ok ? result.alerts[0]! : undefined;
    expect(alert).toMatchObject({
      status: 'firing',
      labels: { event: 'budget_crossed', event_group: 'user', user_id: 'default_user_id' },
      fields: { spend: '1', max_budget: '0' },
      summary: 'User Budget: Budget Crossed',
    });
    expect(JSON.stringify(alert)).not.toContain(LITELLM_DOC_EXAMPLE.token);
    expect(alert!.fingerprint).toMatch(/^litellm-user-[0-9a-f]{16}$/);
  });

  it('refuses an event the doc does not list', () => {
    const result = FORMATS.litellm({ ...LITELLM_DOC_EXAMPLE, event: 'spend_report' });
    expect(result.ok).toBe(false);
  });
});

describe('generic schema', () => {
  it('takes one alert or a batch, and publishes its JSON Schema', () => {
    const one = FORMATS.generic({
      fingerprint: 'g-1',
      summary: 'jailbreak detected',
      labels: { agent: 'a' },
    });
    expect(one.ok && one.alerts).toHaveLength(1);
    const batch = FORMATS.generic({
      alerts: [
        { fingerprint: 'g-1', summary: 'x' },
        { fingerprint: 'g-2', summary: 'y', status: 'resolved' },
      ],
    });
    expect(batch.ok && batch.alerts.map((a) => a.status)).toEqual(['firing', 'resolved']);
    const schema = JSON.stringify(genericAlertJsonSchema());
    expect(schema).toContain('"fingerprint"');
    expect(schema).toContain('"summary"');
  });

  it('refuses unknown fields and unsafe fingerprints', () => {
    expect(FORMATS.generic({ fingerprint: 'g-1', summary: 'x', extra: 1 }).ok).toBe(false);
    expect(FORMATS.generic({ fingerprint: 'a b', summary: 'x' }).ok).toBe(false);
  });
});

describe('authentication', () => {
  const header = (h: Record<string, string>) => (name: string) => h[name.toLowerCase()];
  const base = {
    query: new URLSearchParams(),
    rawBody: Buffer.from('{"a":1}'),
    nowMs: 1_800_000_000_000,
    signatureWindowMs: 300_000,
  };
  const bearer = {
    format: 'alertmanager' as const,
    auth: 'bearer' as const,
    secretEnv: 'T',
    queryToken: false,
  };
  const hmac = { ...bearer, auth: 'hmac' as const };

  it('bearer: Bearer or Basic with the token as password; never the query unless allowed', () => {
    expect(
      authenticate({
        ...base,
        source: bearer,
        secret: 's3cret',
        header: header({ authorization: 'Bearer s3cret' }),
      }),
    ).toEqual({ ok: true });
    const basic = `Basic ${Buffer.from('alertmanager:s3cret').toString('base64')}`;
    expect(
      authenticate({ ...base, source: bearer, secret: 's3cret', header: header({ authorization: basic }) })
        .ok,
    ).toBe(true);
    expect(
      authenticate({
        ...base,
        source: bearer,
        secret: 's3cret',
        header: header({ authorization: 'Bearer nope' }),
      }),
    ).toEqual({
      ok: false,
      reason: 'the token is not valid for this source',
    });
    const query = new URLSearchParams('token=s3cret');
    expect(authenticate({ ...base, query, source: bearer, secret: 's3cret', header: header({}) }).ok).toBe(
      false,
    );
    expect(
      authenticate({
        ...base,
        query,
        source: { ...bearer, queryToken: true },
        secret: 's3cret',
        header: header({}),
      }).ok,
    ).toBe(true);
  });

  it('hmac: v0:<timestamp>:<body>, within the window either way', () => {
    const ts = String(base.nowMs / 1000);
    const good = header({
      'x-quell-request-timestamp': ts,
      'x-quell-signature': signBody('k', ts, base.rawBody),
    });
    expect(authenticate({ ...base, source: hmac, secret: 'k', header: good })).toEqual({
      ok: true,
      signature: signBody('k', ts, base.rawBody),
    });
    const ahead = String(base.nowMs / 1000 + 301);
    const future = header({
      'x-quell-request-timestamp': ahead,
      'x-quell-signature': signBody('k', ahead, base.rawBody),
    });
    expect(authenticate({ ...base, source: hmac, secret: 'k', header: future })).toEqual({
      ok: false,
      reason: 'stale: the timestamp is 301s from now (at most 300s)',
    });
    const tampered = { ...base, rawBody: Buffer.from('{"a":2}') };
    expect(authenticate({ ...tampered, source: hmac, secret: 'k', header: good })).toEqual({
      ok: false,
      reason: 'the signature does not match',
    });
  });
});

describe('rules', () => {
  const config = intakeConfigSchema.parse({
    sources: { am: { format: 'alertmanager', auth: 'bearer', secretEnv: 'T' } },
    rules: [
      {
        id: 'critical',
        match: { severity: ['critical', 'page'], agent: '*' },
        severity: 'sev1',
        title: '{{ labels.alertname }} on {{ labels.agent }}',
        agent: { name: '{{ labels.agent }}', model: '{{ labels.nothing }}' },
      },
      { id: 'rest', sources: ['am'], severity: 'sev4', title: 'Alert' },
    ],
  });
  const rules = new AlertRules(config.rules);
  const alert = {
    fingerprint: 'f',
    status: 'firing' as const,
    labels: { severity: 'page', agent: 'bot', alertname: 'X' },
    annotations: {},
    fields: {},
    summary: 's',
  };

  it('first match wins; templates render; empty facts are left out', () => {
    expect(rules.match('am', alert)).toEqual({
      rule: config.rules[0],
      title: 'X on bot',
      agent: { name: 'bot' },
    });
    expect(rules.match('am', { ...alert, labels: { severity: 'info' } })?.rule.id).toBe('rest');
    expect(rules.match('other', { ...alert, labels: {} })).toBeUndefined();
  });

  it('a broken template or an unknown source stops start-up with the rule named', () => {
    expect(() => new AlertRules([{ ...config.rules[1]!, title: '{{ labels.x | nope }}' }])).toThrow(
      /intake\.rules\[0\] \(rest\)\.title/,
    );
    expect(
      intakeConfigSchema.safeParse({ rules: [{ id: 'r', sources: ['ghost'], severity: 'sev1', title: 't' }] })
        .success,
    ).toBe(false);
  });
});
