import { createHash, createHmac, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { crc32 } from 'node:zlib';
import { uriEncode } from './sigv4.js';

export interface S3Call {
  method: string;
  /** Path and query as sent. */
  path: string;
  /** The S3 operation, as named by AWS (PutObject, ListObjectsV2, UploadPart, …). */
  operation: string;
  headers: Record<string, string>;
  status: number;
}

interface StoredObject {
  body: Buffer;
  lockMode?: string;
  retainUntil?: string;
  sse?: string;
  kmsKeyId?: string;
  checksumCrc32?: string;
}

type Fault = { operation: string; status: number; code: string; times: number; afterMatches: number };

/**
 * A strict S3 on loopback for the AWS SDK v3, as S3 itself behaves where Quell depends on it:
 * - every request's SigV4 signature is recomputed from the canonical request and must match;
 * - bodies are checked: the signed payload hash, `x-amz-checksum-crc32` (header or aws-chunked
 *   trailer, decoded here) and `Content-MD5`; Object Lock buckets refuse a PUT with neither;
 * - `If-None-Match: *` on PutObject / CompleteMultipartUpload answers 412 when the key exists;
 * - multipart uploads, ListObjectsV2 in pages, GetObject, DeleteObjects (locked objects refused);
 * - faults on demand (`fail('PutObject', 503, 'SlowDown')`) to test the SDK's retries.
 */
export class FakeS3 {
  readonly objects = new Map<string, StoredObject>();
  readonly calls: S3Call[] = [];
  readonly problems: string[] = [];
  private readonly uploads = new Map<
    string,
    { key: string; parts: Map<number, Buffer>; headers: Record<string, string> }
  >();
  private readonly faults: Fault[] = [];
  private server?: Server;
  endpoint = '';

  constructor(
    readonly bucket: string,
    private readonly credentials: { accessKeyId: string; secretAccessKey: string },
    private readonly options: { pageSize?: number; objectLock?: boolean } = {},
  ) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        this.problems.push(String(error));
        res.writeHead(500).end();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.endpoint = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** The next `times` requests of `operation` (after `afterMatches` pass) answer `status` `code`. */
  fail(operation: string, status: number, code: string, times = 1, afterMatches = 0): this {
    this.faults.push({ operation, status, code, times, afterMatches });
    return this;
  }

  text(key: string): string | undefined {
    return this.objects.get(key)?.body.toString('utf8');
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const url = new URL(req.url ?? '/', 'http://s3.local');
    const headers = Object.fromEntries(
      Object.entries(req.headers).map(([k, v]) => [k.toLowerCase(), String(v)]),
    );
    const pathKey = decodeURIComponent(url.pathname.replace(new RegExp(`^/${this.bucket}/?`), ''));
    const operation = this.operationOf(req.method ?? 'GET', url, pathKey);
    const call: S3Call = { method: req.method ?? 'GET', path: req.url ?? '/', operation, headers, status: 0 };
    this.calls.push(call);
    const reply = (status: number, body = '', extra: Record<string, string> = {}) => {
      call.status = status;
      res
        .writeHead(status, { 'content-type': 'application/xml', 'x-amz-request-id': randomUUID(), ...extra })
        .end(body);
    };
    const error = (status: number, code: string, message = code) =>
      reply(
        status,
        `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`,
      );

    const signatureProblem = this.checkSignature(req.method ?? 'GET', url, headers);
    if (signatureProblem) {
      this.problems.push(`${operation}: ${signatureProblem}`);
      return error(403, 'SignatureDoesNotMatch', signatureProblem);
    }
    let body: Buffer;
    try {
      body = this.decodeBody(raw, headers);
    } catch (e) {
      this.problems.push(`${operation}: ${(e as Error).message}`);
      return error(400, 'BadDigest', (e as Error).message);
    }
    const fault = this.faults.find((f) => f.operation === operation && f.times > 0);
    if (fault) {
      if (fault.afterMatches > 0) fault.afterMatches--;
      else {
        fault.times--;
        return error(fault.status, fault.code);
      }
    }

    switch (operation) {
      case 'ListObjectsV2':
        return reply(200, this.list(url));
      case 'GetObject': {
        const object = this.objects.get(pathKey);
        if (!object) return error(404, 'NoSuchKey');
        call.status = 200;
        res
          .writeHead(200, {
            'content-type': 'application/octet-stream',
            'content-length': String(object.body.length),
          })
          .end(object.body);
        return;
      }
      case 'PutObject': {
        const problem = this.lockProblem(headers);
        if (problem) return error(400, 'InvalidRequest', problem);
        if (headers['if-none-match'] === '*' && this.objects.has(pathKey))
          return error(412, 'PreconditionFailed');
        this.objects.set(pathKey, this.stored(body, headers));
        return reply(200, '', { etag: `"${md5(body)}"` });
      }
      case 'CreateMultipartUpload': {
        const uploadId = randomUUID();
        this.uploads.set(uploadId, { key: pathKey, parts: new Map(), headers });
        return reply(
          200,
          `<?xml version="1.0" encoding="UTF-8"?><InitiateMultipartUploadResult><Bucket>${this.bucket}</Bucket><Key>${pathKey}</Key><UploadId>${uploadId}</UploadId></InitiateMultipartUploadResult>`,
        );
      }
      case 'UploadPart': {
        const upload = this.uploads.get(url.searchParams.get('uploadId') ?? '');
        if (!upload) return error(404, 'NoSuchUpload');
        if (!headers['x-amz-checksum-crc32'] && !headers['content-md5'] && !headers['x-amz-trailer'])
          return error(400, 'InvalidRequest', 'a part needs a checksum');
        upload.parts.set(Number(url.searchParams.get('partNumber')), body);
        return reply(200, '', { etag: `"${md5(body)}"` });
      }
      case 'CompleteMultipartUpload': {
        const uploadId = url.searchParams.get('uploadId') ?? '';
        const upload = this.uploads.get(uploadId);
        if (!upload) return error(404, 'NoSuchUpload');
        if (headers['if-none-match'] === '*' && this.objects.has(upload.key))
          return error(412, 'PreconditionFailed');
        const problem = this.lockProblem({ ...upload.headers, 'content-md5': 'multipart' });
        if (problem) return error(400, 'InvalidRequest', problem);
        const numbers = [...body.toString('utf8').matchAll(/<PartNumber>(\d+)<\/PartNumber>/g)].map((m) =>
          Number(m[1]),
        );
        const joined = Buffer.concat(numbers.map((n) => upload.parts.get(n) ?? Buffer.alloc(0)));
        this.uploads.delete(uploadId);
        this.objects.set(upload.key, this.stored(joined, upload.headers));
        return reply(
          200,
          `<?xml version="1.0" encoding="UTF-8"?><CompleteMultipartUploadResult><Bucket>${this.bucket}</Bucket><Key>${upload.key}</Key><ETag>"${md5(joined)}-${numbers.length}"</ETag></CompleteMultipartUploadResult>`,
        );
      }
      case 'AbortMultipartUpload':
        this.uploads.delete(url.searchParams.get('uploadId') ?? '');
        return reply(204);
      case 'DeleteObjects': {
        if (!headers['x-amz-checksum-crc32'] && !headers['content-md5'] && !headers['x-amz-checksum-crc32c'])
          return error(400, 'InvalidRequest', 'DeleteObjects needs Content-MD5 or a checksum');
        const keys = [...body.toString('utf8').matchAll(/<Key>([^<]+)<\/Key>/g)].map((m) =>
          unescapeXml(m[1]!),
        );
        const errors: string[] = [];
        for (const key of keys) {
          const object = this.objects.get(key);
          if (object?.lockMode)
            errors.push(`<Error><Key>${key}</Key><Code>AccessDenied</Code><Message>locked</Message></Error>`);
          else this.objects.delete(key);
        }
        return reply(
          200,
          `<?xml version="1.0" encoding="UTF-8"?><DeleteResult>${errors.join('')}</DeleteResult>`,
        );
      }
      default:
        return error(501, 'NotImplemented', operation);
    }
  }

  private operationOf(method: string, url: URL, key: string): string {
    const q = url.searchParams;
    if (method === 'GET') return key === '' ? 'ListObjectsV2' : 'GetObject';
    if (method === 'PUT') return q.has('partNumber') ? 'UploadPart' : 'PutObject';
    if (method === 'POST')
      return q.has('uploads')
        ? 'CreateMultipartUpload'
        : q.has('uploadId')
          ? 'CompleteMultipartUpload'
          : q.has('delete')
            ? 'DeleteObjects'
            : 'Unknown';
    if (method === 'DELETE') return q.has('uploadId') ? 'AbortMultipartUpload' : 'DeleteObject';
    return 'Unknown';
  }

  private stored(body: Buffer, headers: Record<string, string>): StoredObject {
    return {
      body,
      ...(headers['x-amz-object-lock-mode'] ? { lockMode: headers['x-amz-object-lock-mode'] } : {}),
      ...(headers['x-amz-object-lock-retain-until-date']
        ? { retainUntil: headers['x-amz-object-lock-retain-until-date'] }
        : {}),
      ...(headers['x-amz-server-side-encryption'] ? { sse: headers['x-amz-server-side-encryption'] } : {}),
      ...(headers['x-amz-server-side-encryption-aws-kms-key-id']
        ? { kmsKeyId: headers['x-amz-server-side-encryption-aws-kms-key-id'] }
        : {}),
      checksumCrc32: crc32Base64(body),
    };
  }

  /** S3's rule for Object Lock buckets: a PUT with lock parameters needs Content-MD5 or a checksum. */
  private lockProblem(headers: Record<string, string>): string | undefined {
    if (!this.options.objectLock || !headers['x-amz-object-lock-mode']) return undefined;
    const has =
      headers['content-md5'] ||
      Object.keys(headers).some((h) => h.startsWith('x-amz-checksum-')) ||
      headers['x-amz-trailer'];
    return has
      ? undefined
      : 'Content-MD5 OR x-amz-checksum- HTTP header is required for Put Object requests with Object Lock parameters';
  }

  /** Recomputes SigV4 from the request as received (AWS's canonical request rules). */
  private checkSignature(method: string, url: URL, headers: Record<string, string>): string | undefined {
    const auth =
      /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/s3\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(
        headers.authorization ?? '',
      );
    if (!auth) return 'no SigV4 Authorization header';
    const [, accessKeyId, day, region, signedHeaders, signature] = auth;
    if (accessKeyId !== this.credentials.accessKeyId) return `unknown access key ${accessKeyId}`;
    const amzDate = headers['x-amz-date'] ?? '';
    if (!amzDate.startsWith(day!)) return 'x-amz-date does not match the credential scope';
    const names = signedHeaders!.split(';');
    if (!names.includes('host') || !names.includes('x-amz-date')) return 'host and x-amz-date must be signed';
    const query = [...url.searchParams.entries()]
      .map(([k, v]) => [uriEncode(k), uriEncode(v)] as const)
      .sort(([a, av], [b, bv]) => (a === b ? (av < bv ? -1 : av > bv ? 1 : 0) : a < b ? -1 : 1))
      .map(([k, v]) => `${k}=${v}`)
      .join('&');
    const canonical = [
      method,
      url.pathname,
      query,
      names.map((n) => `${n}:${(headers[n] ?? '').trim().replace(/\s+/g, ' ')}\n`).join(''),
      signedHeaders,
      headers['x-amz-content-sha256'] ?? 'UNSIGNED-PAYLOAD',
    ].join('\n');
    const scope = `${day}/${region}/s3/aws4_request`;
    const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonical)].join('\n');
    const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();
    const key = hmac(
      hmac(hmac(hmac(`AWS4${this.credentials.secretAccessKey}`, day!), region!), 's3'),
      'aws4_request',
    );
    return createHmac('sha256', key).update(toSign).digest('hex') === signature
      ? undefined
      : 'signature mismatch';
  }

  /** The body's bytes: aws-chunked decoded; payload hash, CRC32 (header or trailer) and MD5 checked. */
  private decodeBody(raw: Buffer, headers: Record<string, string>): Buffer {
    const payloadHash = headers['x-amz-content-sha256'];
    let body = raw;
    let trailerCrc: string | undefined;
    if (payloadHash?.startsWith('STREAMING-') || headers['content-encoding']?.includes('aws-chunked')) {
      const decoded = decodeAwsChunked(raw);
      body = decoded.body;
      trailerCrc = decoded.trailers['x-amz-checksum-crc32'];
      if (headers['x-amz-trailer'] === 'x-amz-checksum-crc32' && !trailerCrc)
        throw new Error('the announced checksum trailer is missing');
      const declared = headers['x-amz-decoded-content-length'];
      if (declared !== undefined && Number(declared) !== body.length)
        throw new Error('x-amz-decoded-content-length mismatch');
    } else if (payloadHash && payloadHash !== 'UNSIGNED-PAYLOAD' && payloadHash !== sha256(body))
      throw new Error('x-amz-content-sha256 does not match the body');
    const crc = headers['x-amz-checksum-crc32'] ?? trailerCrc;
    if (crc !== undefined && crc !== crc32Base64(body))
      throw new Error('x-amz-checksum-crc32 does not match the body');
    if (headers['content-md5'] && headers['content-md5'] !== createHash('md5').update(body).digest('base64'))
      throw new Error('Content-MD5 does not match the body');
    return body;
  }

  private list(url: URL): string {
    const prefix = url.searchParams.get('prefix') ?? '';
    const after = url.searchParams.get('continuation-token') ?? '';
    const keys = [...this.objects.keys()].filter((k) => k.startsWith(prefix) && k > after).sort();
    const page = keys.slice(0, this.options.pageSize ?? 1000);
    const truncated = keys.length > page.length;
    return `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult><Name>${this.bucket}</Name><Prefix>${prefix}</Prefix><KeyCount>${page.length}</KeyCount><IsTruncated>${truncated}</IsTruncated>${page
      .map((k) => `<Contents><Key>${k}</Key><Size>${this.objects.get(k)!.body.length}</Size></Contents>`)
      .join(
        '',
      )}${truncated ? `<NextContinuationToken>${page.at(-1)}</NextContinuationToken>` : ''}</ListBucketResult>`;
  }
}

/** aws-chunked: `<hex size>[;chunk-signature=…]\r\n<bytes>\r\n` …, `0\r\n`, trailer lines, `\r\n`. */
export function decodeAwsChunked(raw: Buffer): { body: Buffer; trailers: Record<string, string> } {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const eol = raw.indexOf('\r\n', at);
    if (eol < 0) throw new Error('aws-chunked body ends inside a chunk header');
    const size = Number.parseInt(raw.subarray(at, eol).toString('latin1').split(';')[0]!, 16);
    if (!Number.isFinite(size)) throw new Error('aws-chunked chunk size is not hex');
    at = eol + 2;
    if (size === 0) break;
    parts.push(raw.subarray(at, at + size));
    at += size;
    if (raw.subarray(at, at + 2).toString('latin1') !== '\r\n')
      throw new Error('aws-chunked chunk is not followed by CRLF');
    at += 2;
  }
  const trailers: Record<string, string> = {};
  for (const line of raw.subarray(at).toString('latin1').split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) trailers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { body: Buffer.concat(parts), trailers };
}

export function crc32Base64(body: Buffer): string {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(crc32(body) >>> 0);
  return out.toString('base64');
}

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const md5 = (data: Buffer) => createHash('md5').update(data).digest('hex');
const unescapeXml = (s: string) =>
  s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
