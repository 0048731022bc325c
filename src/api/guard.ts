import type { Redis } from 'ioredis';
import type { z } from 'zod';
import { IncidentNotFoundError, InvalidTransitionError, QuellError, UsageError } from '../errors.js';
import { ApiError, type ApiRequest } from '../http-api/router.js';
import type { RefusalLog } from '../incidents/authorize-refusals.js';
import type { Incident } from '../incidents/model.js';
import { NotPermittedError } from '../incidents/permissions.js';
import type { ApiScope } from './config.js';
import type { ApiToken, ApiTokens } from './tokens.js';

/**
 * What every REST API request goes through before the domain sees it: the bearer token (401),
 * the per-token rate limit (429, shared by replicas through Redis), the operation's scope (403,
 * recorded like a person's refusal), and the body or query parsed by its zod schema (400 naming
 * each issue's path). `failure` turns a domain refusal into its HTTP answer.
 */
export interface GuardDeps {
  tokens: Pick<ApiTokens, 'authenticate'>;
  redis: Redis;
  prefix: string;
  requestsPerMinute: number;
  refusals: Pick<RefusalLog, 'record'>;
  now: () => number;
}

export class ApiGuard {
  constructor(private readonly deps: GuardDeps) {}

  /** The calling token; 401 when the header is missing or names no configured token. */
  async authenticate(request: ApiRequest): Promise<ApiToken> {
    const header = request.header('authorization') ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    const token = match ? this.deps.tokens.authenticate(match[1]!) : undefined;
    if (!token)
      throw new ApiError(
        401,
        match
          ? 'unknown API token'
          : 'send an API token from the config (api.tokens) as "Authorization: Bearer <token>"',
        {},
      );
    await this.limit(token);
    return token;
  }

  /** A fixed one-minute window per token, counted in Redis so every replica shares it. */
  private async limit(token: ApiToken): Promise<void> {
    const now = this.deps.now();
    const window = Math.floor(now / 60_000);
    const key = `${this.deps.prefix}:api:rate:${token.name}:${window}`;
    const [[, count]] = (await this.deps.redis.multi().incr(key).expire(key, 120).exec()) as [
      [Error | null, number],
    ];
    if (count > this.deps.requestsPerMinute) {
      const retryAfter = Math.max(1, Math.ceil(((window + 1) * 60_000 - now) / 1000));
      throw new ApiError(
        429,
        `over ${this.deps.requestsPerMinute} requests a minute for token ${token.name}`,
        {
          retryAfterSeconds: retryAfter,
        },
      );
    }
  }

  /** 403 unless the token has the scope; the refusal is recorded on the incident's timeline. */
  async requireScope(token: ApiToken, scope: ApiScope, incident?: Incident): Promise<void> {
    if (token.scopes.includes(scope)) return;
    await this.deps.refusals.record(
      {
        actor: token.actor,
        operation: `api.${scope}`,
        who: `API tokens with the ${scope} scope (api.tokens.<name>.scopes)`,
        ...(incident ? { incident } : {}),
        reason: `token ${token.name} has ${token.scopes.join(', ')}`,
      },
      `use the REST API's ${scope} scope`,
    );
    throw new ApiError(
      403,
      `token ${token.name} lacks the ${scope} scope (it has ${token.scopes.join(', ')})`,
      {
        code: 'missing_scope',
      },
    );
  }
}

/** The request's JSON body or query, parsed by `schema`; 400 with every issue's path. */
export function parse<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new ApiError(400, 'the request does not match its schema (see issues)', {
    issues: result.error.issues.map((issue) => ({
      path: issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p)),
      message: issue.message,
    })),
  });
}

/** A domain refusal as its HTTP answer; anything else is rethrown (a logged 500). */
export function failure(error: unknown): never {
  if (error instanceof ApiError) throw error;
  if (error instanceof NotPermittedError) throw new ApiError(403, error.userMessage, { code: error.code });
  if (error instanceof IncidentNotFoundError)
    throw new ApiError(404, error.userMessage, { code: error.code });
  if (error instanceof UsageError) throw new ApiError(422, error.userMessage, { code: error.code });
  if (error instanceof InvalidTransitionError)
    throw new ApiError(409, error.userMessage, { code: error.code });
  // the restart gate's refusal, a declare still in progress, a concurrent change
  if (error instanceof QuellError) throw new ApiError(409, error.userMessage, { code: error.code });
  throw error;
}
