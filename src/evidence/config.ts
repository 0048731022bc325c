import { z } from 'zod';

/** Names an environment variable; the secret itself never appears in the config file. */
const envVarName = z
  .string()
  .regex(/^[A-Z_][A-Z0-9_]*$/, 'must be the NAME of an environment variable, e.g. QUELL_S3_SECRET_KEY');

const s3Schema = z.strictObject({
  /** Endpoint of the S3-compatible service, e.g. https://s3.eu-west-1.amazonaws.com or http://127.0.0.1:9000. */
  endpoint: z.url('must be a URL such as https://s3.eu-west-1.amazonaws.com'),
  region: z.string().min(1).default('us-east-1'),
  bucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be an S3 bucket name'),
  /** Key prefix inside the bucket; bundles go to <prefix>/<incident>/v<N>/. */
  prefix: z
    .string()
    .regex(/^[A-Za-z0-9!_.*'()/-]*$/)
    .default('quell-evidence'),
  /** Path-style URLs (<endpoint>/<bucket>/<key>): what MinIO and most S3-compatible stores expect. */
  pathStyle: z.boolean().default(true),
  accessKeyIdEnv: envVarName.default('QUELL_S3_ACCESS_KEY_ID'),
  secretAccessKeyEnv: envVarName.default('QUELL_S3_SECRET_ACCESS_KEY'),
  /** Optional session token for temporary credentials. */
  sessionTokenEnv: envVarName.optional(),
});

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
    /** Messages per conversations.history call (Slack allows up to 999). */
    historyPageSize: z.number().int().min(1).max(999).default(999),
    /** Messages per conversations.replies call (Slack allows up to 1000). */
    repliesPageSize: z.number().int().min(1).max(1000).default(1000),
    /** Archive automatically when an incident is resolved. */
    archiveOnResolve: z.boolean().default(true),
    /** Upload the readable transcript and the manifest to the incident channel. */
    uploadToChannel: z.boolean().default(true),
  })
  .prefault({});

export type EvidenceConfig = z.output<typeof evidenceConfigSchema>;
export type S3Config = z.output<typeof s3Schema>;
