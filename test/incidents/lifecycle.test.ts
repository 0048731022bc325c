import { describe, expect, it } from 'vitest';
import { InvalidTransitionError } from '../../src/errors.js';
import { assertTransition } from '../../src/incidents/lifecycle.js';

describe('incident lifecycle', () => {
  it('allows moving between open statuses and to resolved', () => {
    expect(() => assertTransition('investigating', 'contained')).not.toThrow();
    expect(() => assertTransition('monitoring', 'resolved')).not.toThrow();
  });

  it('reopens a resolved incident only into investigating', () => {
    expect(() => assertTransition('resolved', 'investigating')).not.toThrow();
    expect(() => assertTransition('resolved', 'monitoring')).toThrow(
      'A resolved incident can move to investigating, not monitoring.',
    );
    expect(() => assertTransition('resolved', 'contained')).toThrow(
      'A resolved incident can move to investigating, not contained.',
    );
  });

  it('refuses a no-op change with a clear message', () => {
    expect(() => assertTransition('contained', 'contained')).toThrow(InvalidTransitionError);
    expect(() => assertTransition('contained', 'contained')).toThrow('The incident is already contained.');
  });
});
