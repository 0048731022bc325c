import { join } from 'node:path';
import { metrics } from '../../ops/metrics.js';
import type { BundleWriter } from '../bundle-writer.js';
import { writePrivateFile } from '../files.js';
import {
  MANIFEST_CHECKSUM_FILE,
  MANIFEST_FILE,
  type Manifest,
  type SealedManifest,
  SIGNATURE_FILE,
  sealManifest,
  TIMESTAMP_FILE,
} from '../manifest.js';
import { canonicalJson } from './canonical-json.js';
import { type SigningKey, signBytes } from './signing.js';

export interface SealOptions {
  signingKey?: SigningKey;
  timestamp?: { url: string; timeoutMs: number };
}

/**
 * Writes manifest.json (canonical bytes), its checksum, the Ed25519 signature over those bytes and
 * the TSA's token for them. A configured TSA that fails fails the archive: a bundle said to be
 * timestamped must be.
 */
export async function sealBundle(
  writer: BundleWriter,
  manifest: Manifest,
  options: SealOptions,
): Promise<SealedManifest> {
  const sealed = sealManifest(manifest);
  const at = (file: string) => join(writer.directory, file);
  await writePrivateFile(at(MANIFEST_FILE), sealed.bytes);
  await writePrivateFile(at(MANIFEST_CHECKSUM_FILE), sealed.checksum);
  if (options.signingKey)
    await writePrivateFile(
      at(SIGNATURE_FILE),
      `${canonicalJson({ algorithm: 'Ed25519', keyId: options.signingKey.keyId, signature: signBytes(options.signingKey, sealed.bytes) })}\n`,
    );
  if (options.timestamp) {
    // pkijs is loaded only where a TSA is configured
    const { requestTimestamp } = await import('./timestamp.js');
    const token = await requestTimestamp(options.timestamp.url, sealed.bytes, {
      timeoutMs: options.timestamp.timeoutMs,
    });
    await writePrivateFile(at(TIMESTAMP_FILE), token);
  }
  metrics.archiveRun('sealed');
  return sealed;
}
