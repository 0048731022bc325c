import { z } from 'zod';
import { duration, envVarName } from '../config/fields.js';

const s3Schema = z
  .strictObject({
    /** Endpoint of an S3-compatible service (MinIO, …); leave out for AWS S3 itself. */
    endpoint: z.url('must be a URL such as https://s3.eu-west-1.amazonaws.com').optional(),
    region: z.string().min(1).default('us-east-1'),
    bucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be an S3 bucket name'),
    /** Key prefix inside the bucket; bundles go to <prefix>/<incident>/v<N>/. */
    prefix: z
      .string()
      .regex(/^[A-Za-z0-9!_.*'()/-]*$/)
      .default('quell-evidence'),
    /** Path-style URLs (<endpoint>/<bucket>/<key>): what MinIO expects; default on with an endpoint. */
    pathStyle: z.boolean().optional(),
    /**
     * Static keys from these environment variables. Leave both out to use the AWS SDK's standard
     * credential chain (AWS_* variables, shared config/SSO, web identity (IRSA), ECS and EC2
     * instance roles), with temporary credentials refreshed as they expire.
     */
    accessKeyIdEnv: envVarName.optional(),
    secretAccessKeyEnv: envVarName.optional(),
    sessionTokenEnv: envVarName.optional(),
    /** Attempts per request (the SDK's standard retry: 500, 503 SlowDown, throttling, timeouts). */
    maxAttempts: z.number().int().min(1).max(20).default(5),
    /** Multipart part size; memory held by an upload is at most partSizeMb × 2. */
    partSizeMb: z.number().int().min(5).max(512).default(8),
    /** WORM retention on every object (the bucket must have Object Lock enabled). */
    objectLock: z
      .strictObject({
        mode: z.enum(['GOVERNANCE', 'COMPLIANCE']),
        retainDays: z.number().int().min(1).max(36_500),
      })
      .optional(),
    /** Server-side encryption: `AES256` (SSE-S3) or `aws:kms` with an optional key id / ARN. */
    serverSideEncryption: z
      .strictObject({
        kind: z.enum(['AES256', 'aws:kms']),
        kmsKeyId: z.string().min(1).optional(),
      })
      .optional(),
  })
  .superRefine((s3, ctx) => {
    if (Boolean(s3.accessKeyIdEnv) !== Boolean(s3.secretAccessKeyEnv))
      ctx.addIssue({
        code: 'custom',
        path: [s3.accessKeyIdEnv ? 'secretAccessKeyEnv' : 'accessKeyIdEnv'],
        message:
          'name both accessKeyIdEnv and secretAccessKeyEnv, or neither (the standard credential chain)',
      });
    if (s3.serverSideEncryption?.kmsKeyId && s3.serverSideEncryption.kind !== 'aws:kms')
      ctx.addIssue({
        code: 'custom',
        path: ['serverSideEncryption', 'kmsKeyId'],
        message: 'needs kind aws:kms',
      });
  });

/** Slack's documented pace for conversations.history/replies, by how the app is distributed. */
export const SLACK_PACE = {
  /** Internal (and Marketplace) apps: Tier 3, about 50 calls a minute, up to 999/1000 a page. */
  tier3: { callsPerMinute: 50, historyPageSize: 999, repliesPageSize: 1000 },
  /** Commercially distributed apps outside the Marketplace (since 2025): 1 call a minute, 15 a page. */
  'non-marketplace': { callsPerMinute: 1, historyPageSize: 15, repliesPageSize: 15 },
} as const;

export const evidenceConfigSchema = z
  .strictObject({
    storage: z
      .strictObject({
        /** `local` (a directory on this host) or `s3` (an S3-compatible object store). */
        kind: z.enum(['local', 's3']).default('local'),
        /** Local bundles, and the staging area for every bundle (also when kind is s3). */
        directory: z.string().min(1).default('./evidence'),
        s3: s3Schema.optional(),
      })
      .prefault({})
      .superRefine((storage, ctx) => {
        if (storage.kind === 's3' && !storage.s3)
          ctx.addIssue({ code: 'custom', path: ['s3'], message: 'is required when kind is s3' });
      }),
    /**
     * Slack's pace for reading history: `tier3` (internal apps) or `non-marketplace` (commercially
     * distributed apps outside the Slack Marketplace). Sets the page sizes and the ETA shown.
     */
    pace: z.enum(['tier3', 'non-marketplace']).default('tier3'),
    /** Messages per conversations.history call (default from `pace`; Slack allows up to 999). */
    historyPageSize: z.number().int().min(1).max(999).optional(),
    /** Messages per conversations.replies call (default from `pace`; Slack allows up to 1000). */
    repliesPageSize: z.number().int().min(1).max(1000).optional(),
    /** Read this much past the newest message Slack shows, so clock skew never cuts the window. */
    windowMarginSeconds: z.number().int().min(0).max(3600).default(120),
    /** Archive automatically when an incident is resolved. */
    archiveOnResolve: z.boolean().default(true),
    /** Upload the readable transcript and the manifest to the incident channel. */
    uploadToChannel: z.boolean().default(true),
    /** A transcript larger than this is not uploaded (it stays in the bundle; the manifest is). */
    uploadMaxBytes: z
      .number()
      .int()
      .min(0)
      .default(5 * 1024 * 1024),
    /** Edit the progress message in the channel at most this often while archiving. */
    progressEverySeconds: z.number().int().min(1).default(15),
    signing: z
      .strictObject({
        /** The environment variable holding the Ed25519 private key (`quell evidence keygen`). */
        privateKeyEnv: envVarName,
      })
      .optional(),
    /** An RFC 3161 time-stamping authority: the manifest's hash is timestamped by it. */
    timestamp: z
      .strictObject({
        url: z.url(),
        timeoutSeconds: z.number().int().min(1).max(120).default(15),
      })
      .optional(),
    files: z
      .strictObject({
        /** Download shared files into the bundle (files:read); above the cap only metadata, recorded. */
        download: z.boolean().default(true),
        maxBytes: z
          .number()
          .int()
          .min(0)
          .default(25 * 1024 * 1024),
      })
      .prefault({}),
    /** Channels where the agent's bot user posts: its messages there in the window join the bundle. */
    agentBotChannels: z.array(z.string().regex(/^[CG][A-Z0-9]{2,}$/, 'must be a channel id')).default([]),
    /** The agent's bot user id (messages by it in agentBotChannels); per incident `agent.botUserId` wins. */
    agentBotUserId: z
      .string()
      .regex(/^[UWB][A-Z0-9]{2,}$/)
      .optional(),
    /**
     * How long captured edit/deletion text stays in Redis after the incident is closed and a
     * verified bundle holds it (the text may hold secrets; the bundle keeps it signed). Applied by
     * the retention sweep (`retention:`), the one mechanism that takes state out of Redis.
     */
    revisionRetention: duration.prefault('7d'),
  })
  .prefault({});

export type EvidenceConfig = z.output<typeof evidenceConfigSchema>;
export type S3Config = z.output<typeof s3Schema>;

/** The shared pacer's rate for history and replies at the configured pace (runtime.ts passes it on). */
export function historyRates(config: EvidenceConfig): Record<string, { perMinute: number; burst: number }> {
  const { callsPerMinute } = SLACK_PACE[config.pace];
  const rate = { perMinute: callsPerMinute, burst: callsPerMinute };
  return { 'conversations.history': rate, 'conversations.replies': rate };
}

export function pageSizes(config: EvidenceConfig): { history: number; replies: number } {
  const pace = SLACK_PACE[config.pace];
  return {
    history: config.historyPageSize ?? pace.historyPageSize,
    replies: config.repliesPageSize ?? pace.repliesPageSize,
  };
}
