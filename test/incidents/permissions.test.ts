import { describe, expect, it, vi } from 'vitest';
import type { Incident } from '../../src/incidents/model.js';
import { describeRule, RulePermissions, uncheckedNote } from '../../src/incidents/permissions.js';

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
  declaredBy: 'U0CMD',
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  nextUpdateDueAt: null,
  version: 1,
};

function build(groups: Record<string, string[] | Error>) {
  const logger = { warn: vi.fn() };
  const chat = {
    usergroupMembers: async (group: string) => {
      const members = groups[group];
      if (members instanceof Error) throw members;
      return members ?? [];
    },
  };
  return { permissions: new RulePermissions({ chat, logger }), logger };
}

describe('who may act', () => {
  const rule = { roles: ['commander'] as const, users: ['U0ALICE'], usergroups: ['S0DOWN', 'S0LEGAL'] };

  it('allows role holders, listed users and group members; refuses everyone else', async () => {
    const { permissions } = build({ S0DOWN: [], S0LEGAL: ['U0LEGAL'] });
    for (const actor of ['U0CMD', 'U0ALICE', 'U0LEGAL'])
      expect((await permissions.mayAct(actor, rule, incident)).allowed).toBe(true);
    expect(await permissions.mayAct('U0BOB', rule, incident)).toEqual({ allowed: false, unchecked: [] });
  });

  it('a failed group lookup grants nothing, says why and is logged; other groups still count', async () => {
    const { permissions, logger } = build({ S0DOWN: new Error('ratelimited'), S0LEGAL: ['U0LEGAL'] });
    const refused = await permissions.mayAct('U0BOB', rule, incident);
    expect(refused).toEqual({
      allowed: false,
      unchecked: ['could not check membership of <!subteam^S0DOWN>: ratelimited'],
    });
    expect(uncheckedNote(refused)).toBe(' (could not check membership of <!subteam^S0DOWN>: ratelimited)');
    expect(logger.warn).toHaveBeenCalledOnce();
    expect((await permissions.mayAct('U0LEGAL', rule, incident)).allowed).toBe(true);
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
