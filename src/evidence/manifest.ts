import { z } from 'zod';
import { sha256Hex } from './files.js';
import { canonicalJsonBytes } from './seal/canonical-json.js';

/**
 * The bundle's manifest: one RFC 8785 canonical JSON document listing every file with its size,
 * SHA-256 and the collector that wrote it. Its bytes are exactly `canonicalJson(manifest)`, so the
 * SHA-256 of manifest.json is the manifest's hash in every language, and the Ed25519 signature
 * (manifest.json.sig) and the optional RFC 3161 timestamp (manifest.json.tsr) are over those bytes.
 */
export const MANIFEST_FILE = 'manifest.json';
/** `sha256sum -c` compatible checksum of manifest.json. */
export const MANIFEST_CHECKSUM_FILE = 'manifest.json.sha256';
/** `{"algorithm":"Ed25519","keyId":…,"signature":…}` over manifest.json's bytes. */
export const SIGNATURE_FILE = 'manifest.json.sig';
/** RFC 3161 TimeStampToken (DER) over manifest.json's bytes. */
export const TIMESTAMP_FILE = 'manifest.json.tsr';
/** Files about the manifest, not listed in it. */
export const SEAL_FILES = [MANIFEST_FILE, MANIFEST_CHECKSUM_FILE, SIGNATURE_FILE, TIMESTAMP_FILE] as const;
export const BUNDLE_FORMAT = 'quell-evidence-bundle/2';

const isoInstant = z.iso.datetime({ offset: true });
const sha256 = z.string().regex(/^[0-9a-f]{64}$/);

export const manifestFileSchema = z.object({
  path: z.string(),
  bytes: z.number().int().nonnegative(),
  sha256,
  /** What wrote it: `slack.history`, `quell.timeline`, `forensics.<collector>`, … */
  collector: z.string(),
});
export type ManifestFile = z.infer<typeof manifestFileSchema>;

export const manifestSchema = z.object({
  format: z.literal(BUNDLE_FORMAT),
  canonicalization: z.literal('RFC8785'),
  quell: z.object({ version: z.string() }),
  workspace: z.object({ teamId: z.string().nullable(), enterpriseId: z.string().nullable() }),
  incident: z.object({
    id: z.string(),
    title: z.string(),
    severity: z.string(),
    status: z.string(),
    drill: z.boolean(),
    channelId: z.string().nullable(),
    channelName: z.string().nullable(),
  }),
  /** Every channel read into the bundle: the incident channel, then the agent-bot channels. */
  channels: z.array(z.object({ id: z.string(), role: z.enum(['incident', 'agent-bot']) })),
  bundle: z.object({ version: z.number().int().positive(), location: z.string() }),
  archivedBy: z.object({ id: z.string(), name: z.string() }),
  archivedAt: isoInstant,
  /** Why it was archived: someone ran `/incident archive`, or the incident was resolved. */
  trigger: z.enum(['command', 'resolved']),
  /**
   * The covered window. `from`/`to` are the incident's declaration and the archive time; the
   * Slack read is bounded by `latestTs`, Slack's own clock (the newest ts Slack showed when the
   * archive started) plus `marginSeconds`, never the host clock.
   */
  window: z.object({
    from: isoInstant,
    to: isoInstant,
    latestTs: z.string(),
    marginSeconds: z.number().int().nonnegative(),
    firstMessageAt: isoInstant.nullable(),
    lastMessageAt: isoInstant.nullable(),
  }),
  counts: z.record(z.string(), z.number().int().nonnegative()),
  /** What could not be collected, and why (a vanished thread, a file over the size cap, …). */
  gaps: z.array(z.object({ source: z.string(), what: z.string(), reason: z.string() })),
  hashAlgorithm: z.literal('sha256'),
  files: z.array(manifestFileSchema),
  /** The key that signs manifest.json (its signature is in manifest.json.sig), if one is configured. */
  signing: z.object({ algorithm: z.literal('Ed25519'), keyId: sha256 }).nullable(),
  /** The TSA asked for a timestamp (manifest.json.tsr), if one is configured. */
  timestampAuthority: z.string().nullable(),
});

export type Manifest = z.infer<typeof manifestSchema>;

export interface SealedManifest {
  manifest: Manifest;
  /** manifest.json's bytes: the canonical form. */
  bytes: Buffer;
  /** SHA-256 of those bytes: the hash recorded on the timeline and posted in the channel. */
  manifestSha256: string;
  /** manifest.json.sha256's text. */
  checksum: string;
}

export function sealManifest(manifest: Manifest): SealedManifest {
  const bytes = canonicalJsonBytes(manifestSchema.parse(manifest));
  const manifestSha256 = sha256Hex(bytes);
  return { manifest, bytes, manifestSha256, checksum: `${manifestSha256}  ${MANIFEST_FILE}\n` };
}

/** The manifest in manifest.json's bytes, or why they are not one. */
export function parseManifest(bytes: Buffer): { manifest: Manifest } | { problem: string } {
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch {
    return { problem: `${MANIFEST_FILE} is not valid JSON` };
  }
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return {
      problem: `${MANIFEST_FILE} is not a Quell evidence manifest (${issue?.path.join('.') || 'format'}: ${issue?.message})`,
    };
  }
  return { manifest: parsed.data };
}
