import { z } from 'zod';

/** Who did it: a Slack user id, or SYSTEM_ACTOR for what the app did by itself. */
export { SYSTEM_ACTOR } from './model.js';

export const timelineEventSchema = z.object({
  incidentId: z.string(),
  at: z.iso.datetime({ offset: true }),
  actor: z.string(),
  /** Machine-readable kind, e.g. `declared`, `severity_changed`; features add their own. */
  kind: z.string(),
  /** One line a person reads in the timeline. */
  text: z.string(),
  data: z.record(z.string(), z.unknown()).default({}),
});

export type TimelineEvent = z.infer<typeof timelineEventSchema>;
export type NewTimelineEvent = Omit<TimelineEvent, 'incidentId' | 'at'> & { at?: string };
