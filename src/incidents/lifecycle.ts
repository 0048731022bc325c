import { InvalidTransitionError } from '../errors.js';
import type { Status } from './model.js';

/** The incident lifecycle as a table: from each status, the statuses it may move to. */
const TRANSITIONS: Record<Status, readonly Status[]> = {
  investigating: ['contained', 'monitoring', 'resolved'],
  contained: ['investigating', 'monitoring', 'resolved'],
  monitoring: ['investigating', 'contained', 'resolved'],
  // reopening goes back to investigating: whoever reopens has something to look at again
  resolved: ['investigating'],
};

export function assertTransition(from: Status, to: Status): void {
  if (from === to) throw new InvalidTransitionError(`The incident is already ${to}.`);
  if (!TRANSITIONS[from].includes(to)) {
    const allowed = TRANSITIONS[from].join(', ');
    throw new InvalidTransitionError(`A ${from} incident can move to ${allowed}, not ${to}.`);
  }
}
