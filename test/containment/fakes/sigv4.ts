import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/**
 * A Signature Version 4 checker written from AWS's documentation, independent of the SDK that
 * signs: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
 * (canonical request: method, canonical URI, canonical query string, canonical headers, signed
 * headers, hashed payload; string to sign: `AWS4-HMAC-SHA256`, the request date, the credential
 * scope `date/region/service/aws4_request`, the hex SHA-256 of the canonical request; signing key:
 * HMAC chain of `"AWS4" + secret`, date, region, service, `aws4_request`).
 */
export interface SigV4Result {
  ok: boolean;
  reason?: string;
  accessKeyId?: string;
  region?: string;
  service?: string;
}

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data).digest();

/** RFC 3986 encoding as SigV4 wants it: everything but unreserved characters, `%XX` upper-case. */
const uriEncode = (value: string) =>
  encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

function canonicalQuery(search: string): string {
  if (!search) return '';
  return search
    .slice(1)
    .split('&')
    .filter(Boolean)
    .map((pair) => {
      const [k, v = ''] = pair.split('=');
      return [
        uriEncode(decodeURIComponent(k!)),
        uriEncode(decodeURIComponent(v.replace(/\+/g, ' '))),
      ] as const;
    })
    .sort(([a, av], [b, bv]) => (a === b ? (av < bv ? -1 : 1) : a < b ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

/** Non-S3 services: each path segment is URI-encoded again (the path as sent is encoded once). */
function canonicalUri(pathname: string): string {
  return pathname
    .split('/')
    .map((segment) => uriEncode(segment))
    .join('/');
}

export function verifySigV4(
  request: { method: string; url: string; headers: IncomingHttpHeaders; body: Buffer },
  secrets: Readonly<Record<string, string>>,
  now: Date = new Date(),
): SigV4Result {
  const auth = String(request.headers.authorization ?? '');
  const match =
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(
      auth,
    );
  if (!match) return { ok: false, reason: 'no SigV4 Authorization header' };
  const [, accessKeyId, date, region, service, signedHeaders, signature] = match as unknown as string[];
  const secret = secrets[accessKeyId!];
  if (!secret) return { ok: false, reason: `unknown access key ${accessKeyId}` };
  const amzDate = String(request.headers['x-amz-date'] ?? '');
  if (!/^\d{8}T\d{6}Z$/.test(amzDate) || amzDate.slice(0, 8) !== date)
    return { ok: false, reason: 'X-Amz-Date missing or not the credential date' };
  const at = Date.parse(
    `${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`,
  );
  if (Math.abs(now.getTime() - at) > 15 * 60_000) return { ok: false, reason: 'request time too skewed' };
  const names = signedHeaders!.split(';');
  if (!names.includes('host')) return { ok: false, reason: 'host is not signed' };
  const payloadHash = sha256(request.body);
  const declared = request.headers['x-amz-content-sha256'];
  if (declared && declared !== payloadHash && declared !== 'UNSIGNED-PAYLOAD')
    return { ok: false, reason: 'x-amz-content-sha256 does not match the body' };
  const url = new URL(request.url, 'http://placeholder');
  const canonicalHeaders = names
    .map((name) => {
      const value = request.headers[name];
      const joined = Array.isArray(value) ? value.join(',') : String(value ?? '');
      return `${name}:${joined.trim().replace(/\s+/g, ' ')}\n`;
    })
    .join('');
  const canonicalRequest = [
    request.method,
    canonicalUri(url.pathname),
    canonicalQuery(url.search),
    canonicalHeaders,
    signedHeaders,
    payloadHash,
  ].join('\n');
  const scope = `${date}/${region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonicalRequest)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, date!), region!), service!), 'aws4_request');
  const expected = createHmac('sha256', key).update(stringToSign).digest();
  const given = Buffer.from(signature!, 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return {
      ok: false,
      reason: 'signature does not match',
      accessKeyId: accessKeyId!,
      region: region!,
      service: service!,
    };
  return { ok: true, accessKeyId: accessKeyId!, region: region!, service: service! };
}
