import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/load.js';
import { historyRates, pageSizes } from '../../src/evidence/config.js';
import { paceKeyOf } from '../../src/slack/web-api-pacing.js';

const evidence = (text: string) => parseConfigText(`evidence:\n${text}`, 'pace-test').evidence;

describe("the archive's pace follows how the app is distributed", () => {
  it('internal apps: Tier 3 (about 50 calls a minute), 999/1000 messages a page', () => {
    const config = evidence('  pace: tier3\n');
    expect(pageSizes(config)).toEqual({ history: 999, replies: 1000 });
    expect(paceKeyOf('conversations.history', undefined, historyRates(config))?.rate).toEqual({
      perMinute: 50,
      burst: 50,
    });
  });

  it('commercially distributed outside the Marketplace: about 1 call a minute, 15 messages a page', () => {
    const config = evidence('  pace: non-marketplace\n');
    expect(pageSizes(config)).toEqual({ history: 15, replies: 15 });
    const rates = historyRates(config);
    expect(paceKeyOf('conversations.history', undefined, rates)?.rate).toEqual({ perMinute: 1, burst: 1 });
    expect(paceKeyOf('conversations.replies', undefined, rates)?.rate).toEqual({ perMinute: 1, burst: 1 });
    // other methods keep their tier
    expect(paceKeyOf('users.info', undefined, rates)?.rate.perMinute).toBe(100);
  });

  it('explicit page sizes win over the pace; a bad pace names the field', () => {
    expect(pageSizes(evidence('  pace: non-marketplace\n  historyPageSize: 10\n'))).toEqual({
      history: 10,
      replies: 15,
    });
    expect(() => evidence('  pace: fast\n')).toThrow(/evidence\.pace/);
  });
});
