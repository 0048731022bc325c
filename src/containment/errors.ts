import { QuellError } from '../errors.js';

/** Containment's own error (a refused request); what a target answered is src/http's TargetError. */

/** Someone asked for containment they may not run; already recorded on the timeline and in the audit. */
export class ContainmentRefusedError extends QuellError {
  constructor(message: string) {
    super('containment_refused', message);
  }
}
