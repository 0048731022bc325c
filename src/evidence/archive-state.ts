import type { Redis } from 'ioredis';
import { z } from 'zod';
import { evidenceKeys } from './keys.js';
import type { ExportCheckpoint } from './transcript-export.js';

/**
 * Where one archive run stands, in Redis: its staging directory and the export's last checkpoint,
 * so a replica that picks the job up after a crash continues from the last cursor instead of
 * re-reading the channel; and the progress message it edits in place.
 */
const runStateSchema = z.object({
  staging: z.string(),
  startedAt: z.string(),
  progressTs: z.string().optional(),
  checkpoint: z.custom<ExportCheckpoint>((v) => typeof v === 'object' && v !== null).optional(),
  attempts: z.number().int().nonnegative(),
});
export type RunState = z.infer<typeof runStateSchema>;

const KEEP_SECONDS = 7 * 24 * 3600;

export class ArchiveRunStore {
  private readonly keys;

  constructor(
    private readonly redis: Redis,
    prefix: string,
  ) {
    this.keys = evidenceKeys(prefix);
  }

  async get(incidentId: string, runId: string): Promise<RunState | undefined> {
    const json = await this.redis.get(this.keys.run(incidentId, runId));
    return json ? runStateSchema.parse(JSON.parse(json)) : undefined;
  }

  async save(incidentId: string, runId: string, state: RunState): Promise<void> {
    await this.redis.set(this.keys.run(incidentId, runId), JSON.stringify(state), 'EX', KEEP_SECONDS);
  }

  async clear(incidentId: string, runId: string): Promise<void> {
    await this.redis.del(this.keys.run(incidentId, runId));
  }
}
