import type { Redis } from 'ioredis';
import { z } from 'zod';
import { globalKey } from '../redis/keys.js';
import {
  type GateItemId,
  type GateOverride,
  type GateOverrides,
  type GateTicks,
  isGateItem,
} from './gate.js';

/** Redis keys of the resolution feature; the incident id is a hash tag like the incident's own keys. */
export function resolutionKeys(prefix: string) {
  return {
    gateTicks: (incidentId: string) => `${prefix}:resolution:{${incidentId}}:gate`,
    gateMessage: (incidentId: string) => `${prefix}:resolution:{${incidentId}}:gate-message`,
    /** Evaluated items accepted by hand, with the reason. */
    gateOverrides: (incidentId: string) => `${prefix}:resolution:{${incidentId}}:gate-overrides`,
    /** Evidence bundles whose manifest was re-checked: `v<version>:<manifest sha>` → when. */
    verifiedBundles: (incidentId: string) => `${prefix}:resolution:{${incidentId}}:verified-bundles`,
    /** Global counter and index: under the one global hash tag (redis/keys.ts). */
    actionSequence: globalKey(prefix, 'actions:seq'),
    action: (id: string) => `${prefix}:action:${id}`,
    /** Open corrective actions across incidents, scored by due time. */
    openActions: globalKey(prefix, 'actions:open'),
    incidentActions: (incidentId: string) => `${prefix}:resolution:{${incidentId}}:actions`,
  };
}

const isoInstant = z.iso.datetime({ offset: true });
const tickSchema = z.object({ by: z.string(), at: isoInstant });
const overrideSchema = tickSchema.extend({ reason: z.string() });
const messageRefSchema = z.object({ channel: z.string(), ts: z.string() });
export type MessageRef = z.infer<typeof messageRefSchema>;

/** A corrective action from the postmortem: owner, due date, text; open until someone closes it. */
export const correctiveActionSchema = z.object({
  id: z.string(),
  incidentId: z.string(),
  owner: z.string(),
  text: z.string(),
  dueAt: isoInstant,
  createdBy: z.string(),
  createdAt: isoInstant,
  status: z.enum(['open', 'done']),
  doneBy: z.string().optional(),
  doneAt: isoInstant.optional(),
});
export type CorrectiveAction = z.infer<typeof correctiveActionSchema>;

export class ResolutionStore {
  private readonly keys: ReturnType<typeof resolutionKeys>;

  constructor(
    private readonly redis: Redis,
    prefix: string,
  ) {
    this.keys = resolutionKeys(prefix);
  }

  async ticks(incidentId: string): Promise<GateTicks> {
    const raw = await this.redis.hgetall(this.keys.gateTicks(incidentId));
    const ticks: GateTicks = {};
    for (const [item, json] of Object.entries(raw)) {
      if (isGateItem(item)) ticks[item] = tickSchema.parse(JSON.parse(json));
    }
    return ticks;
  }

  /** Ticks once: returns false if it was already ticked (the first tick's who/when stays). */
  async tick(incidentId: string, item: GateItemId, by: string, at: string): Promise<boolean> {
    const set = await this.redis.hsetnx(this.keys.gateTicks(incidentId), item, JSON.stringify({ by, at }));
    return set === 1;
  }

  async untick(incidentId: string, item: GateItemId): Promise<boolean> {
    return (await this.redis.hdel(this.keys.gateTicks(incidentId), item)) === 1;
  }

  async overrides(incidentId: string): Promise<GateOverrides> {
    const raw = await this.redis.hgetall(this.keys.gateOverrides(incidentId));
    const overrides: GateOverrides = {};
    for (const [item, json] of Object.entries(raw)) {
      if (isGateItem(item)) overrides[item] = overrideSchema.parse(JSON.parse(json));
    }
    return overrides;
  }

  /** Overrides once: returns false if the item was already overridden (the first reason stays). */
  async override(incidentId: string, item: GateItemId, override: GateOverride): Promise<boolean> {
    const json = JSON.stringify(overrideSchema.parse(override));
    return (await this.redis.hsetnx(this.keys.gateOverrides(incidentId), item, json)) === 1;
  }

  /** When this bundle's manifest was last re-checked and found intact, if ever. */
  async bundleVerifiedAt(incidentId: string, version: number, sha256: string): Promise<string | undefined> {
    return (
      (await this.redis.hget(this.keys.verifiedBundles(incidentId), `v${version}:${sha256}`)) ?? undefined
    );
  }

  async setBundleVerified(incidentId: string, version: number, sha256: string, at: string): Promise<void> {
    await this.redis.hsetnx(this.keys.verifiedBundles(incidentId), `v${version}:${sha256}`, at);
  }

  async gateMessage(incidentId: string): Promise<MessageRef | undefined> {
    const json = await this.redis.get(this.keys.gateMessage(incidentId));
    return json ? messageRefSchema.parse(JSON.parse(json)) : undefined;
  }

  async setGateMessage(incidentId: string, ref: MessageRef): Promise<void> {
    await this.redis.set(this.keys.gateMessage(incidentId), JSON.stringify(ref));
  }

  async nextActionId(): Promise<string> {
    return `A${await this.redis.incr(this.keys.actionSequence)}`;
  }

  /**
   * The record, the incident's list and the open index live on three Cluster slots, so they are
   * written one by one, in an order where every crash point reads correctly: entries are added to
   * the indexes before the record exists (readers skip ids without a record, and `openActions`
   * checks the status), and taken out of the open index only after the record says done.
   */
  async saveAction(action: CorrectiveAction): Promise<void> {
    const json = JSON.stringify(correctiveActionSchema.parse(action));
    await this.redis.zadd(
      this.keys.incidentActions(action.incidentId),
      Number(action.id.slice(1)),
      action.id,
    );
    if (action.status === 'open')
      await this.redis.zadd(this.keys.openActions, Date.parse(action.dueAt), action.id);
    await this.redis.set(this.keys.action(action.id), json);
    if (action.status !== 'open') await this.redis.zrem(this.keys.openActions, action.id);
  }

  async action(id: string): Promise<CorrectiveAction | undefined> {
    const json = await this.redis.get(this.keys.action(id));
    return json ? correctiveActionSchema.parse(JSON.parse(json)) : undefined;
  }

  /** Every action of one incident, open or done, in the order they were recorded. */
  async actionsOf(incidentId: string): Promise<CorrectiveAction[]> {
    const ids = await this.redis.zrange(this.keys.incidentActions(incidentId), 0, -1);
    const actions = await Promise.all(ids.map((id) => this.action(id)));
    return actions.filter((a): a is CorrectiveAction => a !== undefined);
  }

  /** Open actions across all incidents, soonest due first. */
  async openActions(): Promise<CorrectiveAction[]> {
    const ids = await this.redis.zrange(this.keys.openActions, 0, -1);
    const actions = await Promise.all(ids.map((id) => this.action(id)));
    return actions.filter((a): a is CorrectiveAction => a?.status === 'open');
  }
}
