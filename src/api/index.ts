import type { Redis } from 'ioredis';
import type { ApiRoute } from '../http-api/router.js';
import type { RefusalLog } from '../incidents/authorize-refusals.js';
import type { Logger } from '../logging/logger.js';
import type { ApiConfig } from './config.js';
import { ApiGuard } from './guard.js';
import { openApiDocument } from './openapi.js';
import { type ApiDeps, type ApiOperation, apiRoutes, OPERATIONS } from './routes.js';
import type { ApiTokens } from './tokens.js';

/**
 * The REST API edge (`/api/v1/incidents`): like src/slack, it turns requests into calls of the
 * domain services and their answers back. services.ts builds the tokens first (the permission
 * model decides them, token-permissions.ts), then the routes, which it mounts on the HTTP router.
 */
export interface RestApiDeps extends Omit<ApiDeps, 'guard' | 'bodyLimit' | 'now'> {
  config: ApiConfig;
  tokens: ApiTokens;
  refusals: Pick<RefusalLog, 'record'>;
  redis: Redis;
  now: () => Date;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
}

/** The operations plus the OpenAPI document's own route (no token needed: it holds no secret). */
export function withDocument(operations: readonly ApiOperation[]): ApiOperation[] {
  let document: unknown;
  const all: ApiOperation[] = [
    ...operations,
    {
      id: 'openApiDocument',
      method: 'GET',
      path: '/api/v1/openapi.json',
      summary: 'This OpenAPI 3.1 document',
      responses: { 200: undefined },
      async handle() {
        document ??= openApiDocument(all, '1');
        return { status: 200, body: document };
      },
    },
  ];
  return all;
}

export function restApiRoutes(deps: RestApiDeps): ApiRoute[] {
  if (deps.tokens.size === 0) return [];
  const guard = new ApiGuard({
    tokens: deps.tokens,
    redis: deps.redis,
    prefix: deps.prefix,
    requestsPerMinute: deps.config.requestsPerMinute,
    refusals: deps.refusals,
    now: () => deps.now().getTime(),
  });
  return apiRoutes({ ...deps, guard, bodyLimit: deps.config.bodyLimit }, withDocument(OPERATIONS));
}

export { API_SCOPES, type ApiConfig, type ApiScope, apiConfigSchema } from './config.js';
export { openApiDocument } from './openapi.js';
export { OPERATIONS } from './routes.js';
export { TokenAwarePermissions } from './token-permissions.js';
export { type ApiToken, ApiTokens } from './tokens.js';
