import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { awsEcsAdapter } from '../../src/containment/adapters/aws-ecs.js';
import { awsIamKeyAdapter } from '../../src/containment/adapters/aws-iam-key.js';
import { awsLambdaAdapter } from '../../src/containment/adapters/aws-lambda.js';
import { awsRoleSessionsAdapter, revokePolicy } from '../../src/containment/adapters/aws-role-sessions.js';
import type { AnyAdapter, RunContext } from '../../src/containment/contract.js';
import { DEFAULT_HTTP_OPTIONS, HttpClient } from '../../src/http/client.js';
import { TargetError } from '../../src/http/target-error.js';
import { FakeAws } from './fakes/aws.js';
import { COMMANDER, containmentHarness, runContainment, undoContainment } from './harness.js';

/**
 * The AWS adapters against a local fake that checks every SigV4 signature itself (fakes/sigv4.ts,
 * from AWS's signing documentation), with AWS's documented request and answer shapes: prior state,
 * execute, verify and its stated limits, undo, refusals (not retried), throttling (retried by the SDK).
 */
const ACCESS_KEY_ID = 'AKIAQUELLTESTKEY0001';
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY01';
const fake = new FakeAws({ [ACCESS_KEY_ID]: SECRET });
const secrets = { accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET };
const NOW = new Date();

beforeAll(async () => {
  await fake.start();
});
afterAll(async () => {
  await fake.stop();
});
beforeEach(() => {
  fake.calls.length = 0;
  fake.refusedSignatures.length = 0;
  fake.accessKeys.clear();
  fake.rolePolicies.clear();
  fake.roles.clear();
  fake.functions.clear();
  fake.services.clear();
});

function ctxOf(
  adapter: AnyAdapter,
  settings: Record<string, unknown>,
  withSecrets: Record<string, string> = secrets,
) {
  // biome-ignore lint/suspicious/noExplicitAny: one helper builds contexts for four adapters' settings
  const ctx: RunContext<any, any> = {
    settings: adapter.settingsSchema.parse({ region: 'eu-west-1', endpoint: fake.url, ...settings }),
    args: adapter.argsSchema.parse({}),
    secrets: withSecrets,
    idempotencyKey: 'quell-INC-7-r1',
    now: NOW,
    incidentId: 'INC-7',
    actionName: 'contain-agent',
    http: new HttpClient({ ...DEFAULT_HTTP_OPTIONS, redact: (t) => t }),
    timeoutMs: 2_000,
  };
  return ctx;
}

describe('SigV4: the fake checks signatures itself', () => {
  it('every SDK request is signed for the test credential, scoped to the service and region', async () => {
    fake.functions.set('support-agent', null);
    const ctx = ctxOf(awsLambdaAdapter, { functionName: 'support-agent' });
    await awsLambdaAdapter.execute(ctx);
    expect(fake.refusedSignatures).toEqual([]);
    expect(fake.calls.map((c) => [c.accessKeyId, c.region])).toEqual([
      [ACCESS_KEY_ID, 'eu-west-1'],
      [ACCESS_KEY_ID, 'eu-west-1'],
    ]);
  });

  it('a request signed with the wrong secret is refused 403 and not retried as if it could succeed', async () => {
    fake.functions.set('support-agent', null);
    const ctx = ctxOf(
      awsLambdaAdapter,
      { functionName: 'support-agent' },
      { ...secrets, secretAccessKey: 'not-the-secret-0123456789' },
    );
    const error = (await awsLambdaAdapter.execute(ctx).catch((e: unknown) => e)) as TargetError;
    expect(error).toBeInstanceOf(TargetError);
    expect(error.details).toMatchObject({ status: 403, retryable: false });
    expect(error.message).toContain('signature does not match');
    expect(fake.functions.get('support-agent')).toBeNull();
    expect(fake.calls).toEqual([]);
  });

  it('IAM is signed for us-east-1 (its global endpoint), whatever region the action names', async () => {
    fake.accessKeys.set('support-agent', [{ id: 'AKIAAGENTKEY00000001', status: 'Active' }]);
    const ctx = ctxOf(awsIamKeyAdapter, { userName: 'support-agent', accessKeyId: 'AKIAAGENTKEY00000001' });
    await awsIamKeyAdapter.execute(ctx);
    expect(fake.refusedSignatures).toEqual([]);
    expect(fake.calls.map((c) => c.region)).toEqual(['us-east-1', 'us-east-1']);
  });
});

describe('aws-lambda (reserved concurrency 0)', () => {
  const settings = { functionName: 'support-agent' };

  it('a function with no reserved concurrency returns to "none" on undo (DeleteFunctionConcurrency)', async () => {
    fake.functions.set('support-agent', null);
    const ctx = ctxOf(awsLambdaAdapter, settings);
    const { state } = await awsLambdaAdapter.execute(ctx);
    expect(state?.prior).toEqual({
      known: true,
      summary: 'reserved concurrency none',
      value: { reserved: null },
    });
    expect(fake.calls.map((c) => [c.operation, c.params])).toEqual([
      ['GetFunctionConcurrency', { FunctionName: 'support-agent' }],
      ['PutFunctionConcurrency', { FunctionName: 'support-agent', ReservedConcurrentExecutions: 0 }],
    ]);
    const verified = await awsLambdaAdapter.verify(ctx, state!, 'execute');
    expect(verified).toMatchObject({ verified: true });
    expect(verified.observed).toMatch(/reserved concurrency 0; invocations already running finish/);
    expect(awsLambdaAdapter.describeUndo!(ctx, state!)).toMatch(/none was reserved/);
    fake.calls.length = 0;
    await awsLambdaAdapter.undo!(ctx, state!);
    expect(fake.operations()).toEqual(['DeleteFunctionConcurrency']);
    expect(fake.functions.get('support-agent')).toBeNull();
    expect((await awsLambdaAdapter.verify(ctx, state!, 'undo')).verified).toBe(true);
  });

  it('a function with reserved concurrency 25 gets 25 back', async () => {
    fake.functions.set('support-agent', 25);
    const ctx = ctxOf(awsLambdaAdapter, settings);
    const { state } = await awsLambdaAdapter.execute(ctx);
    expect(fake.functions.get('support-agent')).toBe(0);
    fake.calls.length = 0;
    await awsLambdaAdapter.undo!(ctx, state!);
    expect(fake.calls.map((c) => [c.operation, c.params.ReservedConcurrentExecutions])).toEqual([
      ['PutFunctionConcurrency', 25],
    ]);
    expect((await awsLambdaAdapter.verify(ctx, state!, 'undo')).verified).toBe(true);
  });

  it('verify fails when someone raised the concurrency again (drift)', async () => {
    fake.functions.set('support-agent', null);
    const ctx = ctxOf(awsLambdaAdapter, settings);
    const { state } = await awsLambdaAdapter.execute(ctx);
    fake.functions.set('support-agent', 10);
    expect(await awsLambdaAdapter.verify(ctx, state!, 'execute')).toMatchObject({
      verified: false,
      observed: 'reserved concurrency 10',
    });
  });

  it('a missing function is a 404 refusal, not retried', async () => {
    const ctx = ctxOf(awsLambdaAdapter, settings);
    const error = (await awsLambdaAdapter.execute(ctx).catch((e: unknown) => e)) as TargetError;
    expect(error.details).toMatchObject({ status: 404, retryable: false });
    expect(error.message).toContain('ResourceNotFoundException');
    expect(fake.operations()).toEqual(['GetFunctionConcurrency']);
  });

  it('429 TooManyRequestsException is retried by the SDK, then succeeds', async () => {
    fake.functions.set('support-agent', null);
    fake.failNext('PutFunctionConcurrency', {
      status: 429,
      code: 'TooManyRequestsException',
      message: 'Rate exceeded',
    });
    const ctx = ctxOf(awsLambdaAdapter, settings);
    await awsLambdaAdapter.execute(ctx);
    expect(fake.operations()).toEqual([
      'GetFunctionConcurrency',
      'PutFunctionConcurrency',
      'PutFunctionConcurrency',
    ]);
    expect(fake.functions.get('support-agent')).toBe(0);
  });

  it('the plan names the documented operations and sends nothing', () => {
    const ctx = ctxOf(awsLambdaAdapter, settings);
    expect(
      awsLambdaAdapter.plan('execute', ctx).map((r) => (r.body as { operation: string }).operation),
    ).toEqual(['GetFunctionConcurrency', 'PutFunctionConcurrency']);
    expect(
      awsLambdaAdapter.plan('undo', ctx, { prior: { known: true, summary: '', value: { reserved: null } } }),
    ).toMatchObject([{ body: { operation: 'DeleteFunctionConcurrency' } }]);
    expect(fake.calls).toEqual([]);
  });
});

describe('aws-iam-key (UpdateAccessKey Inactive)', () => {
  const settings = { userName: 'support-agent', accessKeyId: 'AKIAAGENTKEY00000001' };

  it('deactivates the key, verify states IAM consistency and minted sessions, undo re-activates', async () => {
    fake.accessKeys.set('support-agent', [
      { id: 'AKIAAGENTKEY00000001', status: 'Active' },
      { id: 'AKIAAGENTKEY00000002', status: 'Active' },
    ]);
    const ctx = ctxOf(awsIamKeyAdapter, settings);
    const { state } = await awsIamKeyAdapter.execute(ctx);
    expect(fake.calls.map((c) => [c.operation, c.params])).toEqual([
      ['ListAccessKeys', { UserName: 'support-agent' }],
      [
        'UpdateAccessKey',
        { UserName: 'support-agent', AccessKeyId: 'AKIAAGENTKEY00000001', Status: 'Inactive' },
      ],
    ]);
    expect(fake.accessKeys.get('support-agent')!.map((k) => k.status)).toEqual(['Inactive', 'Active']);
    const verified = await awsIamKeyAdapter.verify(ctx, state!, 'execute');
    expect(verified.verified).toBe(true);
    expect(verified.observed).toMatch(/eventually consistent.*session credentials already minted/);
    await awsIamKeyAdapter.undo!(ctx, state!);
    expect(fake.accessKeys.get('support-agent')![0]!.status).toBe('Active');
    expect((await awsIamKeyAdapter.verify(ctx, state!, 'undo')).verified).toBe(true);
  });

  it('a key that was already inactive stays inactive on undo', async () => {
    fake.accessKeys.set('support-agent', [{ id: 'AKIAAGENTKEY00000001', status: 'Inactive' }]);
    const ctx = ctxOf(awsIamKeyAdapter, settings);
    const { state } = await awsIamKeyAdapter.execute(ctx);
    fake.calls.length = 0;
    expect((await awsIamKeyAdapter.undo!(ctx, state!)).detail).toMatch(/before containment/);
    expect(fake.calls).toEqual([]);
    expect((await awsIamKeyAdapter.verify(ctx, state!, 'undo')).verified).toBe(true);
  });

  it('a key id that is not the user’s changes nothing and says so', async () => {
    fake.accessKeys.set('support-agent', [{ id: 'AKIAOTHERKEY00000009', status: 'Active' }]);
    const ctx = ctxOf(awsIamKeyAdapter, settings);
    await expect(awsIamKeyAdapter.execute(ctx)).rejects.toThrow(/is not a key of IAM user support-agent/);
    expect(fake.operations()).toEqual(['ListAccessKeys']);
  });

  it('IAM Throttling (400) is retried by the SDK; NoSuchEntity (404) is not', async () => {
    fake.accessKeys.set('support-agent', [{ id: 'AKIAAGENTKEY00000001', status: 'Active' }]);
    fake.failNext('UpdateAccessKey', { status: 400, code: 'Throttling', message: 'Rate exceeded' });
    await awsIamKeyAdapter.execute(ctxOf(awsIamKeyAdapter, settings));
    expect(fake.operations()).toEqual(['ListAccessKeys', 'UpdateAccessKey', 'UpdateAccessKey']);
    fake.calls.length = 0;
    const error = (await awsIamKeyAdapter
      .execute(ctxOf(awsIamKeyAdapter, { ...settings, userName: 'nobody' }))
      .catch((e: unknown) => e)) as TargetError;
    expect(error.details).toMatchObject({ status: 404, retryable: false });
    expect(error.message).toContain('NoSuchEntity');
    expect(fake.operations()).toEqual(['ListAccessKeys']);
  });
});

describe('aws-role-sessions (deny on aws:TokenIssueTime)', () => {
  const settings = { roleName: 'support-agent-irsa' };

  it('puts the documented deny policy, verify says a fresh AssumeRole is not stopped, undo deletes it', async () => {
    fake.roles.add('support-agent-irsa');
    const ctx = ctxOf(awsRoleSessionsAdapter, settings);
    const { state } = await awsRoleSessionsAdapter.execute(ctx);
    const put = fake.calls.find((c) => c.operation === 'PutRolePolicy')!;
    expect(put.params).toMatchObject({
      RoleName: 'support-agent-irsa',
      PolicyName: 'QuellRevokeOlderSessions',
    });
    expect(JSON.parse(String(put.params.PolicyDocument))).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Deny',
          Action: ['*'],
          Resource: ['*'],
          Condition: { DateLessThan: { 'aws:TokenIssueTime': `${NOW.toISOString().slice(0, 19)}Z` } },
        },
      ],
    });
    expect(state?.prior).toMatchObject({ known: true, value: { document: null } });
    const verified = await awsRoleSessionsAdapter.verify(ctx, state!, 'execute');
    expect(verified.verified).toBe(true);
    expect(verified.observed).toMatch(/fresh AssumeRole \(IRSA, instance profile, task role\) still works/);
    fake.calls.length = 0;
    await awsRoleSessionsAdapter.undo!(ctx, state!);
    expect(fake.operations()).toEqual(['DeleteRolePolicy']);
    expect(fake.rolePolicies.size).toBe(0);
    expect((await awsRoleSessionsAdapter.verify(ctx, state!, 'undo')).verified).toBe(true);
  });

  it('an earlier policy of the same name is put back on undo, not deleted', async () => {
    fake.roles.add('support-agent-irsa');
    const earlier = revokePolicy(new Date('2026-01-01T00:00:00Z'));
    fake.rolePolicies.set('support-agent-irsa/QuellRevokeOlderSessions', earlier);
    const ctx = ctxOf(awsRoleSessionsAdapter, settings);
    const { state } = await awsRoleSessionsAdapter.execute(ctx);
    await awsRoleSessionsAdapter.undo!(ctx, state!);
    expect(fake.rolePolicies.get('support-agent-irsa/QuellRevokeOlderSessions')).toBe(earlier);
  });

  it('the policy removed by someone else is drift: verify fails', async () => {
    fake.roles.add('support-agent-irsa');
    const ctx = ctxOf(awsRoleSessionsAdapter, settings);
    const { state } = await awsRoleSessionsAdapter.execute(ctx);
    fake.rolePolicies.clear();
    expect(await awsRoleSessionsAdapter.verify(ctx, state!, 'execute')).toMatchObject({
      verified: false,
      observed: 'deny policy absent',
    });
  });
});

describe('aws-ecs (desiredCount 0)', () => {
  const settings = { cluster: 'agents', service: 'support-agent' };

  it('scales to 0, lists draining tasks as in flight, undo restores the count', async () => {
    fake.services.set('agents/support-agent', { desired: 3, running: 3 });
    const ctx = ctxOf(awsEcsAdapter, settings);
    const { state } = await awsEcsAdapter.execute(ctx);
    expect(fake.calls.map((c) => [c.operation, c.params])).toEqual([
      ['DescribeServices', { cluster: 'agents', services: ['support-agent'] }],
      ['UpdateService', { cluster: 'agents', service: 'support-agent', desiredCount: 0 }],
    ]);
    const draining = await awsEcsAdapter.verify(ctx, state!, 'execute');
    expect(draining).toMatchObject({ verified: false, inFlight: ['3 running task(s) of support-agent'] });
    fake.services.get('agents/support-agent')!.running = 0;
    expect((await awsEcsAdapter.verify(ctx, state!, 'execute')).verified).toBe(true);
    await awsEcsAdapter.undo!(ctx, state!);
    expect(fake.services.get('agents/support-agent')!.desired).toBe(3);
    expect((await awsEcsAdapter.verify(ctx, state!, 'undo')).verified).toBe(true);
  });

  it('a service not in the cluster is named, nothing changes', async () => {
    const ctx = ctxOf(awsEcsAdapter, settings);
    await expect(awsEcsAdapter.execute(ctx)).rejects.toThrow(/not found in cluster agents \(MISSING\)/);
    expect(fake.operations()).toEqual(['DescribeServices']);
  });
});

describe('AWS adapters through the service', () => {
  it('run, verify, undo end to end; the secret access key never reaches audit, timeline, Slack or logs', async () => {
    fake.functions.set('support-agent', null);
    const harness = await containmentHarness({
      containment: {
        retries: 0,
        actions: {
          'freeze-lambda': {
            adapter: 'aws-lambda',
            settings: { region: 'eu-west-1', endpoint: fake.url, functionName: 'support-agent' },
            secrets: { accessKeyId: 'QUELL_TEST_AWS_KEY', secretAccessKey: 'QUELL_TEST_AWS_SECRET' },
          },
        },
      },
      env: { QUELL_TEST_AWS_KEY: ACCESS_KEY_ID, QUELL_TEST_AWS_SECRET: SECRET },
    });
    try {
      const report = await runContainment(harness, COMMANDER, 'freeze-lambda');
      const step = report.groups[0]![0]!;
      expect(step).toMatchObject({ state: 'ok', verify: { outcome: 'verified' } });
      expect(fake.functions.get('support-agent')).toBe(0);
      await undoContainment(harness, COMMANDER, step.runId!);
      expect(fake.functions.get('support-agent')).toBeNull();
      const everything = JSON.stringify([
        report,
        await harness.services.containment.audit(harness.incident.id),
        await harness.services.incidents.timeline(harness.incident.id),
        harness.slack.calls,
        harness.logLines,
      ]);
      expect(everything).not.toContain(SECRET);
      expect(everything).toContain('PutFunctionConcurrency');
    } finally {
      await harness.close();
    }
  });
});
