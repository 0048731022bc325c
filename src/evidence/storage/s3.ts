import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { join, resolve } from 'node:path';
import type { Clock } from '../../clock.js';
import type { S3Config } from '../config.js';
import { DIR_MODE, listFiles, sha256OfFile } from '../files.js';
import { MANIFEST_CHECKSUM_FILE, MANIFEST_FILE } from '../manifest.js';
import { BundleExistsError, type BundleReservation, type EvidenceStorage, safeSegment } from './port.js';
import { EMPTY_SHA256, type SigV4Credentials, signRequest } from './sigv4.js';

export class S3Error extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    what: string,
  ) {
    super(`S3 ${what} failed: HTTP ${status} ${code}`);
    this.name = 'S3Error';
  }
}

/**
 * Bundles in an S3-compatible object store: `<prefix>/<incident>/v<N>/<file>`. A version is claimed
 * with a conditional PUT of `<prefix>/<incident>/reservations/v<N>` (`If-None-Match: *`, so two
 * archivers never get the same one); every object is written with `If-None-Match: *` too, so nothing
 * is ever overwritten; the manifest goes last, so a bundle with a manifest is complete. Files are
 * streamed from the local staging directory, never held in memory.
 */
export class S3EvidenceStorage implements EvidenceStorage {
  readonly kind = 's3' as const;

  constructor(
    private readonly config: S3Config,
    private readonly stagingRoot: string,
    private readonly credentials: SigV4Credentials,
    private readonly clock: Clock = { now: () => new Date() },
  ) {}

  static fromConfig(config: S3Config, stagingRoot: string, env: NodeJS.ProcessEnv): S3EvidenceStorage {
    const accessKeyId = env[config.accessKeyIdEnv];
    const secretAccessKey = env[config.secretAccessKeyEnv];
    if (!accessKeyId || !secretAccessKey)
      throw new Error(
        `evidence.storage.s3 needs credentials in ${config.accessKeyIdEnv} and ${config.secretAccessKeyEnv}`,
      );
    const sessionToken = config.sessionTokenEnv ? env[config.sessionTokenEnv] : undefined;
    return new S3EvidenceStorage(config, stagingRoot, {
      accessKeyId,
      secretAccessKey,
      ...(sessionToken ? { sessionToken } : {}),
    });
  }

  async createStaging(incidentId: string): Promise<string> {
    const dir = join(resolve(this.stagingRoot), '.staging', `${safeSegment(incidentId)}-${randomUUID()}`);
    await mkdir(dir, { recursive: true, mode: DIR_MODE });
    return dir;
  }

  async reserve(incidentId: string): Promise<BundleReservation> {
    let version = (await this.reservedVersions(incidentId)).at(-1) ?? 0;
    for (;;) {
      version++;
      const response = await this.send('PUT', this.key(incidentId, `reservations/v${version}`), {
        headers: { 'if-none-match': '*' },
      });
      if (response.status === 412) continue;
      expectOk(response, 'reserve a bundle version');
      return { incidentId, version, location: this.location(incidentId, version) };
    }
  }

  async publish(reservation: BundleReservation, stagingDir: string): Promise<void> {
    const files = await listFiles(stagingDir);
    const last = [MANIFEST_FILE, MANIFEST_CHECKSUM_FILE];
    const ordered = [...files.filter((f) => !last.includes(f)), ...last.filter((f) => files.includes(f))];
    for (const file of ordered) {
      const path = join(stagingDir, file);
      const { sha256, bytes } = await sha256OfFile(path);
      const key = this.key(reservation.incidentId, `v${reservation.version}/${file}`);
      const response = await this.send('PUT', key, {
        headers: { 'if-none-match': '*', 'content-length': String(bytes), 'content-type': contentType(file) },
        body: { path, sha256 },
      });
      if (response.status === 412) throw new BundleExistsError(`${reservation.location}${file}`);
      expectOk(response, `upload ${file}`);
    }
  }

  async discardStaging(stagingDir: string): Promise<void> {
    if (!resolve(stagingDir).startsWith(join(resolve(this.stagingRoot), '.staging'))) return;
    await rm(stagingDir, { recursive: true, force: true });
  }

  async versions(incidentId: string): Promise<BundleReservation[]> {
    return (await this.reservedVersions(incidentId)).map((version) => ({
      incidentId,
      version,
      location: this.location(incidentId, version),
    }));
  }

  private async reservedVersions(incidentId: string): Promise<number[]> {
    const prefix = this.key(incidentId, 'reservations/');
    const versions: number[] = [];
    let token: string | undefined;
    do {
      const response = await this.send('GET', '', {
        query: { 'list-type': '2', prefix, ...(token ? { 'continuation-token': token } : {}) },
      });
      expectOk(response, 'list bundle versions');
      for (const [, key] of response.body.matchAll(/<Key>([^<]+)<\/Key>/g)) {
        const match = /\/reservations\/v(\d+)$/.exec(key!);
        if (match) versions.push(Number(match[1]));
      }
      token = /<IsTruncated>true<\/IsTruncated>/.test(response.body)
        ? /<NextContinuationToken>([^<]+)<\/NextContinuationToken>/.exec(response.body)?.[1]
        : undefined;
    } while (token);
    return versions.sort((a, b) => a - b);
  }

  private key(incidentId: string, rest: string): string {
    const prefix = this.config.prefix.replace(/^\/+|\/+$/g, '');
    return `${prefix ? `${prefix}/` : ''}${safeSegment(incidentId)}/${rest}`;
  }

  private location(incidentId: string, version: number): string {
    return `s3://${this.config.bucket}/${this.key(incidentId, `v${version}/`)}`;
  }

  private send(
    method: 'GET' | 'PUT',
    key: string,
    options: {
      query?: Record<string, string>;
      headers?: Record<string, string>;
      body?: { path: string; sha256: string };
    },
  ): Promise<{ status: number; body: string }> {
    const endpoint = new URL(this.config.endpoint);
    const host = this.config.pathStyle ? endpoint.host : `${this.config.bucket}.${endpoint.host}`;
    const basePath = endpoint.pathname.replace(/\/+$/, '');
    const path = this.config.pathStyle ? `${basePath}/${this.config.bucket}/${key}` : `${basePath}/${key}`;
    const headers = signRequest(
      {
        method,
        host,
        path,
        query: options.query,
        headers: {
          ...(options.body ? {} : method === 'PUT' ? { 'content-length': '0' } : {}),
          ...options.headers,
        },
        payloadSha256: options.body?.sha256 ?? EMPTY_SHA256,
        at: this.clock.now(),
        region: this.config.region,
      },
      this.credentials,
    );
    const search = new URLSearchParams(options.query ?? {}).toString();
    const send = endpoint.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolvePromise, reject) => {
      const req = send(
        {
          method,
          protocol: endpoint.protocol,
          hostname: this.config.pathStyle ? endpoint.hostname : `${this.config.bucket}.${endpoint.hostname}`,
          port: endpoint.port || undefined,
          path: `${encodePath(path)}${search ? `?${search}` : ''}`,
          headers,
        },
        (res: IncomingMessage) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () =>
            resolvePromise({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
          );
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      if (options.body) createReadStream(options.body.path).on('error', reject).pipe(req);
      else req.end();
    });
  }
}

function encodePath(path: string): string {
  return path
    .split('/')
    .map((segment) =>
      encodeURIComponent(segment).replace(
        /[!'()*]/g,
        (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
      ),
    )
    .join('/');
}

function expectOk(response: { status: number; body: string }, what: string): void {
  if (response.status >= 200 && response.status < 300) return;
  const code = /<Code>([^<]+)<\/Code>/.exec(response.body)?.[1] ?? 'unknown';
  throw new S3Error(response.status, code, what);
}

function contentType(file: string): string {
  if (file.endsWith('.json')) return 'application/json';
  if (file.endsWith('.jsonl')) return 'application/x-ndjson';
  if (file.endsWith('.md')) return 'text/markdown; charset=utf-8';
  return 'text/plain; charset=utf-8';
}
