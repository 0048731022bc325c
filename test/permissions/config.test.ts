import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/load.js';

describe('permissions and workspace config', () => {
  it('defaults: guests and other organisations refused, a minute of lookup cache, no overrides', () => {
    const config = parseConfigText('', 'quell.config.yml');
    expect(config.permissions).toEqual({
      guests: false,
      otherOrganisations: false,
      lookupCacheTtl: 60_000,
      operations: {},
    });
    expect(config.workspace).toEqual({ teamIds: [] });
  });

  it('replaces an operation’s rule, and names a misspelt operation or a bad id', () => {
    const config = parseConfigText(
      'permissions:\n  operations:\n    severity.lower: { usergroups: [S0ONCALL], admins: true }\n',
      'quell.config.yml',
    );
    expect(config.permissions.operations['severity.lower']).toMatchObject({
      usergroups: ['S0ONCALL'],
      admins: true,
      roles: [],
      members: false,
    });
    expect(() =>
      parseConfigText('permissions:\n  operations:\n    delcare: { members: true }\n', 'q.yml'),
    ).toThrow(/permissions\.operations/);
    expect(() => parseConfigText('workspace:\n  teamIds: [quell]\n', 'q.yml')).toThrow(/team id/);
  });
});
