import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import {
  type AuditEntry,
  auditEntrySchema,
  type ConfirmedRun,
  type ContainmentRun,
  confirmedRunSchema,
  containmentRunSchema,
  type PendingConfirmation,
  pendingConfirmationSchema,
} from './model.js';

/** Containment keys, beside the incident's own under its `{id}` hash tag (one cluster slot). */
export function containmentKeys(prefix: string) {
  const base = (incidentId: string) => `${prefix}:incident:{${incidentId}}:containment`;
  return {
    audit: (incidentId: string) => `${base(incidentId)}:audit`,
    runs: (incidentId: string) => `${base(incidentId)}:runs`,
    runSequence: (incidentId: string) => `${base(incidentId)}:run-seq`,
    playbookSequence: (incidentId: string) => `${base(incidentId)}:playbook-seq`,
    confirmation: (token: string) => `${prefix}:containment:confirm:${token}`,
    /** The run a pressed confirmation started, recorded before the confirmation is consumed. */
    confirmedRun: (token: string) => `${prefix}:containment:confirmed:${token}`,
  };
}

/**
 * Appends an audit entry with the next sequence number, atomically. The JSON is spliced, not
 * decoded: Lua's cjson would turn empty arrays into objects. KEYS: list. ARGV: entry JSON sans seq.
 */
const APPEND_AUDIT = `
local seq = redis.call('LLEN', KEYS[1]) + 1
redis.call('RPUSH', KEYS[1], '{"seq":' .. seq .. ',' .. string.sub(ARGV[1], 2))
return seq
`;

export const CONFIRMATION_TTL_SECONDS = 15 * 60;
/** A confirmed run's record is kept well past any resume (and as evidence of who pressed Run). */
export const CONFIRMED_RUN_TTL_SECONDS = 7 * 24 * 3600;

export class ContainmentStore {
  private readonly keys: ReturnType<typeof containmentKeys>;

  constructor(
    private readonly redis: Redis,
    prefix: string,
  ) {
    this.keys = containmentKeys(prefix);
  }

  /**
   * Append-only: there is no method to change or delete an entry. The run record, when given, is
   * saved in the same round trip (both keys share the incident's hash tag).
   */
  async appendAudit(entry: Omit<AuditEntry, 'seq'>, run?: ContainmentRun): Promise<void> {
    const valid = auditEntrySchema.omit({ seq: true }).parse(entry);
    const multi = this.redis
      .multi()
      .eval(APPEND_AUDIT, 1, this.keys.audit(entry.incidentId), JSON.stringify(valid));
    if (run)
      multi.hset(this.keys.runs(run.incidentId), run.id, JSON.stringify(containmentRunSchema.parse(run)));
    const results = await multi.exec();
    const failed = results?.find(([error]) => error);
    if (!results || failed) throw failed?.[0] ?? new Error('containment audit write was aborted');
  }

  async audit(incidentId: string): Promise<AuditEntry[]> {
    const items = await this.redis.lrange(this.keys.audit(incidentId), 0, -1);
    return items.map((json) => auditEntrySchema.parse(JSON.parse(json)));
  }

  /** `count` consecutive run ids (`r4`, `r5`, ...) in one round trip. */
  async nextRunIds(incidentId: string, count: number): Promise<string[]> {
    const last = await this.redis.incrby(this.keys.runSequence(incidentId), count);
    return Array.from({ length: count }, (_, i) => `r${last - count + 1 + i}`);
  }

  async nextPlaybookRunId(incidentId: string): Promise<string> {
    return `p${await this.redis.incr(this.keys.playbookSequence(incidentId))}`;
  }

  async run(incidentId: string, runId: string): Promise<ContainmentRun | undefined> {
    const json = await this.redis.hget(this.keys.runs(incidentId), runId);
    return json ? containmentRunSchema.parse(JSON.parse(json)) : undefined;
  }

  /** All runs of the incident, in the order they were started. */
  async runs(incidentId: string): Promise<ContainmentRun[]> {
    const all = await this.redis.hvals(this.keys.runs(incidentId));
    return all
      .map((json) => containmentRunSchema.parse(JSON.parse(json)))
      .sort((a, b) => Number(a.id.slice(1)) - Number(b.id.slice(1)));
  }

  async createConfirmation(pending: Omit<PendingConfirmation, 'token'>): Promise<PendingConfirmation> {
    // unguessable: the token in a button value is the only thing that authorizes pressing it
    const token = randomBytes(12).toString('base64url');
    const stored = pendingConfirmationSchema.parse({ ...pending, token });
    await this.redis.set(
      this.keys.confirmation(token),
      JSON.stringify(stored),
      'EX',
      CONFIRMATION_TTL_SECONDS,
    );
    return stored;
  }

  /** The confirmation, without taking it (a run is recorded first, then the confirmation taken). */
  async peekConfirmation(token: string): Promise<PendingConfirmation | undefined> {
    const json = await this.redis.get(this.keys.confirmation(token));
    return json ? pendingConfirmationSchema.parse(JSON.parse(json)) : undefined;
  }

  /** Records the run a confirmation started; false when one is recorded already (another press). */
  async recordConfirmedRun(token: string, run: ConfirmedRun): Promise<boolean> {
    const set = await this.redis.set(
      this.keys.confirmedRun(token),
      JSON.stringify(confirmedRunSchema.parse(run)),
      'EX',
      CONFIRMED_RUN_TTL_SECONDS,
      'NX',
    );
    return set === 'OK';
  }

  async confirmedRun(token: string): Promise<ConfirmedRun | undefined> {
    const json = await this.redis.get(this.keys.confirmedRun(token));
    return json ? confirmedRunSchema.parse(JSON.parse(json)) : undefined;
  }

  /** Takes the confirmation once: a double click or a replayed payload finds nothing the second time. */
  async takeConfirmation(token: string): Promise<PendingConfirmation | undefined> {
    const json = await this.redis.getdel(this.keys.confirmation(token));
    return json ? pendingConfirmationSchema.parse(JSON.parse(json)) : undefined;
  }
}
