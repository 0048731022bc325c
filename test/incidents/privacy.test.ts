import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/load.js';
import { isPrivateIncident } from '../../src/incidents/privacy.js';

/** Which incidents are private: the declarer's word, else `incidents.privateByDefault`. */

describe('incidents.privateByDefault', () => {
  it('defaults to security and privacy incidents, no severity', () => {
    const { privateByDefault } = parseConfigText('', 'test').incidents;
    expect(privateByDefault).toEqual({ severities: [], categories: ['security', 'privacy'] });
    expect(isPrivateIncident(privateByDefault, { severity: 'sev1', category: 'security' })).toBe(true);
    expect(isPrivateIncident(privateByDefault, { severity: 'sev1', category: 'operational' })).toBe(false);
    expect(isPrivateIncident(privateByDefault, { severity: 'sev1' })).toBe(false);
  });

  it('the declarer’s --private and --public win over the defaults', () => {
    const defaults = { severities: ['sev1' as const], categories: ['privacy' as const] };
    expect(isPrivateIncident(defaults, { severity: 'sev1', private: false })).toBe(false);
    expect(isPrivateIncident(defaults, { severity: 'sev4', category: 'safety', private: true })).toBe(true);
    expect(isPrivateIncident(defaults, { severity: 'sev1' })).toBe(true);
    expect(isPrivateIncident(defaults, { severity: 'sev3', category: 'privacy' })).toBe(true);
  });

  it('names the bad field of a category or severity that does not exist', () => {
    expect(() =>
      parseConfigText('incidents:\n  privateByDefault:\n    categories: [secret]', 'quell.config.yml'),
    ).toThrow(/incidents\.privateByDefault\.categories/);
    expect(() =>
      parseConfigText('incidents:\n  privateByDefault:\n    severities: [sev9]', 'quell.config.yml'),
    ).toThrow(/incidents\.privateByDefault\.severities/);
  });
});
