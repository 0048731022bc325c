import { UsageError } from '../errors.js';
import type { ReactivationPlan } from '../incidents/model.js';

export const REACTIVATE_USAGE =
  '/incident reactivate-plan shadow: @owner <criteria> limited: @owner <criteria> full: @owner <criteria>';

const LABEL = /(?:^|\s)(shadow|read-only|readonly|limited|full)\s*:/gi;
const MENTION = /^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>\s*/;

/**
 * `shadow: @ana 48h shadow runs limited: @ben 10% of traffic full: @cy after a clean week`: three
 * stages in that order, the first `shadow` or `read-only`, each with an owner and optional criteria.
 */
export function parseReactivationPlan(text: string): ReactivationPlan['steps'] {
  const trimmed = text.trim();
  const marks = [...trimmed.matchAll(LABEL)].map((m) => ({
    stage: m[1]!.toLowerCase().replace('readonly', 'read-only') as ReactivationPlan['steps'][number]['stage'],
    start: m.index!,
    end: m.index! + m[0].length,
  }));
  if (marks.length === 0 || trimmed.slice(0, marks[0]!.start).trim())
    throw new UsageError(
      'Start with `shadow:` or `read-only:`: the agent comes back without writes first.',
      REACTIVATE_USAGE,
    );
  const steps = marks.map((mark, i) => {
    const body = trimmed.slice(mark.end, marks[i + 1]?.start ?? trimmed.length).trim();
    const owner = MENTION.exec(body);
    if (!owner)
      throw new UsageError(`Give the \`${mark.stage}:\` stage an owner (@person).`, REACTIVATE_USAGE);
    return {
      stage: mark.stage,
      owner: owner[1]!,
      criteria: body.slice(owner[0].length).trim().slice(0, 500),
    };
  });
  const order = steps.map((s) => (s.stage === 'read-only' ? 'shadow' : s.stage)).join(' ');
  if (order !== 'shadow limited full')
    throw new UsageError(
      'The plan has three stages in this order: `shadow:` (or `read-only:`), `limited:`, `full:`.',
      REACTIVATE_USAGE,
    );
  return steps;
}
