import { createHash, timingSafeEqual } from 'node:crypto';
import { ConfigError } from '../config/errors.js';
import { apiTokenActor } from '../incidents/model.js';
import type { ApiConfig, ApiScope } from './config.js';

/**
 * The API's tokens, read once from the environment and kept only as SHA-256 hashes: a presented
 * token is hashed and compared with every stored hash in constant time (no early exit), so neither
 * the comparison nor the loop tells a caller how close a guess was. A token is an actor
 * (`quell:api:<name>`) the permission model decides like a person (token-permissions.ts).
 */
export interface ApiToken {
  name: string;
  actor: string;
  scopes: readonly ApiScope[];
  standing: 'member' | 'responder';
  privateIncidents: boolean;
}

interface StoredToken extends ApiToken {
  hash: Buffer;
}

const MIN_TOKEN_LENGTH = 24;

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

export class ApiTokens {
  private readonly tokens: StoredToken[];

  constructor(config: ApiConfig, secrets: NodeJS.ProcessEnv) {
    this.tokens = Object.entries(config.tokens).map(([name, token]) => {
      const value = secrets[token.tokenEnv]?.trim();
      if (!value)
        throw new ConfigError(
          `api.tokens.${name}.tokenEnv names ${token.tokenEnv}, but that environment variable is not set`,
        );
      if (value.length < MIN_TOKEN_LENGTH)
        throw new ConfigError(
          `api.tokens.${name}: the token in ${token.tokenEnv} is shorter than ${MIN_TOKEN_LENGTH} characters; use e.g. \`openssl rand -hex 32\``,
        );
      return {
        name,
        actor: apiTokenActor(name),
        scopes: token.scopes,
        standing: token.standing,
        privateIncidents: token.privateIncidents,
        hash: sha256(value),
      };
    });
  }

  get size(): number {
    return this.tokens.length;
  }

  /** The token whose value this is, or undefined. Every stored hash is compared. */
  authenticate(presented: string): ApiToken | undefined {
    const hash = sha256(presented);
    let found: StoredToken | undefined;
    for (const token of this.tokens) if (timingSafeEqual(hash, token.hash) && !found) found = token;
    if (!found) return undefined;
    const { hash: _hash, ...token } = found;
    return token;
  }

  /** The token acting as `actor` (the permission model asks), or undefined. */
  byActor(actor: string): ApiToken | undefined {
    const token = this.tokens.find((t) => t.actor === actor);
    if (!token) return undefined;
    const { hash: _hash, ...rest } = token;
    return rest;
  }
}
