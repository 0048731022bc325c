import { describe, expect, it } from 'vitest';
import { apiConfigSchema } from '../../src/api/config.js';
import { ApiTokens, TokenAwarePermissions } from '../../src/api/index.js';
import { ConfigError } from '../../src/config/load.js';
import { DEFAULT_GRANTS } from '../../src/incidents/authorize-config.js';
import type { Incident } from '../../src/incidents/model.js';

const VALUE = 'a'.repeat(32);
const config = (tokens: Record<string, unknown>) => apiConfigSchema.parse({ tokens });

describe('API tokens', () => {
  it('authenticates by value, keeps no value, and names the token as an actor', () => {
    const tokens = new ApiTokens(config({ ci: { tokenEnv: 'T_CI', scopes: ['read'] } }), { T_CI: VALUE });
    expect(tokens.authenticate(VALUE)).toEqual({
      name: 'ci',
      actor: 'quell:api:ci',
      scopes: ['read'],
      standing: 'member',
      privateIncidents: false,
    });
    expect(tokens.authenticate(`${VALUE}b`)).toBeUndefined();
    expect(JSON.stringify(tokens)).not.toContain(VALUE);
  });

  it('stops start-up when the variable is unset or the token is short', () => {
    const cfg = config({ ci: { tokenEnv: 'T_CI', scopes: ['read'] } });
    expect(() => new ApiTokens(cfg, {})).toThrow(ConfigError);
    expect(() => new ApiTokens(cfg, {})).toThrow(
      'api.tokens.ci.tokenEnv names T_CI, but that environment variable is not set',
    );
    expect(() => new ApiTokens(cfg, { T_CI: 'short' })).toThrow('shorter than 24 characters');
    expect(() => config({ ci: { tokenEnv: 'T_CI', scopes: [] } })).toThrow('at least one scope');
  });
});

describe('the permission model for tokens', () => {
  const tokens = new ApiTokens(
    config({
      member: { tokenEnv: 'A', scopes: ['write'] },
      responder: { tokenEnv: 'B', scopes: ['write'], standing: 'responder' },
    }),
    { A: VALUE, B: 'b'.repeat(32) },
  );
  const permissions = new TokenAwarePermissions(
    { chat: { usergroupMembers: async () => [] }, logger: { warn: () => {} } },
    tokens,
  );
  const incident = { declaredBy: 'quell:api:member', roles: {} } as unknown as Incident;
  const rule = (op: keyof typeof DEFAULT_GRANTS) => ({ ...DEFAULT_GRANTS[op], source: op });

  it('a member token: declare and what the declarer may; never the leads-only operations', async () => {
    expect((await permissions.mayAct('quell:api:member', rule('declare'), undefined)).allowed).toBe(true);
    expect((await permissions.mayAct('quell:api:member', rule('note'), incident)).allowed).toBe(true);
    expect((await permissions.mayAct('quell:api:member', rule('severity.lower'), incident)).allowed).toBe(
      false,
    );
    const other = { ...incident, declaredBy: 'U0ALICE' } as Incident;
    expect((await permissions.mayAct('quell:api:member', rule('note'), other)).allowed).toBe(false);
  });

  it('a responder token: what configured responders may', async () => {
    const other = { ...incident, declaredBy: 'U0ALICE' } as Incident;
    expect((await permissions.mayAct('quell:api:responder', rule('severity.lower'), other)).allowed).toBe(
      true,
    );
    expect((await permissions.mayAct('quell:api:responder', rule('resolve'), other)).allowed).toBe(true);
  });

  it('an API actor no token names is refused, never trusted like an alert rule', async () => {
    expect((await permissions.mayAct('quell:api:gone', rule('note'), incident)).allowed).toBe(false);
  });
});
