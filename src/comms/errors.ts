import { QuellError } from '../errors.js';
import type { LintFinding } from './lint.js';

/** The version has warnings and no override was given: the UI asks for one. */
export class LintOverrideRequiredError extends QuellError {
  constructor(readonly warnings: readonly LintFinding[]) {
    super(
      'comms_override_required',
      `This version has ${warnings.length} lint warning${warnings.length === 1 ? '' : 's'}; approving it needs an explicit override with a reason.`,
    );
  }
}

export class DraftNotFoundError extends QuellError {
  constructor(incidentId: string, draftId: string) {
    super('comms_draft_not_found', `There is no comms draft ${draftId} for ${incidentId}.`);
  }
}
