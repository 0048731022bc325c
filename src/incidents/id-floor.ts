import type { Logger } from 'pino';

/**
 * Incident ids are never reused. The id counter lives in Redis, and Redis can lose it (a flushed or
 * replaced instance, a failover to an empty replica): INC-1 would then be declared a second time and
 * archived beside the first one's evidence. At start-up the counter is checked against the highest
 * id Quell can see outside Redis (the incident channels it created, the evidence store) and, when it
 * is behind, advanced past that id, logged, and said in the announcement channel.
 */

/** One place an incident id was seen outside Redis. */
export interface IdSighting {
  id: string;
  seq: number;
  /** Where, for the log and the announcement (e.g. "Slack channel #inc-7-refunds", "the evidence store"). */
  where: string;
}

/** Somewhere incident ids outlive Redis. A source that cannot be read throws; the others still count. */
export interface IdSource {
  readonly name: string;
  /** The highest id of this deployment's prefix seen there, if any. */
  highest(idPrefix: string): Promise<IdSighting | undefined>;
}

/** The Redis counter, as the incident store exposes it. */
export interface IncidentCounter {
  /** The last sequence number handed out (0 when none). */
  currentSequence(): Promise<number>;
  /** Sets the counter to `seq` unless it is already there or beyond, atomically; returns the value before. */
  raiseSequenceTo(seq: number): Promise<number>;
}

export interface IdFloorOutcome {
  /** The counter before the check. */
  before: number;
  /** The counter after it (equal to `before` when nothing was behind). */
  after: number;
  /** The highest id seen outside Redis, when any was. */
  highest?: IdSighting;
  /** Sources that could not be read (named, with why): the floor may then be too low. */
  failed: { source: string; error: string }[];
}

/** The sequence number of an id of this prefix (`INC-42` → 42), or undefined for anything else. */
export function seqOf(id: string, idPrefix: string): number | undefined {
  const match = new RegExp(`^${idPrefix}-(\\d+)$`).exec(id);
  if (!match) return undefined;
  const seq = Number(match[1]);
  return Number.isSafeInteger(seq) && seq > 0 ? seq : undefined;
}

/** The highest of several sightings (undefined when there are none). */
export function highestOf(sightings: readonly (IdSighting | undefined)[]): IdSighting | undefined {
  let best: IdSighting | undefined;
  for (const s of sightings) if (s && (!best || s.seq > best.seq)) best = s;
  return best;
}

export interface IdFloorDeps {
  counter: IncidentCounter;
  sources: readonly IdSource[];
  idPrefix: string;
  logger: Logger;
  /** Says it where people look (the announcement channel); failures are logged, never thrown. */
  announce?: (text: string) => Promise<void>;
}

/**
 * Reads every source, and raises the counter past the highest id found. Several replicas starting at
 * once are safe: the raise is atomic and never moves the counter backwards, and only the replica
 * whose raise moved it logs the warning and announces.
 */
export async function enforceIdFloor(deps: IdFloorDeps): Promise<IdFloorOutcome> {
  const { counter, sources, idPrefix, logger } = deps;
  const failed: IdFloorOutcome['failed'] = [];
  const seen = await Promise.all(
    sources.map((source) =>
      source.highest(idPrefix).catch((error: unknown) => {
        failed.push({ source: source.name, error: (error as Error)?.message ?? String(error) });
        return undefined;
      }),
    ),
  );
  for (const f of failed)
    logger.error(
      { source: f.source, error: f.error },
      'could not read incident ids from this source at start-up: ids it holds may be reused',
    );
  const highest = highestOf(seen);
  const current = await counter.currentSequence();
  if (!highest || highest.seq <= current)
    return { before: current, after: current, ...(highest ? { highest } : {}), failed };
  const before = await counter.raiseSequenceTo(highest.seq);
  if (before >= highest.seq)
    // another replica raised it first: it logs and announces
    return { before, after: before, highest, failed };
  const next = `${idPrefix}-${highest.seq + 1}`;
  logger.warn(
    { counter: before, highest: highest.id, where: highest.where, next },
    'incident id counter was behind ids that already exist (Redis lost data?): advanced it',
  );
  if (deps.announce)
    await deps
      .announce(idFloorAnnouncement({ before, highest, next, idPrefix }))
      .catch((error: unknown) =>
        logger.warn({ err: error }, 'could not announce that the incident id counter was advanced'),
      );
  return { before, after: highest.seq, highest, failed };
}

/** What the announcement channel is told; plain text (ids and channel names only, no people's text). */
export function idFloorAnnouncement(facts: {
  before: number;
  highest: IdSighting;
  next: string;
  idPrefix: string;
}): string {
  const was = facts.before === 0 ? 'empty' : `at ${facts.idPrefix}-${facts.before}`;
  return (
    `:warning: Quell's incident id counter in Redis was ${was}, but ${facts.highest.id} already exists ` +
    `(${facts.highest.where}). So that no id is used twice, the next incident will be ${facts.next}. ` +
    'Redis may have lost data: check its persistence and whether other Quell state is missing.'
  );
}

/** A source that lists ids (the evidence store's incident folders): the highest of this prefix counts. */
export function listedIdsSource(
  name: string,
  where: string,
  list: () => Promise<readonly string[]>,
): IdSource {
  return {
    name,
    async highest(idPrefix) {
      let best: IdSighting | undefined;
      for (const id of await list()) {
        const seq = seqOf(id, idPrefix);
        if (seq !== undefined && (!best || seq > best.seq)) best = { id, seq, where };
      }
      return best;
    },
  };
}
