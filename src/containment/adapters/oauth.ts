import { createPrivateKey, createSign } from 'node:crypto';
import { z } from 'zod';
import type { HttpClient, HttpRequestSpec } from '../../http/client.js';

/**
 * Access tokens for the identity adapters, fetched at run time and never planned or stored: plans
 * and the audit show `BEARER_PLACEHOLDER` instead.
 * - Microsoft identity platform client credentials:
 *   https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-client-creds-grant-flow
 *   (`POST /{tenant}/oauth2/v2.0/token`, form `client_id, scope=https://graph.microsoft.com/.default,
 *   client_secret, grant_type=client_credentials`).
 * - Google service-account JWT bearer grant:
 *   https://developers.google.com/identity/protocols/oauth2/service-account#httprest (RS256 JWT with
 *   `iss` the service account's email, `scope`, `aud` the token URI, `iat`, `exp` ≤ 1 h, optional `sub`
 *   for domain-wide delegation; `POST https://oauth2.googleapis.com/token` form
 *   `grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer&assertion=<jwt>`).
 */
export const BEARER_PLACEHOLDER = 'Bearer [access token, fetched at run time]';
export const ASSERTION_PLACEHOLDER = '[signed at run time]';

const tokenResponse = z.looseObject({ access_token: z.string().min(1) });
/**
 * Form encoding with encodeURIComponent (not URLSearchParams, which also encodes `~`): the redactor
 * knows a secret's encodeURIComponent form, so a client secret in a recorded body is still found.
 */
const form = (fields: Record<string, string>) =>
  Object.entries(fields)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .join('&');

export function entraTokenRequest(
  authority: string,
  tenantId: string,
  clientId: string,
  clientSecret: string,
): HttpRequestSpec {
  return {
    method: 'POST',
    url: `${authority}/${encodeURIComponent(tenantId)}/oauth2/v2.0/token`,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    rawBody: form({
      client_id: clientId,
      scope: 'https://graph.microsoft.com/.default',
      client_secret: clientSecret,
      grant_type: 'client_credentials',
    }),
    // a token request changes nothing: safe to retry
    idempotent: true,
  };
}

export interface GoogleServiceAccountKey {
  client_email: string;
  private_key: string;
  token_uri?: string;
}

export function parseGoogleKey(json: string | undefined): GoogleServiceAccountKey {
  if (!json) throw new Error('the serviceAccountKey secret (the service account key JSON) is not set');
  const parsed = z
    .looseObject({
      client_email: z.string().min(1),
      private_key: z.string().min(1),
      token_uri: z.string().optional(),
    })
    .safeParse(JSON.parse(json));
  if (!parsed.success)
    throw new Error(
      'the serviceAccountKey secret is not a service account key JSON (client_email, private_key)',
    );
  return parsed.data;
}

export function googleAssertion(
  key: GoogleServiceAccountKey,
  scope: string,
  now: Date,
  subject?: string,
): string {
  const iat = Math.floor(now.getTime() / 1000);
  const enc = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const claims = {
    iss: key.client_email,
    scope,
    aud: key.token_uri ?? 'https://oauth2.googleapis.com/token',
    iat,
    exp: iat + 3600,
    ...(subject ? { sub: subject } : {}),
  };
  const unsigned = `${enc({ alg: 'RS256', typ: 'JWT' })}.${enc(claims)}`;
  const signature = createSign('RSA-SHA256').update(unsigned).sign(createPrivateKey(key.private_key));
  return `${unsigned}.${signature.toString('base64url')}`;
}

export function googleTokenRequest(tokenUri: string, assertion: string): HttpRequestSpec {
  return {
    method: 'POST',
    url: tokenUri,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    rawBody: `grant_type=${encodeURIComponent('urn:ietf:params:oauth:grant-type:jwt-bearer')}&assertion=${assertion}`,
    idempotent: true,
  };
}

export async function fetchToken(http: HttpClient, request: HttpRequestSpec): Promise<string> {
  const { data } = await http.request(request, tokenResponse);
  return `Bearer ${data.access_token}`;
}
