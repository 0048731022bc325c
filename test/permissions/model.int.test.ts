import { describe, expect, it, vi } from 'vitest';
import type { UserProfile } from '../../src/chat/port.js';
import { permissionsConfigSchema } from '../../src/incidents/authorize-config.js';
import { WorkspaceIdentity } from '../../src/incidents/authorize-workspace.js';
import type { Incident } from '../../src/incidents/model.js';
import { describeRule, RulePermissions, uncheckedNote } from '../../src/incidents/permissions.js';
import { TestClock } from '../helpers/services.js';

const incident: Incident = {
  id: 'INC-1',
  seq: 1,
  title: 'Agent mails customers',
  description: '',
  severity: 'sev1',
  status: 'investigating',
  drill: false,
  roles: { commander: 'U0CMD' },
  agent: {},
  declaredBy: 'U0DECLARER1',
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  nextUpdateDueAt: null,
  version: 1,
};

const member = (id: string, extra: Partial<UserProfile> = {}): UserProfile => ({
  id,
  name: id,
  isBot: false,
  deleted: false,
  teamId: 'T0HOME',
  ...extra,
});

function build(
  options: {
    groups?: Record<string, string[] | Error>;
    profiles?: Record<string, UserProfile | Error>;
    permissions?: unknown;
    responders?: { users: string[]; usergroups: string[] };
  } = {},
) {
  const logger = { warn: vi.fn() };
  const lookups = { users: 0, groups: 0 };
  const clock = new TestClock();
  const chat = {
    usergroupMembers: async (group: string) => {
      lookups.groups++;
      const members = options.groups?.[group];
      if (members instanceof Error) throw members;
      return members ?? [];
    },
    userInfo: async (user: string) => {
      lookups.users++;
      const profile = options.profiles?.[user] ?? member(user);
      if (profile instanceof Error) throw profile;
      return profile;
    },
  };
  const permissions = new RulePermissions({
    chat,
    logger,
    clock,
    workspace: new WorkspaceIdentity({ teamIds: ['T0HOME'] }),
    config: {
      permissions: permissionsConfigSchema.parse(options.permissions ?? {}),
      responders: options.responders ?? { users: ['U0ONCALL'], usergroups: [] },
    },
  });
  return { permissions, logger, lookups, clock };
}

describe('the permission model', () => {
  const rule = { roles: ['commander'] as const, users: ['U0ALICE'], usergroups: ['S0DOWN', 'S0LEGAL'] };

  it('allows role holders, listed users and group members; refuses everyone else', async () => {
    const { permissions } = build({ groups: { S0DOWN: [], S0LEGAL: ['U0LEGAL'] } });
    for (const actor of ['U0CMD', 'U0ALICE', 'U0LEGAL'])
      expect((await permissions.mayAct(actor, rule, incident)).allowed).toBe(true);
    expect(await permissions.mayAct('U0BOB', rule, incident)).toEqual({ allowed: false, unchecked: [] });
  });

  it('a failed group lookup grants nothing, says why and is logged; other groups still count', async () => {
    const { permissions, logger } = build({
      groups: { S0DOWN: new Error('ratelimited'), S0LEGAL: ['U0LEGAL'] },
    });
    const refused = await permissions.mayAct('U0BOB', rule, incident);
    expect(refused).toEqual({
      allowed: false,
      unchecked: ['could not check membership of <!subteam^S0DOWN>: ratelimited'],
    });
    expect(uncheckedNote(refused)).toBe(' (could not check membership of <!subteam^S0DOWN>: ratelimited)');
    expect(logger.warn).toHaveBeenCalledOnce();
    expect((await permissions.mayAct('U0LEGAL', rule, incident)).allowed).toBe(true);
  });

  it('refuses guests (multi- and single-channel) even in an allowed group, unless permissions.guests', async () => {
    const profiles = {
      U0GUEST1: member('U0GUEST1', { isRestricted: true }),
      U0GUEST2: member('U0GUEST2', { isUltraRestricted: true }),
    };
    const groups = { S0LEGAL: ['U0GUEST1', 'U0GUEST2'] };
    const { permissions } = build({ groups, profiles });
    for (const guest of ['U0GUEST1', 'U0GUEST2']) {
      const decision = await permissions.check(guest, 'note', incident, { rule });
      expect(decision).toMatchObject({ allowed: false, reason: expect.stringMatching(/^guests may not/) });
      expect((await permissions.check(guest, 'declare', undefined)).allowed).toBe(false);
    }
    const lenient = build({ groups, profiles, permissions: { guests: true } }).permissions;
    expect((await lenient.check('U0GUEST1', 'note', incident, { rule })).allowed).toBe(true);
  });

  it('refuses people from other organisations (Slack Connect), unless permissions.otherOrganisations', async () => {
    const profiles = { W0PARTNER1: member('W0PARTNER1', { teamId: 'T0PARTNER' }) };
    const { permissions } = build({ profiles });
    expect(await permissions.check('W0PARTNER1', 'declare', undefined)).toMatchObject({
      allowed: false,
      reason: expect.stringMatching(/other organisations/),
    });
    const lenient = build({ profiles, permissions: { otherOrganisations: true } }).permissions;
    expect((await lenient.check('W0PARTNER1', 'declare', undefined)).allowed).toBe(true);
  });

  it('a failed users.info refuses (fail closed) and says why', async () => {
    const { permissions } = build({ profiles: { U0ALICE9: new Error('users.info failed: ratelimited') } });
    const decision = await permissions.check('U0ALICE9', 'declare', undefined);
    expect(decision.allowed).toBe(false);
    expect(decision.unchecked).toEqual(['could not look up <@U0ALICE9>: users.info failed: ratelimited']);
  });

  it('admins and owners may do what `admins` grants; plain members may not', async () => {
    const profiles = {
      U0ADMIN: member('U0ADMIN', { isAdmin: true }),
      U0OWNER: member('U0OWNER', { isOwner: true }),
    };
    const { permissions } = build({ profiles });
    expect((await permissions.check('U0ADMIN', 'severity.lower', incident)).allowed).toBe(true);
    expect((await permissions.check('U0OWNER', 'gate.override', incident)).allowed).toBe(true);
    expect((await permissions.check('U0MEMBER', 'severity.lower', incident)).allowed).toBe(false);
  });

  it('caches profiles briefly: one lookup per person within the TTL, again after it; failures are not cached', async () => {
    const flaky = new Map<string, UserProfile | Error>([['U0FLAKY', new Error('timeout')]]);
    const { permissions, lookups, clock } = build({ profiles: Object.fromEntries(flaky) });
    await permissions.check('U0MEMBER', 'declare', undefined);
    await permissions.check('U0MEMBER', 'declare', undefined);
    expect(lookups.users).toBe(1);
    clock.advance(61_000);
    await permissions.check('U0MEMBER', 'declare', undefined);
    expect(lookups.users).toBe(2);
    await permissions.check('U0FLAKY', 'declare', undefined);
    await permissions.check('U0FLAKY', 'declare', undefined);
    expect(lookups.users).toBe(4);
  });

  it('role holders, listed users, responder ids and the declarer act without a lookup', async () => {
    const { permissions, lookups } = build();
    expect((await permissions.check('U0CMD', 'severity.lower', incident)).allowed).toBe(true);
    expect((await permissions.check('U0ONCALL', 'severity.lower', incident)).allowed).toBe(true);
    expect((await permissions.check('U0DECLARER1', 'agent.facts', incident)).allowed).toBe(true);
    expect(lookups.users).toBe(0);
  });

  describe('roles', () => {
    const noCommander: Incident = { ...incident, roles: {} };

    it('nobody may make themselves commander over the current one, unless a responder or admin', async () => {
      const { permissions } = build();
      const self = await permissions.check('U0MALLORY', 'role.commander', incident, { target: 'U0MALLORY' });
      expect(self.allowed).toBe(false);
      expect(self.who).toBe(
        'the incident commander (<@U0CMD>), a configured responder or a workspace admin or owner',
      );
      expect(
        (await permissions.check('U0ONCALL', 'role.commander', incident, { target: 'U0ONCALL' })).allowed,
      ).toBe(true);
      expect(
        (await permissions.check('U0CMD', 'role.commander', incident, { target: 'U0BOB' })).allowed,
      ).toBe(true);
    });

    it('taking an empty commander role is for responders only', async () => {
      const { permissions } = build({ profiles: { U0ADMIN: member('U0ADMIN', { isAdmin: true }) } });
      expect(
        (await permissions.check('U0MALLORY', 'role.commander', noCommander, { target: 'U0MALLORY' }))
          .allowed,
      ).toBe(false);
      expect(
        (await permissions.check('U0ONCALL', 'role.commander', noCommander, { target: 'U0ONCALL' })).allowed,
      ).toBe(true);
      const admin = await permissions.check('U0ADMIN', 'role.commander', noCommander, { target: 'U0ADMIN' });
      expect(admin).toMatchObject({ allowed: false, who: 'a configured responder' });
    });

    it('the technical lead is set by the commander, responders or admins; the scribe also by the tech lead', async () => {
      const { permissions } = build();
      const withLead: Incident = { ...incident, roles: { commander: 'U0CMD', 'tech-lead': 'U0LEAD' } };
      expect((await permissions.check('U0LEAD', 'role.tech-lead', withLead, { target: 'U0X' })).allowed).toBe(
        false,
      );
      expect((await permissions.check('U0LEAD', 'role.scribe', withLead, { target: 'U0X' })).allowed).toBe(
        true,
      );
      expect((await permissions.check('U0CMD', 'role.tech-lead', withLead, { target: 'U0X' })).allowed).toBe(
        true,
      );
    });
  });

  it('the config replaces an operation’s rule', async () => {
    const { permissions } = build({ permissions: { operations: { note: { members: true } } } });
    expect((await permissions.check('U0ANYONE', 'note', incident)).allowed).toBe(true);
    expect(permissions.ruleOf('note').source).toBe('permissions.operations.note');
    const strict = build({ permissions: { operations: { declare: { usergroups: ['S0ONCALL'] } } } });
    expect((await strict.permissions.check('U0ANYONE', 'declare', undefined)).allowed).toBe(false);
  });

  it('describes a rule in one wording, with role holders when the incident is known', () => {
    expect(describeRule(rule)).toBe(
      'the incident commander, <!subteam^S0DOWN>, <!subteam^S0LEGAL> or <@U0ALICE>',
    );
    expect(describeRule({ roles: ['commander', 'comms'], users: [], usergroups: [] }, incident)).toBe(
      'the incident commander (<@U0CMD>) or the communications lead (unassigned)',
    );
    expect(describeRule({ roles: [], users: [], usergroups: [], source: 'containment.authorized' })).toBe(
      'nobody (check `containment.authorized`)',
    );
  });
});
