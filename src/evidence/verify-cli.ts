import type { KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { type BundleSource, BundleUnreadableError, LocalBundleSource } from './bundle-source.js';
import { generateSigningKey, loadPublicKey, SigningKeyError } from './seal/signing.js';
import { parseS3Url } from './storage/s3-url.js';
import { verifyBundle } from './verify.js';

export const EVIDENCE_VERIFY_USAGE = `quell evidence verify <bundle-dir | s3://bucket/prefix/> [--expect <manifest-sha256>] [--public-key <file | key>] [--tsa-cert <file.der|.pem>] [--region R] [--endpoint URL]
      recompute every hash and check the signature; exit 0 ok, 1 tampered, 2 bad usage or unreadable
  quell evidence keygen   print a new Ed25519 signing key (keep private) and its public key (publish)`;

type Out = (line: string) => void;

interface VerifyArgs {
  bundle: string;
  expect?: string;
  publicKey?: string;
  tsaCert?: string;
  region?: string;
  endpoint?: string;
}

const FLAGS = ['--expect', '--public-key', '--tsa-cert', '--region', '--endpoint'] as const;

function parseArgs(args: string[]): VerifyArgs | string {
  const values: Record<string, string> = {};
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg.startsWith('--')) {
      if (!(FLAGS as readonly string[]).includes(arg)) return `unknown option ${arg}`;
      const value = args[++i];
      if (value === undefined || value.startsWith('--')) return `${arg} needs a value`;
      values[arg.slice(2)] = value;
    } else positional.push(arg);
  }
  if (positional.length !== 1) return 'give exactly one bundle location';
  if (values.expect !== undefined && !/^[0-9a-f]{64}$/.test(values.expect))
    return '--expect takes the 64-hex-digit manifest SHA-256';
  return {
    bundle: positional[0]!,
    ...(values.expect ? { expect: values.expect } : {}),
    ...(values['public-key'] ? { publicKey: values['public-key'] } : {}),
    ...(values['tsa-cert'] ? { tsaCert: values['tsa-cert'] } : {}),
    ...(values.region ? { region: values.region } : {}),
    ...(values.endpoint ? { endpoint: values.endpoint } : {}),
  };
}

/** A key given inline, or the path of a file holding it. */
async function readKey(value: string): Promise<KeyObject> {
  const text = /^[A-Za-z0-9+/=]{40,}$|^[0-9a-f]{64}$|-----BEGIN/.test(value.trim())
    ? value
    : await readFile(value, 'utf8');
  return loadPublicKey(text);
}

async function readCert(path: string): Promise<Buffer> {
  const bytes = await readFile(path);
  const text = bytes.toString('utf8');
  if (!text.includes('-----BEGIN CERTIFICATE-----')) return bytes;
  return Buffer.from(text.replace(/-----(BEGIN|END) CERTIFICATE-----|\s+/g, ''), 'base64');
}

async function sourceFor(args: VerifyArgs, env: NodeJS.ProcessEnv): Promise<BundleSource | string> {
  if (!args.bundle.startsWith('s3://')) return new LocalBundleSource(args.bundle);
  const url = parseS3Url(args.bundle);
  if (!url) return `${args.bundle} is not an s3://bucket/prefix/ URL`;
  const endpoint = args.endpoint ?? env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL;
  // the SDK is loaded only for an s3:// bundle
  const [{ s3ClientFor }, { S3BundleSource }] = await Promise.all([
    import('./storage/s3-client.js'),
    import('./storage/s3-source.js'),
  ]);
  const client = s3ClientFor(
    {
      region: args.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1',
      maxAttempts: 5,
      ...(endpoint ? { endpoint } : {}),
    },
    env,
  );
  return new S3BundleSource(client, url.bucket, url.prefix, true);
}

/**
 * `quell evidence verify <bundle>`: 0 when every file matches the manifest (and the signature and
 * timestamp hold, when asked for), 1 when anything was added, removed or changed, 2 for bad usage or
 * a location that cannot be read. Each changed file is named on its own line.
 */
export async function evidenceVerifyCommand(
  argv: string[],
  out: Out = console.log,
  err: Out = console.error,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const args = parseArgs(argv);
  if (typeof args === 'string') {
    err(`quell evidence verify: ${args}\nUsage: ${EVIDENCE_VERIFY_USAGE}`);
    return 2;
  }
  let publicKey: KeyObject | undefined;
  let tsaCert: Buffer | undefined;
  try {
    if (args.publicKey) publicKey = await readKey(args.publicKey);
    if (args.tsaCert) tsaCert = await readCert(args.tsaCert);
  } catch (error) {
    err(
      `quell evidence verify: ${error instanceof SigningKeyError ? error.message : `cannot read ${(error as NodeJS.ErrnoException).path ?? 'the key'} (${(error as NodeJS.ErrnoException).code ?? error})`}`,
    );
    return 2;
  }
  const source = await sourceFor(args, env);
  if (typeof source === 'string') {
    err(`quell evidence verify: ${source}`);
    return 2;
  }
  let report: Awaited<ReturnType<typeof verifyBundle>>;
  try {
    report = await verifyBundle(source, {
      ...(args.expect ? { expectedManifestSha256: args.expect } : {}),
      ...(publicKey ? { publicKey } : {}),
      ...(tsaCert ? { tsaCertificate: tsaCert } : {}),
    });
  } catch (error) {
    if (error instanceof BundleUnreadableError) {
      err(`quell evidence verify: ${error.message}`);
      return 2;
    }
    throw error;
  } finally {
    source.close?.();
  }
  for (const problem of report.problems) err(`PROBLEM  ${problem}`);
  for (const path of report.added) err(`ADDED    ${path}`);
  for (const path of report.removed) err(`REMOVED  ${path}`);
  for (const path of report.changed) err(`CHANGED  ${path}`);
  const m = report.manifest;
  if (report.ok && m) {
    out(
      `${report.location}: OK · ${m.incident.id} bundle v${m.bundle.version} · ${report.checked} files match · manifest SHA-256 ${report.manifestSha256}`,
    );
    out(
      `signature: ${report.signature === 'valid' ? `valid (Ed25519, key ${m.signing?.keyId})` : report.signature === 'absent' ? 'none (unsigned bundle)' : 'present, not checked (pass --public-key)'}`,
    );
    if (report.timestamp)
      out(
        `timestamp: ${report.timestamp.genTime.toISOString()} by the TSA (RFC 3161, serial ${report.timestamp.serial})`,
      );
    out(
      `archived ${m.archivedAt} by ${m.archivedBy.name} (${m.archivedBy.id}); covers ${m.window.from} → ${m.window.to}; Quell ${m.quell.version}`,
    );
    return 0;
  }
  err(`${report.location}: FAILED verification`);
  return 1;
}

/** `quell evidence keygen`: a new key pair; the private key goes in the env variable the config names. */
export function evidenceKeygenCommand(
  argv: string[],
  out: Out = console.log,
  err: Out = console.error,
): number {
  if (argv.length > 0) {
    err('Usage: quell evidence keygen');
    return 2;
  }
  const key = generateSigningKey();
  const der = key.privateKeyPem.replace(/-----(BEGIN|END) PRIVATE KEY-----|\s+/g, '');
  out('# Private key: store it as a secret and name its variable in evidence.signing.privateKeyEnv');
  out(`QUELL_EVIDENCE_SIGNING_KEY=${der}`);
  out('');
  out(`# Public key (key id ${key.keyId}): publish it; verifiers pass it to --public-key`);
  out(key.publicKeyPem.trimEnd());
  return 0;
}
