import { createHash, type KeyObject } from 'node:crypto';
import { type BundleSource, BundleUnreadableError, LocalBundleSource } from './bundle-source.js';
import { sha256Hex } from './files.js';
import {
  MANIFEST_CHECKSUM_FILE,
  MANIFEST_FILE,
  type Manifest,
  parseManifest,
  SEAL_FILES,
  SIGNATURE_FILE,
  TIMESTAMP_FILE,
} from './manifest.js';
import { canonicalJsonBytes } from './seal/canonical-json.js';
import { keyIdOf, verifySignature } from './seal/signing.js';
import type { TimestampInfo } from './seal/timestamp.js';

export interface VerifyOptions {
  /** The manifest SHA-256 recorded on the timeline / in the channel at archive time. */
  expectedManifestSha256?: string;
  /** The published Ed25519 key: the signature must be present and valid for it. */
  publicKey?: KeyObject;
  /** The TSA's certificate (DER): a timestamp must be present and signed by it. */
  tsaCertificate?: Uint8Array;
}

export interface VerifyReport {
  ok: boolean;
  location: string;
  manifest?: Manifest;
  /** SHA-256 of manifest.json's bytes, when it could be read. */
  manifestSha256?: string;
  /** Files present that the manifest does not list. */
  added: string[];
  /** Files the manifest lists (or seal files) that are gone. */
  removed: string[];
  /** Files whose bytes differ from what the manifest (or the seal) says. */
  changed: string[];
  /** Anything else wrong, one sentence each. */
  problems: string[];
  /** Files whose hash was recomputed and matched or not. */
  checked: number;
  signature: 'valid' | 'invalid' | 'absent' | 'not-checked';
  timestamp?: TimestampInfo;
}

/**
 * Recomputes every hash of a bundle and checks its seal: each listed file, manifest.json against
 * manifest.json.sha256 (each is its own entry: which one changed is said when an anchor tells),
 * the Ed25519 signature with the published key, the RFC 3161 timestamp, and the hash recorded at
 * archive time. BundleUnreadableError (nothing to verify at that location) is the caller's exit 2.
 */
export async function verifyBundle(
  source: BundleSource | string,
  options: VerifyOptions = {},
): Promise<VerifyReport> {
  const bundle = typeof source === 'string' ? new LocalBundleSource(source) : source;
  const files = await bundle.list();
  const report: VerifyReport = {
    ok: false,
    location: bundle.location,
    added: [],
    removed: [],
    changed: [],
    problems: [],
    checked: 0,
    signature: 'not-checked',
  };
  if (files.length === 0) throw new BundleUnreadableError(bundle.location, 'no bundle files there');
  if (!files.includes(MANIFEST_FILE)) {
    report.removed.push(MANIFEST_FILE);
    report.problems.push(`${MANIFEST_FILE} is missing: nothing says what the bundle held`);
    return report;
  }
  const bytes = await bundle.read(MANIFEST_FILE);
  const manifestSha256 = sha256Hex(bytes);
  report.manifestSha256 = manifestSha256;
  const parsed = parseManifest(bytes);
  if ('problem' in parsed) {
    report.changed.push(MANIFEST_FILE);
    report.problems.push(parsed.problem);
    return report;
  }
  const manifest = parsed.manifest;
  report.manifest = manifest;

  // which of manifest.json and its checksum file changed: an anchor (signature, recorded hash) tells
  const anchors: boolean[] = [];
  const canonical = canonicalJsonBytes(JSON.parse(bytes.toString('utf8')));
  const manifestChanged = () => {
    if (!report.changed.includes(MANIFEST_FILE)) report.changed.push(MANIFEST_FILE);
  };
  if (!canonical.equals(bytes)) {
    manifestChanged();
    report.problems.push(
      `${MANIFEST_FILE} is not in its RFC 8785 canonical form: it was edited after sealing`,
    );
  }
  if (options.expectedManifestSha256) {
    const matches = options.expectedManifestSha256 === manifestSha256;
    anchors.push(matches);
    if (!matches) {
      manifestChanged();
      report.problems.push(
        `${MANIFEST_FILE} hashes to ${manifestSha256}, not the expected ${options.expectedManifestSha256} recorded at archive time`,
      );
    }
  }
  await checkSignature(bundle, files, bytes, manifest, options, report, anchors);
  await checkTimestamp(bundle, files, bytes, options, report);
  await checkChecksumFile(bundle, files, manifestSha256, anchors, report);

  const unlisted = new Set(files.filter((p) => !(SEAL_FILES as readonly string[]).includes(p)));
  for (const file of manifest.files) {
    if (!unlisted.delete(file.path)) {
      report.removed.push(file.path);
      continue;
    }
    const actual = await hashStream(await bundle.stream(file.path));
    report.checked++;
    if (actual.sha256 !== file.sha256 || actual.bytes !== file.bytes) report.changed.push(file.path);
  }
  report.added.push(...[...unlisted].sort());
  report.ok =
    report.problems.length === 0 &&
    report.added.length === 0 &&
    report.removed.length === 0 &&
    report.changed.length === 0 &&
    report.signature !== 'invalid';
  return report;
}

async function checkSignature(
  bundle: BundleSource,
  files: string[],
  bytes: Buffer,
  manifest: Manifest,
  options: VerifyOptions,
  report: VerifyReport,
  anchors: boolean[],
): Promise<void> {
  if (!files.includes(SIGNATURE_FILE)) {
    report.signature = 'absent';
    if (manifest.signing) {
      report.removed.push(SIGNATURE_FILE);
      report.problems.push(
        `the manifest says it was signed by key ${manifest.signing.keyId}, but ${SIGNATURE_FILE} is gone`,
      );
    } else if (options.publicKey)
      report.problems.push('the bundle is not signed, and --public-key asks for a signature');
    return;
  }
  if (!options.publicKey) return;
  let signature: { algorithm?: unknown; keyId?: unknown; signature?: unknown };
  try {
    signature = JSON.parse((await bundle.read(SIGNATURE_FILE)).toString('utf8'));
  } catch {
    signature = {};
  }
  const keyId = keyIdOf(options.publicKey);
  const valid =
    signature.algorithm === 'Ed25519' &&
    typeof signature.signature === 'string' &&
    verifySignature(options.publicKey, bytes, signature.signature);
  report.signature = valid ? 'valid' : 'invalid';
  anchors.push(valid);
  if (valid) return;
  if (manifest.signing && manifest.signing.keyId !== keyId)
    report.problems.push(
      `the bundle was signed with key ${manifest.signing.keyId}, not the given public key ${keyId}`,
    );
  else
    report.problems.push(
      `the signature in ${SIGNATURE_FILE} does not match ${MANIFEST_FILE} for the given public key`,
    );
  if (!report.changed.includes(MANIFEST_FILE)) report.changed.push(MANIFEST_FILE);
}

async function checkTimestamp(
  bundle: BundleSource,
  files: string[],
  bytes: Buffer,
  options: VerifyOptions,
  report: VerifyReport,
): Promise<void> {
  if (!files.includes(TIMESTAMP_FILE)) {
    if (report.manifest?.timestampAuthority) {
      report.removed.push(TIMESTAMP_FILE);
      report.problems.push(
        `the manifest names the TSA ${report.manifest.timestampAuthority}, but ${TIMESTAMP_FILE} is gone`,
      );
    } else if (options.tsaCertificate)
      report.problems.push('the bundle has no timestamp, and --tsa-cert asks for one');
    return;
  }
  try {
    // pkijs is loaded only for a timestamped bundle
    const { verifyTimestamp } = await import('./seal/timestamp.js');
    report.timestamp = await verifyTimestamp(
      await bundle.read(TIMESTAMP_FILE),
      bytes,
      options.tsaCertificate,
    );
  } catch (error) {
    report.changed.push(TIMESTAMP_FILE);
    report.problems.push(`${TIMESTAMP_FILE}: ${(error as Error).message}`);
  }
}

async function checkChecksumFile(
  bundle: BundleSource,
  files: string[],
  manifestSha256: string,
  anchors: boolean[],
  report: VerifyReport,
): Promise<void> {
  if (!files.includes(MANIFEST_CHECKSUM_FILE)) {
    report.removed.push(MANIFEST_CHECKSUM_FILE);
    return;
  }
  const recorded = (await bundle.read(MANIFEST_CHECKSUM_FILE)).toString('utf8').trim().split(/\s+/)[0];
  if (recorded === manifestSha256) return;
  const manifestAnchored = anchors.length > 0 && anchors.every(Boolean);
  if (manifestAnchored || anchors.length === 0 || report.changed.length === 0) {
    // the manifest is vouched for (or nothing says otherwise): the checksum file is what changed
    report.changed.push(MANIFEST_CHECKSUM_FILE);
    if (anchors.length === 0)
      report.problems.push(
        `${MANIFEST_CHECKSUM_FILE} does not match ${MANIFEST_FILE}; without --public-key or --expect nothing tells which of the two was changed`,
      );
  }
}

async function hashStream(stream: AsyncIterable<Uint8Array>): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of stream) {
    hash.update(chunk);
    bytes += chunk.length;
  }
  return { sha256: hash.digest('hex'), bytes };
}
