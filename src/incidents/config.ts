import { z } from 'zod';
import { durationField } from '../config/duration.js';

/**
 * `retention:` in the config file: the one mechanism that takes resolved incidents' state out of
 * Redis (incidents/retention.ts). An incident is compacted to a tombstone `compactAfter` after a
 * verified evidence bundle made at or after its resolution exists; revision text
 * (`evidence.revisionRetention`) leaves through the same sweep, earlier.
 */
export const retentionConfigSchema = z
  .strictObject({
    /** Off: nothing is ever compacted (Redis then grows with every incident). */
    enabled: z.boolean().default(true),
    /** How long a resolved incident stays whole in Redis after its verified bundle was made. */
    compactAfter: durationField.prefault('30d'),
    /** How often the sweep runs (a background-lane job; one replica runs each sweep). */
    sweepEvery: durationField.refine((ms) => ms >= 60_000, 'must be at least 1m').prefault('1h'),
    /** Incidents looked at per sweep, so one run stays short; the rest wait for the next. */
    batchSize: z.number().int().min(1).max(10_000).default(500),
    /** A resolved incident without a verified bundle yet is looked at again this much later. */
    recheckAfter: durationField.refine((ms) => ms >= 60_000, 'must be at least 1m').prefault('6h'),
  })
  .prefault({});

export type RetentionConfig = z.output<typeof retentionConfigSchema>;
