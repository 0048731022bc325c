import { afterEach, describe, expect, it } from 'vitest';
import { loadEnv } from '../../src/config/env.js';
import { armCrashPoint, crashPoint } from '../../src/jobs/crash-points.js';

/** QUELL_CRASH_AT names one point; only that point, only when armed, ends the process. */
describe('deterministic crash points', () => {
  afterEach(() => armCrashPoint(undefined));

  it('does nothing unarmed, and only the armed point fires', () => {
    const fired: string[] = [];
    crashPoint('declare.channel');
    armCrashPoint('declare.channel', () => fired.push('declare.channel'));
    crashPoint('declare.summary');
    crashPoint('declare.channelx');
    expect(fired).toEqual([]);
    crashPoint('declare.channel');
    expect(fired).toEqual(['declare.channel']);
    armCrashPoint(undefined);
    crashPoint('declare.channel');
    expect(fired).toEqual(['declare.channel']);
  });

  it('refuses a malformed point, in the environment and when armed', () => {
    expect(() => loadEnv({ QUELL_CRASH_AT: 'declare' })).toThrow(
      'QUELL_CRASH_AT: must look like <flow>.<step>, e.g. declare.channel',
    );
    expect(loadEnv({ QUELL_CRASH_AT: 'contain.target' }).QUELL_CRASH_AT).toBe('contain.target');
    expect(() => armCrashPoint('Declare.Channel')).toThrow('must look like <flow>.<step>');
  });
});
