import type { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { z } from 'zod';
import { TargetError } from '../../http/target-error.js';
import type { PlanContext, PlannedRequest } from '../contract.js';

/**
 * What the AWS adapters share: settings (region, an optional endpoint for VPC endpoints and tests),
 * credentials (the `accessKeyId`/`secretAccessKey` secret slots when mapped, else the SDK's standard
 * chain: environment, shared config, IRSA web identity, ECS task role, EC2 instance profile), the
 * SDK's own SigV4 signing and retries, and SDK errors turned into TargetError with retry semantics
 * (a 4xx is the service's answer; throttling, 5xx and timeouts were already retried by the SDK).
 *
 * The SDK packages are imported on first use (`await import(...)` in each adapter and here), not at
 * start-up: config validation loads every adapter's settings schema, and the ECS, IAM and Lambda
 * clients with the credential chain weigh about 25 MB of RSS in every Quell process, including
 * those that never contain anything in AWS (an archive or collection worker).
 */
export const awsSettings = {
  region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'must be an AWS region such as eu-west-1'),
  /** Override the service endpoint (VPC interface endpoint, FIPS, a test fake). */
  endpoint: z.url({ protocol: /^https?$/ }).optional(),
};

export const AWS_SECRETS = {
  required: [] as string[],
  optional: ['accessKeyId', 'secretAccessKey', 'sessionToken'],
};

export interface AwsClientConfig {
  region: string;
  endpoint?: string;
  credentials:
    | ReturnType<typeof fromNodeProviderChain>
    | { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  maxAttempts: number;
  requestHandler: { requestTimeout: number; connectionTimeout: number };
}

export async function awsClientConfig(
  ctx: PlanContext<{ region: string; endpoint?: string | undefined }, unknown> & { timeoutMs?: number },
): Promise<AwsClientConfig> {
  const { accessKeyId, secretAccessKey, sessionToken } = ctx.secrets;
  const timeout = ctx.timeoutMs ?? 10_000;
  return {
    region: ctx.settings.region,
    ...(ctx.settings.endpoint ? { endpoint: ctx.settings.endpoint } : {}),
    credentials:
      accessKeyId && secretAccessKey
        ? { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) }
        : (await import('@aws-sdk/credential-providers')).fromNodeProviderChain(),
    maxAttempts: 3,
    requestHandler: { requestTimeout: timeout, connectionTimeout: timeout },
  };
}

/**
 * The IAM SDK and a client, for the adapters that change IAM. Its endpoint is global: the SigV4
 * region is us-east-1 whatever `region` says.
 */
export async function iamSdk(
  ctx: PlanContext<{ region: string; endpoint?: string | undefined }, unknown> & { timeoutMs?: number },
) {
  const sdk = await import('@aws-sdk/client-iam');
  return { sdk, client: new sdk.IAMClient({ ...(await awsClientConfig(ctx)), region: 'us-east-1' }) };
}

interface SdkError {
  name?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number; attempts?: number };
  $retryable?: unknown;
}

/** Runs one SDK call; an SDK failure becomes a TargetError naming the operation and AWS's message. */
export async function awsCall<T>(operation: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    const e = error as SdkError;
    const status = e.$metadata?.httpStatusCode;
    const timedOut = e.name === 'TimeoutError' || /timeout/i.test(e.name ?? '');
    throw new TargetError(
      `AWS ${operation} failed${status ? ` with HTTP ${status}` : ''}: ${e.name ?? 'Error'}: ${e.message ?? 'no message'}`,
      {
        ...(status ? { status } : {}),
        retryable:
          !status ||
          status >= 500 ||
          status === 429 ||
          e.name === 'ThrottlingException' ||
          e.name === 'Throttling',
        attempts: e.$metadata?.attempts ?? 1,
        targetMessage: e.message ?? '',
        ...(timedOut ? { timedOut: true } : {}),
      },
    );
  }
}

/** An SDK call as a plan shows it: the service endpoint and the operation with its input. */
export function awsPlanned(
  ctx: PlanContext<{ region: string; endpoint?: string | undefined }, unknown>,
  service: string,
  operation: string,
  input: Record<string, unknown>,
): PlannedRequest {
  const host =
    service === 'iam'
      ? 'https://iam.amazonaws.com'
      : `https://${service}.${ctx.settings.region}.amazonaws.com`;
  return {
    method: 'POST',
    url: `${ctx.settings.endpoint ?? host}/ (${operation})`,
    body: { operation, input },
  };
}
