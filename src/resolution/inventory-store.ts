import type { Redis } from 'ioredis';
import { z } from 'zod';
import { type AffectedObject, affectedKey, affectedObjectSchema } from './inventory.js';

const messageRefSchema = z.object({ channel: z.string(), ts: z.string() });

/** The rollback inventory in Redis: one hash per incident (key → entry), under the incident's hash tag. */
export class InventoryStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private key(incidentId: string) {
    return `${this.prefix}:resolution:{${incidentId}}:affected`;
  }

  private messageKey(incidentId: string) {
    return `${this.prefix}:resolution:{${incidentId}}:affected-message`;
  }

  async get(incidentId: string, system: string, objectId: string): Promise<AffectedObject | undefined> {
    const json = await this.redis.hget(this.key(incidentId), affectedKey(system, objectId));
    return json ? affectedObjectSchema.parse(JSON.parse(json)) : undefined;
  }

  async save(incidentId: string, object: AffectedObject): Promise<void> {
    const json = JSON.stringify(affectedObjectSchema.parse(object));
    await this.redis.hset(this.key(incidentId), affectedKey(object.system, object.objectId), json);
  }

  count(incidentId: string): Promise<number> {
    return this.redis.hlen(this.key(incidentId));
  }

  /** Every entry, in the order they were first recorded. */
  async list(incidentId: string): Promise<AffectedObject[]> {
    const raw = await this.redis.hvals(this.key(incidentId));
    return raw
      .map((json) => affectedObjectSchema.parse(JSON.parse(json)))
      .sort(
        (a, b) =>
          a.recordedAt.localeCompare(b.recordedAt) ||
          affectedKey(a.system, a.objectId).localeCompare(affectedKey(b.system, b.objectId)),
      );
  }

  async summaryMessage(incidentId: string): Promise<{ channel: string; ts: string } | undefined> {
    const json = await this.redis.get(this.messageKey(incidentId));
    return json ? messageRefSchema.parse(JSON.parse(json)) : undefined;
  }

  async setSummaryMessage(incidentId: string, ref: { channel: string; ts: string }): Promise<void> {
    await this.redis.set(this.messageKey(incidentId), JSON.stringify(ref));
  }
}
