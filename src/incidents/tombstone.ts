import { z } from 'zod';
import { type Incident, SEVERITIES } from './model.js';

const isoInstant = z.iso.datetime({ offset: true });

/**
 * What Redis keeps of a resolved incident once the retention sweep compacted it (incidents/retention.ts):
 * enough to name it, list it and say where its full record is (the verified evidence bundle, which
 * holds the timeline, comms, containment audit and revisions). A few hundred bytes.
 */
export const tombstoneSchema = z.object({
  id: z.string(),
  seq: z.number().int().positive(),
  title: z.string(),
  severity: z.enum(SEVERITIES),
  drill: z.boolean(),
  private: z.boolean().optional(),
  channelId: z.string().optional(),
  channelName: z.string().optional(),
  /** Channels it used before (a private follow-up's public predecessor): their links go too. */
  previousChannelIds: z.array(z.string()).optional(),
  createdAt: isoInstant,
  resolvedAt: isoInstant,
  compactedAt: isoInstant,
  bundle: z.object({
    location: z.string(),
    version: z.number().int().nonnegative(),
    storage: z.string(),
    manifestSha256: z.string(),
    archivedAt: isoInstant,
  }),
});

export type Tombstone = z.infer<typeof tombstoneSchema>;

export interface ArchivedBundle {
  location: string;
  version: number;
  storage: string;
  manifestSha256: string;
  archivedAt: string;
}

export function tombstoneOf(incident: Incident, bundle: ArchivedBundle, compactedAt: Date): Tombstone {
  return tombstoneSchema.parse({
    id: incident.id,
    seq: incident.seq,
    title: incident.title,
    severity: incident.severity,
    drill: incident.drill,
    ...(incident.private ? { private: true } : {}),
    ...(incident.channelId ? { channelId: incident.channelId } : {}),
    ...(incident.channelName ? { channelName: incident.channelName } : {}),
    ...(incident.previousChannelIds?.length ? { previousChannelIds: incident.previousChannelIds } : {}),
    createdAt: incident.createdAt,
    resolvedAt: incident.resolvedAt ?? incident.updatedAt,
    compactedAt: compactedAt.toISOString(),
    bundle: {
      location: bundle.location,
      version: bundle.version,
      storage: bundle.storage,
      manifestSha256: bundle.manifestSha256,
      archivedAt: bundle.archivedAt,
    },
  });
}

/** An incident as a list shows it: the live record, or what compaction left of it. */
export type IncidentEntry =
  | { kind: 'record'; incident: Incident }
  | { kind: 'tombstone'; tombstone: Tombstone };
