import type { HttpClient, HttpRequestSpec } from '../../http/client.js';
import type { PlanContext } from '../contract.js';
import {
  ASSERTION_PLACEHOLDER,
  fetchToken,
  googleAssertion,
  googleTokenRequest,
  parseGoogleKey,
} from './oauth.js';

/**
 * The Google adapters' token: a service-account JWT bearer grant signed with the key JSON in the
 * `serviceAccountKey` secret (oauth.ts), optionally impersonating `subject` through domain-wide
 * delegation. Plans show the assertion as a placeholder; the token is never recorded.
 */
export const GOOGLE_TOKEN_URI = 'https://oauth2.googleapis.com/token';

export function plannedGoogleToken(ctx: PlanContext<unknown, unknown>): HttpRequestSpec {
  let tokenUri = GOOGLE_TOKEN_URI;
  try {
    tokenUri = parseGoogleKey(ctx.secrets.serviceAccountKey).token_uri ?? GOOGLE_TOKEN_URI;
  } catch {
    // a plan is shown even when the key is missing; the run itself says what is wrong
  }
  return googleTokenRequest(tokenUri, ASSERTION_PLACEHOLDER);
}

export async function googleToken(
  http: HttpClient,
  ctx: PlanContext<unknown, unknown>,
  scope: string,
  subject?: string,
): Promise<string> {
  const key = parseGoogleKey(ctx.secrets.serviceAccountKey);
  const assertion = googleAssertion(key, scope, ctx.now, subject);
  return fetchToken(http, googleTokenRequest(key.token_uri ?? GOOGLE_TOKEN_URI, assertion));
}
