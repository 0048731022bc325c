import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import type { S3Config } from '../config.js';

/**
 * One S3 client for the configured store: the SDK's standard credential chain unless static keys
 * are named, its standard retry (500, 503 SlowDown, throttling, timeouts) for `maxAttempts`, and
 * its default flexible checksums (CRC32 on every upload, verified by S3 on receipt).
 */
export function s3ClientFor(
  config: Pick<
    S3Config,
    | 'endpoint'
    | 'region'
    | 'pathStyle'
    | 'maxAttempts'
    | 'accessKeyIdEnv'
    | 'secretAccessKeyEnv'
    | 'sessionTokenEnv'
  >,
  env: NodeJS.ProcessEnv,
): S3Client {
  const options: S3ClientConfig = {
    region: config.region,
    maxAttempts: config.maxAttempts,
    forcePathStyle: config.pathStyle ?? Boolean(config.endpoint),
    requestChecksumCalculation: 'WHEN_SUPPORTED',
    responseChecksumValidation: 'WHEN_SUPPORTED',
  };
  if (config.endpoint) options.endpoint = config.endpoint;
  if (config.accessKeyIdEnv && config.secretAccessKeyEnv) {
    const accessKeyId = env[config.accessKeyIdEnv];
    const secretAccessKey = env[config.secretAccessKeyEnv];
    if (!accessKeyId || !secretAccessKey)
      throw new Error(
        `evidence.storage.s3 names ${config.accessKeyIdEnv} and ${config.secretAccessKeyEnv}, but they are not set`,
      );
    const sessionToken = config.sessionTokenEnv ? env[config.sessionTokenEnv] : undefined;
    options.credentials = { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) };
  }
  return new S3Client(options);
}

/** An S3 error's code and HTTP status, for messages that say what failed. */
export function describeS3Error(error: unknown): string {
  const e = error as {
    name?: string;
    Code?: string;
    $metadata?: { httpStatusCode?: number };
    message?: string;
  };
  const status = e.$metadata?.httpStatusCode;
  return `${e.Code ?? e.name ?? 'error'}${status ? ` (HTTP ${status})` : ''}${e.message && e.message !== e.name ? `: ${e.message}` : ''}`;
}

export function s3Status(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
}
