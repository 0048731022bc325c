import type { Redis } from 'ioredis';
import {
  type ApprovedMessage,
  approvedSchema,
  type CommsDraft,
  type CommsDraftRecord,
  type CommsLogEntry,
  type CommsVersion,
  type DraftStatus,
  draftSchema,
  logEntrySchema,
  versionSchema,
} from './model.js';

/**
 * Comms keys, under the configured prefix. Every key of one incident shares the `{incident id}` hash
 * tag, so the scripts below touch a single Redis Cluster slot.
 */
export function commsKeys(prefix: string) {
  const base = (incidentId: string) => `${prefix}:comms:{${incidentId}}`;
  return {
    draftSequence: (incidentId: string) => `${base(incidentId)}:draft-seq`,
    draftIds: (incidentId: string) => `${base(incidentId)}:drafts`,
    draft: (incidentId: string, draftId: string) => `${base(incidentId)}:draft:${draftId}`,
    draftStatus: (incidentId: string, draftId: string) => `${base(incidentId)}:draft:${draftId}:status`,
    versions: (incidentId: string, draftId: string) => `${base(incidentId)}:draft:${draftId}:versions`,
    log: (incidentId: string) => `${base(incidentId)}:log`,
    approved: (incidentId: string) => `${base(incidentId)}:approved`,
  };
}
export type CommsKeys = ReturnType<typeof commsKeys>;

/**
 * Appends a version only if the draft is open and nobody saved since the author's base version.
 * KEYS: status, versions. ARGV: base version count, version JSON.
 * Returns the new count, 0 on a conflicting save, -1 when the draft is no longer open.
 */
const APPEND_VERSION = `
if redis.call('GET', KEYS[1]) ~= 'open' then return -1 end
if redis.call('LLEN', KEYS[2]) ~= tonumber(ARGV[1]) then return 0 end
return redis.call('RPUSH', KEYS[2], ARGV[2])
`;

/**
 * Decides a draft once: only while it is open and only for its latest version, so two approvers
 * clicking together, or an approval of a version that was edited meanwhile, cannot both win.
 * KEYS: status, versions, log, approved. ARGV: new status, version count, log JSON..., audience, approved JSON.
 * Returns 1 when decided, 0 when no longer open, -1 when the version is not the latest.
 */
const DECIDE = `
if redis.call('GET', KEYS[1]) ~= 'open' then return 0 end
if redis.call('LLEN', KEYS[2]) ~= tonumber(ARGV[2]) then return -1 end
redis.call('SET', KEYS[1], ARGV[1])
local entries = tonumber(ARGV[3])
for i = 1, entries do redis.call('RPUSH', KEYS[3], ARGV[3 + i]) end
if ARGV[4 + entries] ~= '' then redis.call('HSET', KEYS[4], ARGV[4 + entries], ARGV[5 + entries]) end
return 1
`;

export type AppendResult = { ok: true; number: number } | { ok: false; reason: 'conflict' | 'closed' };
export type DecideResult = 'decided' | 'closed' | 'stale';

export class CommsStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: CommsKeys,
  ) {}

  async createDraft(
    record: Omit<CommsDraftRecord, 'id'>,
    firstVersion: Omit<CommsVersion, 'number'>,
  ): Promise<CommsDraft> {
    const seq = await this.redis.incr(this.keys.draftSequence(record.incidentId));
    const draft = draftSchema.parse({ ...record, id: `d${seq}` });
    const version = versionSchema.parse({ ...firstVersion, number: 1 });
    await this.redis
      .multi()
      .set(this.keys.draft(draft.incidentId, draft.id), JSON.stringify(draft))
      .set(this.keys.draftStatus(draft.incidentId, draft.id), 'open')
      .rpush(this.keys.versions(draft.incidentId, draft.id), JSON.stringify(version))
      .rpush(this.keys.draftIds(draft.incidentId), draft.id)
      .exec();
    return { ...draft, status: 'open', versions: [version] };
  }

  /** Records where the draft message was posted (set once, right after posting). */
  async setMessage(draft: CommsDraftRecord, message: { channel: string; ts: string }): Promise<void> {
    const record = draftSchema.parse({ ...draft, message });
    await this.redis.set(this.keys.draft(draft.incidentId, draft.id), JSON.stringify(record));
  }

  async getDraft(incidentId: string, draftId: string): Promise<CommsDraft | undefined> {
    const [record, status, versions] = await Promise.all([
      this.getRecord(incidentId, draftId),
      this.redis.get(this.keys.draftStatus(incidentId, draftId)),
      this.redis.lrange(this.keys.versions(incidentId, draftId), 0, -1),
    ]);
    if (!record) return undefined;
    return {
      ...record,
      status: (status ?? 'open') as DraftStatus,
      versions: versions.map((v) => versionSchema.parse(JSON.parse(v))),
    };
  }

  async listDrafts(incidentId: string): Promise<CommsDraft[]> {
    const ids = await this.redis.lrange(this.keys.draftIds(incidentId), 0, -1);
    const drafts = await Promise.all(ids.map((id) => this.getDraft(incidentId, id)));
    return drafts.filter((d): d is CommsDraft => d !== undefined);
  }

  async appendVersion(
    incidentId: string,
    draftId: string,
    baseVersion: number,
    version: CommsVersion,
  ): Promise<AppendResult> {
    const result = (await this.redis.eval(
      APPEND_VERSION,
      2,
      this.keys.draftStatus(incidentId, draftId),
      this.keys.versions(incidentId, draftId),
      String(baseVersion),
      JSON.stringify(versionSchema.parse(version)),
    )) as number;
    if (result === -1) return { ok: false, reason: 'closed' };
    if (result === 0) return { ok: false, reason: 'conflict' };
    return { ok: true, number: result };
  }

  /** Moves an open draft to approved/rejected, appending its log entries (and the approved text) atomically. */
  async decide(
    incidentId: string,
    draftId: string,
    status: Exclude<DraftStatus, 'open'>,
    version: number,
    entries: readonly CommsLogEntry[],
    approved?: ApprovedMessage,
  ): Promise<DecideResult> {
    const result = (await this.redis.eval(
      DECIDE,
      4,
      this.keys.draftStatus(incidentId, draftId),
      this.keys.versions(incidentId, draftId),
      this.keys.log(incidentId),
      this.keys.approved(incidentId),
      status,
      String(version),
      String(entries.length),
      ...entries.map((e) => JSON.stringify(logEntrySchema.parse(e))),
      approved?.audience ?? '',
      approved ? JSON.stringify(approvedSchema.parse(approved)) : '',
    )) as number;
    return result === 1 ? 'decided' : result === 0 ? 'closed' : 'stale';
  }

  async appendLog(incidentId: string, entry: CommsLogEntry): Promise<void> {
    await this.redis.rpush(this.keys.log(incidentId), JSON.stringify(logEntrySchema.parse(entry)));
  }

  async log(incidentId: string): Promise<CommsLogEntry[]> {
    const items = await this.redis.lrange(this.keys.log(incidentId), 0, -1);
    return items.map((json) => logEntrySchema.parse(JSON.parse(json)));
  }

  async approved(incidentId: string, audience: string): Promise<ApprovedMessage | undefined> {
    const json = await this.redis.hget(this.keys.approved(incidentId), audience);
    return json ? approvedSchema.parse(JSON.parse(json)) : undefined;
  }

  private async getRecord(incidentId: string, draftId: string): Promise<CommsDraftRecord | undefined> {
    const json = await this.redis.get(this.keys.draft(incidentId, draftId));
    return json ? draftSchema.parse(JSON.parse(json)) : undefined;
  }
}
