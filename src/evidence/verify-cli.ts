import { resolve } from 'node:path';
import { verifyBundle } from './manifest.js';

export const EVIDENCE_VERIFY_USAGE =
  'quell evidence verify <bundle-dir> [--expect <manifest-sha256>]   recompute every hash of an evidence bundle';

/**
 * `quell evidence verify <bundle> [--expect <sha256>]`: 0 when every file matches the manifest,
 * 1 when anything was added, removed or changed, 2 for bad usage. `--expect` takes the manifest
 * SHA-256 recorded on the incident timeline and in the channel.
 */
export async function evidenceVerifyCommand(
  args: string[],
  out: (line: string) => void = console.log,
  err: (line: string) => void = console.error,
): Promise<number> {
  const expectAt = args.indexOf('--expect');
  const expected = expectAt >= 0 ? args[expectAt + 1] : undefined;
  const positional = args.filter((_, i) => expectAt < 0 || (i !== expectAt && i !== expectAt + 1));
  const bundle = positional[0];
  if (!bundle || positional.length > 1 || (expectAt >= 0 && !/^[0-9a-f]{64}$/.test(expected ?? ''))) {
    err(`Usage: ${EVIDENCE_VERIFY_USAGE}`);
    return 2;
  }
  const dir = resolve(bundle);
  const report = await verifyBundle(dir, expected);
  for (const problem of report.problems) err(`PROBLEM  ${problem}`);
  for (const path of report.added) err(`ADDED    ${path}`);
  for (const path of report.removed) err(`REMOVED  ${path}`);
  for (const path of report.changed) err(`CHANGED  ${path}`);
  const m = report.manifest;
  if (report.ok && m) {
    out(
      `${dir}: OK · ${m.incident.id} bundle v${m.bundle.version} · ${report.checked} files match · manifest SHA-256 ${m.manifestSha256}`,
    );
    out(
      `archived ${m.archivedAt} by ${m.archivedBy.name} (${m.archivedBy.id}); covers ${m.window.from} → ${m.window.to}`,
    );
    return 0;
  }
  err(`${dir}: FAILED verification`);
  return 1;
}
