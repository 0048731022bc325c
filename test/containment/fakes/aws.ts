import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifySigV4 } from './sigv4.js';

/**
 * A local fake of the AWS APIs the identity adapters call, with response shapes from the API
 * references (cited in each adapter): IAM over the Query protocol (form body, XML answers,
 * https://docs.aws.amazon.com/IAM/latest/APIReference/CommonParameters.html), Lambda over REST-JSON,
 * ECS over JSON 1.1 (`X-Amz-Target: AmazonEC2ContainerServiceV20141113.<Operation>`). Every request
 * must carry a valid SigV4 signature for a known test credential (sigv4.ts), or it is refused 403
 * `SignatureDoesNotMatch` as AWS would.
 */
export interface FakeAwsCall {
  service: string;
  operation: string;
  params: Record<string, unknown>;
  accessKeyId?: string;
  region?: string;
}

export interface Failure {
  status: number;
  code: string;
  message: string;
}

export class FakeAws {
  readonly calls: FakeAwsCall[] = [];
  readonly refusedSignatures: string[] = [];
  readonly accessKeys = new Map<string, { id: string; status: 'Active' | 'Inactive' }[]>();
  readonly rolePolicies = new Map<string, string>();
  readonly roles = new Set<string>();
  readonly functions = new Map<string, number | null>();
  readonly services = new Map<string, { desired: number; running: number }>();
  private readonly failures = new Map<string, Failure[]>();
  private server?: Server;
  url = '';

  constructor(private readonly credentials: Record<string, string>) {}

  /** The next `times` calls of `operation` fail with this AWS error. */
  failNext(operation: string, failure: Failure, times = 1) {
    const list = this.failures.get(operation) ?? [];
    for (let i = 0; i < times; i++) list.push(failure);
    this.failures.set(operation, list);
  }

  operations(): string[] {
    return this.calls.map((c) => c.operation);
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const signed = verifySigV4(
      { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body },
      this.credentials,
    );
    const target = String(req.headers['x-amz-target'] ?? '');
    const service = signed.service ?? (target ? 'ecs' : req.url?.startsWith('/20') ? 'lambda' : 'iam');
    if (!signed.ok) {
      this.refusedSignatures.push(signed.reason ?? 'bad signature');
      return this.fail(res, service, {
        status: 403,
        code: 'SignatureDoesNotMatch',
        message: `The request signature we calculated does not match the signature you provided (${signed.reason})`,
      });
    }
    try {
      if (service === 'iam') return this.iam(res, new URLSearchParams(body.toString('utf8')), signed);
      if (service === 'lambda')
        return this.lambda(req, res, JSON.parse(body.toString('utf8') || '{}'), signed);
      if (service === 'ecs')
        return this.ecs(
          res,
          target.split('.').pop() ?? '',
          JSON.parse(body.toString('utf8') || '{}'),
          signed,
        );
      return this.fail(res, service, { status: 400, code: 'UnknownService', message: service });
    } catch (error) {
      return this.fail(res, service, {
        status: 500,
        code: 'InternalFailure',
        message: (error as Error).message,
      });
    }
  }

  private record(
    service: string,
    operation: string,
    params: Record<string, unknown>,
    signed: { accessKeyId?: string; region?: string },
  ) {
    this.calls.push({
      service,
      operation,
      params,
      ...(signed.accessKeyId ? { accessKeyId: signed.accessKeyId } : {}),
      ...(signed.region ? { region: signed.region } : {}),
    });
    const queued = this.failures.get(operation);
    return queued?.length ? queued.shift() : undefined;
  }

  private iam(res: ServerResponse, form: URLSearchParams, signed: { accessKeyId?: string; region?: string }) {
    const operation = form.get('Action') ?? '';
    const params = Object.fromEntries([...form.entries()].filter(([k]) => k !== 'Action' && k !== 'Version'));
    const failure = this.record('iam', operation, params, signed);
    if (failure) return this.fail(res, 'iam', failure);
    const user = form.get('UserName') ?? '';
    const roleKey = `${form.get('RoleName')}/${form.get('PolicyName')}`;
    const noSuch = (what: string) =>
      this.fail(res, 'iam', { status: 404, code: 'NoSuchEntity', message: `The ${what} cannot be found.` });
    switch (operation) {
      case 'ListAccessKeys': {
        const keys = this.accessKeys.get(user);
        if (!keys) return noSuch(`user with name ${user}`);
        const members = keys
          .map(
            (k) =>
              `<member><UserName>${user}</UserName><AccessKeyId>${k.id}</AccessKeyId><Status>${k.status}</Status><CreateDate>2026-01-01T00:00:00Z</CreateDate></member>`,
          )
          .join('');
        return this.xml(
          res,
          operation,
          `<UserName>${user}</UserName><AccessKeyMetadata>${members}</AccessKeyMetadata><IsTruncated>false</IsTruncated>`,
        );
      }
      case 'UpdateAccessKey': {
        const key = this.accessKeys.get(user)?.find((k) => k.id === form.get('AccessKeyId'));
        if (!key) return noSuch(`Access Key with id ${form.get('AccessKeyId')}`);
        key.status = form.get('Status') as 'Active' | 'Inactive';
        return this.xml(res, operation, undefined);
      }
      case 'GetRolePolicy': {
        const document = this.rolePolicies.get(roleKey);
        if (!document) return noSuch(`role policy with name ${form.get('PolicyName')}`);
        return this.xml(
          res,
          operation,
          `<RoleName>${form.get('RoleName')}</RoleName><PolicyName>${form.get('PolicyName')}</PolicyName><PolicyDocument>${encodeURIComponent(document)}</PolicyDocument>`,
        );
      }
      case 'PutRolePolicy':
        if (!this.roles.has(form.get('RoleName') ?? ''))
          return noSuch(`role with name ${form.get('RoleName')}`);
        this.rolePolicies.set(roleKey, form.get('PolicyDocument') ?? '');
        return this.xml(res, operation, undefined);
      case 'DeleteRolePolicy':
        if (!this.rolePolicies.delete(roleKey))
          return noSuch(`role policy with name ${form.get('PolicyName')}`);
        return this.xml(res, operation, undefined);
      default:
        return this.fail(res, 'iam', { status: 400, code: 'InvalidAction', message: operation });
    }
  }

  private lambda(
    req: IncomingMessage,
    res: ServerResponse,
    input: Record<string, unknown>,
    signed: { accessKeyId?: string; region?: string },
  ) {
    const match = /^\/(2019-09-30|2017-10-31)\/functions\/([^/]+)\/concurrency$/.exec(req.url ?? '');
    const name = decodeURIComponent(match?.[2] ?? '');
    const operation =
      { GET: 'GetFunctionConcurrency', PUT: 'PutFunctionConcurrency', DELETE: 'DeleteFunctionConcurrency' }[
        req.method ?? ''
      ] ?? 'Unknown';
    const failure = this.record('lambda', operation, { FunctionName: name, ...input }, signed);
    if (failure) return this.fail(res, 'lambda', failure);
    if (!this.functions.has(name))
      return this.fail(res, 'lambda', {
        status: 404,
        code: 'ResourceNotFoundException',
        message: `Function not found: ${name}`,
      });
    if (operation === 'GetFunctionConcurrency') {
      const reserved = this.functions.get(name);
      return this.json(res, 200, reserved === null ? {} : { ReservedConcurrentExecutions: reserved });
    }
    if (operation === 'DeleteFunctionConcurrency') {
      this.functions.set(name, null);
      res.writeHead(204).end();
      return;
    }
    this.functions.set(name, Number(input.ReservedConcurrentExecutions));
    return this.json(res, 200, { ReservedConcurrentExecutions: this.functions.get(name) });
  }

  private ecs(
    res: ServerResponse,
    operation: string,
    input: Record<string, unknown>,
    signed: { accessKeyId?: string; region?: string },
  ) {
    const failure = this.record('ecs', operation, input, signed);
    if (failure) return this.fail(res, 'ecs', failure);
    const cluster = String(input.cluster ?? 'default');
    if (operation === 'DescribeServices') {
      const names = (input.services as string[]) ?? [];
      const found = names.filter((n) => this.services.has(`${cluster}/${n}`));
      return this.json(res, 200, {
        services: found.map((n) => {
          const s = this.services.get(`${cluster}/${n}`)!;
          return {
            serviceName: n,
            clusterArn: `arn:aws:ecs:eu-west-1:123456789012:cluster/${cluster}`,
            desiredCount: s.desired,
            runningCount: s.running,
            pendingCount: 0,
            status: 'ACTIVE',
          };
        }),
        failures: names
          .filter((n) => !found.includes(n))
          .map((n) => ({
            arn: `arn:aws:ecs:eu-west-1:123456789012:service/${cluster}/${n}`,
            reason: 'MISSING',
          })),
      });
    }
    if (operation === 'UpdateService') {
      const s = this.services.get(`${cluster}/${input.service}`);
      if (!s)
        return this.fail(res, 'ecs', {
          status: 400,
          code: 'ServiceNotFoundException',
          message: 'Service not found.',
        });
      s.desired = Number(input.desiredCount);
      return this.json(res, 200, {
        service: { serviceName: input.service, desiredCount: s.desired, runningCount: s.running },
      });
    }
    return this.fail(res, 'ecs', { status: 400, code: 'InvalidParameterException', message: operation });
  }

  private xml(res: ServerResponse, operation: string, result: string | undefined) {
    const inner = result === undefined ? '' : `<${operation}Result>${result}</${operation}Result>`;
    res.writeHead(200, { 'content-type': 'text/xml' });
    res.end(
      `<${operation}Response xmlns="https://iam.amazonaws.com/doc/2010-05-08/">${inner}<ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></${operation}Response>`,
    );
  }

  private json(res: ServerResponse, status: number, body: unknown) {
    res.writeHead(status, { 'content-type': 'application/json', 'x-amzn-requestid': randomUUID() });
    res.end(JSON.stringify(body));
  }

  /** Each protocol's documented error shape. */
  private fail(res: ServerResponse, service: string, failure: Failure) {
    if (service === 'iam') {
      res.writeHead(failure.status, { 'content-type': 'text/xml' });
      res.end(
        `<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type><Code>${failure.code}</Code><Message>${failure.message}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
      );
      return;
    }
    const headers = {
      'content-type': 'application/json',
      'x-amzn-errortype': failure.code,
      'x-amzn-requestid': randomUUID(),
    };
    res.writeHead(failure.status, headers);
    res.end(
      JSON.stringify(
        service === 'lambda'
          ? { Type: 'User', message: failure.message }
          : { __type: failure.code, message: failure.message },
      ),
    );
  }
}
