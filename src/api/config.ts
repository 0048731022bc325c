import { z } from 'zod';
import { envVarName } from '../config/fields.js';

/**
 * `api:` in the config file: the REST API's tokens (`/api/v1/incidents`). Each token has a name
 * (what the timeline shows: "API token deploy-bot"), the NAME of the environment variable holding
 * its secret value, the operations it may ask for (scopes), and its standing in the permission
 * model: `member` (like any full member: declare, and the operations the declarer may do on its own
 * incidents) or `responder` (like a configured responder: the leads' operations on any incident).
 */
export const API_SCOPES = ['read', 'declare', 'write'] as const;
export type ApiScope = (typeof API_SCOPES)[number];

const tokenName = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,39}$/, 'must be lower-case letters, digits and dashes (e.g. deploy-bot)');

export const apiTokenConfigSchema = z.strictObject({
  tokenEnv: envVarName,
  scopes: z.array(z.enum(API_SCOPES)).min(1, 'give the token at least one scope: read, declare or write'),
  standing: z.enum(['member', 'responder']).default('member'),
  /** Whether the token may see private incidents (default: they are "not found" to it). */
  privateIncidents: z.boolean().default(false),
});
export type ApiTokenConfig = z.output<typeof apiTokenConfigSchema>;

export const apiConfigSchema = z
  .strictObject({
    tokens: z.record(tokenName, apiTokenConfigSchema).default({}),
    /** Requests per token per minute (across replicas); over it: 429 with Retry-After. */
    requestsPerMinute: z.number().int().min(1).max(100_000).default(120),
    /** Largest request body accepted, in bytes (413 over it). */
    bodyLimit: z.number().int().min(1_024).max(1_048_576).default(16_384),
  })
  .prefault({});
export type ApiConfig = z.output<typeof apiConfigSchema>;
