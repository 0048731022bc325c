import { createPublicKey, createVerify } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nock from 'nock';
import { afterAll, describe, expect, it } from 'vitest';
import { APP_JWT_PLACEHOLDER } from '../../src/containment/adapters/github-app.js';
import { containmentConfigSchema } from '../../src/containment/config.js';
import { buildContainmentRegistry } from '../../src/containment/registry.js';
import { GITHUB_APP_PEM } from './fixtures-identity.js';
import { COMMANDER, containmentHarness, runContainment } from './harness.js';

/**
 * The GitHub App's private key, read from a file, signs the App JWT
 * (https://docs.github.com/en/apps/creating-github-apps/authenticating-with-a-github-app/generating-a-json-web-token-jwt-for-a-github-app)
 * and never appears in logs, the audit, the timeline or Slack; neither does the JWT.
 */
const dir = mkdtempSync(join(tmpdir(), 'quell-gh-app-'));
const keyFile = join(dir, 'app.pem');
writeFileSync(keyFile, GITHUB_APP_PEM, { mode: 0o600 });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const installation = (suspendedAt: string | null) => ({
  id: 48213377,
  account: { login: 'acme' },
  suspended_at: suspendedAt,
});

describe('github-app: key from a file', () => {
  it('signs a valid RS256 App JWT; the key and the JWT reach no record', async () => {
    const harness = await containmentHarness({
      containment: {
        retries: 0,
        actions: {
          'suspend-app': {
            adapter: 'github-app',
            settings: { appId: 'Iv23liQuellTest01', installationId: 48213377, privateKeyFile: keyFile },
          },
        },
      },
    });
    const jwts: string[] = [];
    const capture = function (this: { req: { headers: Record<string, string> } }) {
      jwts.push(String(this.req.headers.authorization).replace(/^Bearer /, ''));
    };
    try {
      nock('https://api.github.com')
        .get('/app/installations/48213377')
        .reply(function () {
          capture.call(this as never);
          return [200, installation(null)];
        })
        .put('/app/installations/48213377/suspended')
        .reply(function () {
          capture.call(this as never);
          return [204, ''];
        })
        .get('/app/installations/48213377')
        .reply(200, installation('2026-11-21T14:00:01Z'));
      const report = await runContainment(harness, COMMANDER, 'suspend-app');
      expect(report.groups[0]![0]).toMatchObject({ state: 'ok', verify: { outcome: 'verified' } });
      expect(jwts).toHaveLength(2);
      const [header, payload, signature] = jwts[0]!.split('.');
      const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString());
      expect(JSON.parse(Buffer.from(header!, 'base64url').toString())).toEqual({ alg: 'RS256', typ: 'JWT' });
      expect(claims.iss).toBe('Iv23liQuellTest01');
      expect(claims.exp - claims.iat).toBeLessThanOrEqual(600);
      expect(claims.iat).toBeLessThan(Date.parse('2026-11-21T14:00:00Z') / 1000);
      const valid = createVerify('RSA-SHA256')
        .update(`${header}.${payload}`)
        .verify(createPublicKey(GITHUB_APP_PEM), Buffer.from(signature!, 'base64url'));
      expect(valid).toBe(true);

      const audit = await harness.services.containment.audit(harness.incident.id);
      const everything = JSON.stringify([
        report,
        audit,
        await harness.services.containment.runs(harness.incident.id),
        await harness.services.incidents.timeline(harness.incident.id),
        harness.slack.calls,
        harness.logLines,
      ]);
      const keyBody = GITHUB_APP_PEM.split('\n')[1]!;
      expect(everything).not.toContain(keyBody);
      for (const jwt of jwts) {
        expect(everything).not.toContain(jwt);
        expect(everything).not.toContain(jwt.split('.')[2]!);
      }
      expect(JSON.stringify(audit)).toContain(APP_JWT_PLACEHOLDER);
    } finally {
      await harness.close();
    }
  });

  it('a key file that cannot be read stops start-up naming the field and path, never content', () => {
    const config = containmentConfigSchema.parse({
      actions: {
        'suspend-app': {
          adapter: 'github-app',
          settings: { appId: 904211, installationId: 48213377, privateKeyFile: join(dir, 'missing.pem') },
        },
      },
    });
    expect(() => buildContainmentRegistry(config, {})).toThrow(
      /containment\.actions\.suspend-app\.settings: cannot read the privateKey file .*missing\.pem: ENOENT/,
    );
  });

  it('neither a privateKey secret nor a file (or both) is a config error naming the field', () => {
    const parse = (action: Record<string, unknown>) =>
      containmentConfigSchema.safeParse({ actions: { 'suspend-app': { adapter: 'github-app', ...action } } });
    const neither = parse({ settings: { appId: 904211, installationId: 48213377 } });
    expect(neither.success).toBe(false);
    expect(neither.error!.issues[0]).toMatchObject({
      path: ['actions', 'suspend-app', 'secrets', 'privateKey'],
      message: expect.stringContaining('privateKeyFile'),
    });
    const both = parse({
      settings: { appId: 904211, installationId: 48213377, privateKeyFile: keyFile },
      secrets: { privateKey: 'GH_APP_KEY' },
    });
    expect(both.error!.issues[0]!.path).toEqual(['actions', 'suspend-app', 'settings', 'privateKeyFile']);
  });
});
