import { createHash } from 'node:crypto';
import nock from 'nock';

export const S3_ENDPOINT = 'http://s3.quell.test:9000';

export interface S3Call {
  method: string;
  path: string;
  headers: Record<string, string>;
}

/**
 * An S3-compatible store faked with nock (path-style, like MinIO): PUT with `If-None-Match: *`
 * answers 412 when the key exists, ListObjectsV2 lists by prefix in pages, every request must carry
 * a SigV4 Authorization for the expected key and a payload hash that matches the body.
 */
export class FakeS3 {
  readonly objects = new Map<string, Buffer>();
  readonly calls: S3Call[] = [];
  private readonly scope: nock.Scope;

  constructor(
    readonly bucket: string,
    private readonly accessKeyId: string,
    private readonly pageSize = 1000,
  ) {
    const fake = this;
    this.scope = nock(S3_ENDPOINT)
      .persist()
      .put(new RegExp(`^/${bucket}/`))
      .reply(function (uri) {
        const headers = fake.record('PUT', uri, this.req.headers);
        return fake.put(uri, headers, Buffer.from(fake.rawBodies.get(this.req) ?? ''));
      })
      .get(new RegExp(`^/${bucket}/?\\?`))
      .reply(function (uri) {
        return fake.list(uri, fake.record('GET', uri, this.req.headers));
      });
    // nock hands reply functions a JSON-parsed body for JSON content types; hashes need the raw bytes
    this.scope.on('request', (req: object, _interceptor: unknown, body: string) => {
      this.rawBodies.set(req, body);
    });
  }

  private readonly rawBodies = new WeakMap<object, string>();

  private record(
    method: string,
    path: string,
    raw: Record<string, string | string[]>,
  ): Record<string, string> {
    const headers = Object.fromEntries(Object.entries(raw).map(([k, v]) => [k.toLowerCase(), String(v)]));
    this.calls.push({ method, path, headers });
    return headers;
  }

  close(): void {
    this.scope.persist(false);
    nock.cleanAll();
  }

  private authProblem(headers: Record<string, string>, body: Buffer): string | undefined {
    const auth = headers.authorization ?? '';
    if (!auth.startsWith(`AWS4-HMAC-SHA256 Credential=${this.accessKeyId}/`)) return 'bad credential';
    if (!/SignedHeaders=[a-z0-9;-]*host;[a-z0-9;-]*x-amz-content-sha256;x-amz-date/.test(auth))
      return 'bad signed headers';
    if (!/Signature=[0-9a-f]{64}$/.test(auth)) return 'bad signature format';
    const sha = createHash('sha256').update(body).digest('hex');
    if (headers['x-amz-content-sha256'] !== sha) return 'payload hash mismatch';
    return undefined;
  }

  private put(uri: string, headers: Record<string, string>, body: Buffer): [number, string] {
    const problem = this.authProblem(headers, body);
    if (problem)
      return [403, `<Error><Code>SignatureDoesNotMatch</Code><Message>${problem}</Message></Error>`];
    const key = decodeURIComponent(uri.slice(this.bucket.length + 2));
    if (headers['if-none-match'] === '*' && this.objects.has(key))
      return [412, '<Error><Code>PreconditionFailed</Code></Error>'];
    this.objects.set(key, body);
    return [200, ''];
  }

  private list(uri: string, headers: Record<string, string>): [number, string] {
    const problem = this.authProblem(headers, Buffer.alloc(0));
    if (problem)
      return [403, `<Error><Code>SignatureDoesNotMatch</Code><Message>${problem}</Message></Error>`];
    const query = new URL(uri, S3_ENDPOINT).searchParams;
    const prefix = query.get('prefix') ?? '';
    const after = query.get('continuation-token') ?? '';
    const keys = [...this.objects.keys()].filter((k) => k.startsWith(prefix) && k > after).sort();
    const page = keys.slice(0, this.pageSize);
    const truncated = keys.length > page.length;
    return [
      200,
      `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult><Name>${this.bucket}</Name><Prefix>${prefix}</Prefix><KeyCount>${page.length}</KeyCount><IsTruncated>${truncated}</IsTruncated>${page
        .map((k) => `<Contents><Key>${k}</Key></Contents>`)
        .join(
          '',
        )}${truncated ? `<NextContinuationToken>${page.at(-1)}</NextContinuationToken>` : ''}</ListBucketResult>`,
    ];
  }
}
