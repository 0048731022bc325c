import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { listFiles, sha256Hex, sha256OfFile } from './files.js';

export const MANIFEST_FILE = 'manifest.json';
/** `sha256sum -c` compatible checksum of manifest.json itself. */
export const MANIFEST_CHECKSUM_FILE = 'manifest.json.sha256';
export const BUNDLE_FORMAT = 'quell-evidence-bundle/1';

const isoInstant = z.iso.datetime({ offset: true });
const sha256 = z.string().regex(/^[0-9a-f]{64}$/);

export const manifestSchema = z.object({
  format: z.literal(BUNDLE_FORMAT),
  incident: z.object({
    id: z.string(),
    title: z.string(),
    severity: z.string(),
    status: z.string(),
    drill: z.boolean(),
    channelId: z.string().nullable(),
    channelName: z.string().nullable(),
  }),
  bundle: z.object({ version: z.number().int().positive(), location: z.string() }),
  archivedBy: z.object({ id: z.string(), name: z.string() }),
  archivedAt: isoInstant,
  /** Why it was archived: someone ran `/incident archive`, or the incident was resolved. */
  trigger: z.enum(['command', 'resolved']),
  /** The covered time window: from the incident's declaration to the moment of archiving. */
  window: z.object({
    from: isoInstant,
    to: isoInstant,
    firstMessageAt: isoInstant.nullable(),
    lastMessageAt: isoInstant.nullable(),
  }),
  counts: z.object({
    messages: z.number().int().nonnegative(),
    threadReplies: z.number().int().nonnegative(),
    threads: z.number().int().nonnegative(),
    revisions: z.number().int().nonnegative(),
    timelineEvents: z.number().int().nonnegative(),
    containmentRecords: z.number().int().nonnegative(),
    /** Comms drafts (with all their versions) plus approval and publication log entries. */
    commsRecords: z.number().int().nonnegative(),
  }),
  hashAlgorithm: z.literal('sha256'),
  files: z.array(z.object({ path: z.string(), bytes: z.number().int().nonnegative(), sha256 })),
  /**
   * SHA-256 of this manifest's compact JSON (`JSON.stringify`) with this field left out. It is also
   * recorded on the incident timeline and posted in the channel, outside the bundle's reach.
   */
  manifestSha256: sha256,
});

export type Manifest = z.infer<typeof manifestSchema>;
export type ManifestBody = Omit<Manifest, 'manifestSha256'>;

export function manifestBodyHash(body: ManifestBody): string {
  return sha256Hex(JSON.stringify(body));
}

/** The manifest text and the checksum file's text for a finished body. */
export function sealManifest(body: ManifestBody): { manifest: Manifest; text: string; checksum: string } {
  const manifest: Manifest = { ...body, manifestSha256: manifestBodyHash(body) };
  const text = `${JSON.stringify(manifest, null, 2)}\n`;
  return { manifest, text, checksum: `${sha256Hex(text)}  ${MANIFEST_FILE}\n` };
}

export async function hashFiles(directory: string, paths: readonly string[]): Promise<Manifest['files']> {
  const files: Manifest['files'] = [];
  for (const path of [...paths].sort()) files.push({ path, ...(await sha256OfFile(join(directory, path))) });
  return files;
}

export interface VerifyReport {
  ok: boolean;
  manifest?: Manifest;
  /** Files on disk the manifest does not list. */
  added: string[];
  /** Files the manifest lists that are gone. */
  removed: string[];
  /** Files whose bytes differ from the manifest's hash. */
  changed: string[];
  /** Problems with the manifest itself. */
  problems: string[];
  checked: number;
}

/**
 * Recomputes every hash of a bundle directory: each listed file, the manifest's own hash, and the
 * checksum file. `expectedManifestSha256` (as recorded on the timeline) also catches a bundle whose
 * files and manifest were all rewritten consistently.
 */
export async function verifyBundle(
  directory: string,
  expectedManifestSha256?: string,
): Promise<VerifyReport> {
  const report: VerifyReport = { ok: false, added: [], removed: [], changed: [], problems: [], checked: 0 };
  let text: string;
  try {
    text = await readFile(join(directory, MANIFEST_FILE), 'utf8');
  } catch (error) {
    report.problems.push(`cannot read ${MANIFEST_FILE}: ${(error as NodeJS.ErrnoException).code ?? error}`);
    return report;
  }
  let parsed: z.ZodSafeParseResult<Manifest>;
  try {
    parsed = manifestSchema.safeParse(JSON.parse(text));
  } catch {
    report.problems.push(`${MANIFEST_FILE} is not valid JSON`);
    return report;
  }
  if (!parsed.success) {
    report.problems.push(
      `${MANIFEST_FILE} is not a Quell evidence manifest: ${parsed.error.issues[0]?.message}`,
    );
    return report;
  }
  const manifest = parsed.data;
  report.manifest = manifest;
  const { manifestSha256, ...body } = JSON.parse(text) as Manifest;
  if (manifestBodyHash(body) !== manifestSha256)
    report.problems.push(`${MANIFEST_FILE} was changed: its content no longer matches its manifestSha256`);
  if (expectedManifestSha256 && expectedManifestSha256 !== manifestSha256)
    report.problems.push(
      `manifestSha256 is ${manifestSha256}, not the expected ${expectedManifestSha256} recorded at archive time`,
    );
  try {
    const checksum = await readFile(join(directory, MANIFEST_CHECKSUM_FILE), 'utf8');
    if (checksum.trim().split(/\s+/)[0] !== sha256Hex(text)) report.changed.push(MANIFEST_FILE);
  } catch {
    report.removed.push(MANIFEST_CHECKSUM_FILE);
  }

  const onDisk = new Set(
    (await listFiles(directory)).filter((p) => p !== MANIFEST_FILE && p !== MANIFEST_CHECKSUM_FILE),
  );
  for (const file of manifest.files) {
    if (!onDisk.delete(file.path)) {
      report.removed.push(file.path);
      continue;
    }
    const actual = await sha256OfFile(join(directory, file.path));
    report.checked++;
    if (actual.sha256 !== file.sha256 || actual.bytes !== file.bytes) report.changed.push(file.path);
  }
  report.added.push(...[...onDisk].sort());
  report.ok =
    report.problems.length === 0 &&
    report.added.length === 0 &&
    report.removed.length === 0 &&
    report.changed.length === 0;
  return report;
}
