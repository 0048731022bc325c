import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LD_CONTAIN, LD_FLAG_PATH, LD_ORIGIN, LD_RESTORE, LD_TOKEN, ldFlag } from './fixtures-identity.js';
import { COMMANDER, containmentHarness, type Harness, runContainment, undoContainment } from './harness.js';

/**
 * Approval-gated changes end to end: LaunchDarkly answers the semantic patch with 405 (the
 * environment requires approval), Quell creates the approval request
 * (https://launchdarkly.com/docs/api/approvals/post-approval-request-for-flag), posts its link, and
 * the approval watch applies it once approved
 * (https://launchdarkly.com/docs/api/approvals/post-apply-approval-request-for-flag), then verifies.
 */
const APPROVALS = '/api/v2/projects/support/flags/agent-write-mode/environments/production/approval-requests';
const REQUEST_ID = '65f1c0ffee0123456789abcd';
const auth = { reqheaders: { authorization: LD_TOKEN } };

async function harnessWith(approvals: Record<string, unknown> = {}): Promise<Harness> {
  return containmentHarness({
    containment: {
      retries: 0,
      actions: {
        'approval-mode': {
          adapter: 'launchdarkly-approval-mode',
          settings: {
            projectKey: 'support',
            environmentKey: 'production',
            flagKey: 'agent-write-mode',
            approvalVariation: 'Approval required',
            approvals: { notifyMemberIds: ['5f0a1b2c3d4e5f6a7b8c9d0e'], pollSeconds: 30, ...approvals },
          },
          secrets: { apiToken: 'QUELL_TEST_LD_TOKEN' },
        },
      },
    },
    env: { QUELL_TEST_LD_TOKEN: LD_TOKEN },
  });
}

const flagRead = (on: boolean, off: number) =>
  nock(LD_ORIGIN, auth).get(LD_FLAG_PATH).query({ env: 'production' }).reply(200, ldFlag(on, off));
const approvalRead = (status: string, reviewStatus: string) =>
  nock(LD_ORIGIN, auth)
    .get(`${APPROVALS}/${REQUEST_ID}`)
    .reply(200, { _id: REQUEST_ID, status, reviewStatus, requestorId: 'm-quell', instructions: LD_CONTAIN });

let patches: unknown[] = [];
let approvalBodies: unknown[] = [];

/** The run until the approval request exists: read, PATCH refused 405, request created, verify awaits. */
async function requestedRun(h: Harness) {
  flagRead(true, 2);
  nock(LD_ORIGIN, auth)
    .patch(LD_FLAG_PATH, (body) => {
      patches.push(body);
      return true;
    })
    .reply(405, {
      code: 'method_not_allowed',
      message: 'This environment requires approval for flag changes',
    });
  nock(LD_ORIGIN, auth)
    .post(APPROVALS, (body) => {
      approvalBodies.push(body);
      return true;
    })
    .reply(201, { _id: REQUEST_ID, status: 'pending', reviewStatus: 'pending', instructions: LD_CONTAIN });
  flagRead(true, 2);
  const report = await runContainment(h, COMMANDER, 'approval-mode');
  return report.groups[0]![0]!;
}

beforeEach(() => {
  patches = [];
  approvalBodies = [];
});
afterEach(() => {
  nock.cleanAll();
});

const link = `${LD_ORIGIN}/projects/support/flags/agent-write-mode/approvals/${REQUEST_ID}?env=production`;

describe('approval-gated flag change (LaunchDarkly 405 → approval request)', () => {
  it('request → link posted → approved → applied by Quell → verified; pending is not drift; undo restores exactly', async () => {
    const h = await harnessWith();
    try {
      const step = await requestedRun(h);
      expect(patches).toEqual([
        {
          environmentKey: 'production',
          instructions: LD_CONTAIN,
          comment: expect.stringContaining('human-approval mode'),
        },
      ]);
      expect(approvalBodies).toEqual([
        {
          description: expect.stringContaining('human-approval mode'),
          instructions: LD_CONTAIN,
          notifyMemberIds: ['5f0a1b2c3d4e5f6a7b8c9d0e'],
        },
      ]);
      expect(step.state).toBe('ok');
      expect(step.detail).toContain(link);
      expect(step.verify).toMatchObject({
        outcome: 'not_verified',
        observed: expect.stringContaining(`awaiting approval: ${link}`),
      });
      // the link is in the channel
      expect(
        JSON.stringify(
          h.slack.calls.filter((c) => c.method === 'chat.postMessage' || c.method === 'chat.update'),
        ),
      ).toContain(`approvals/${REQUEST_ID}`);

      // a scheduled re-verification while pending: not drift, no alert
      flagRead(true, 2);
      const postsBefore = h.slack.calls.length;
      const states = await h.services.containment.reverify(h.incident.id);
      expect(states[0]).not.toHaveProperty('driftSince');
      expect(h.slack.calls.slice(postsBefore).filter((c) => c.method === 'chat.postMessage')).toEqual([]);

      // still pending: nothing applied
      approvalRead('pending', 'pending');
      await h.services.containment.checkApprovals(h.incident.id);
      let run = (await h.services.containment.runs(h.incident.id))[0]!;
      expect(run.state.approval).toMatchObject({ status: 'pending' });

      // approved: Quell applies it, then verifies
      approvalRead('pending', 'approved');
      const applied: unknown[] = [];
      nock(LD_ORIGIN, auth)
        .post(`${APPROVALS}/${REQUEST_ID}/apply`, (body) => {
          applied.push(body);
          return true;
        })
        .reply(200, { _id: REQUEST_ID, status: 'completed', reviewStatus: 'approved' });
      flagRead(false, 1);
      await h.services.containment.checkApprovals(h.incident.id);
      expect(applied).toEqual([{ comment: expect.stringContaining('applying the approved change') }]);
      run = (await h.services.containment.runs(h.incident.id))[0]!;
      expect(run.state.approval).toMatchObject({ status: 'applied' });
      expect(run.verify).toMatchObject({ outcome: 'verified' });
      const timeline = JSON.stringify(await h.services.incidents.timeline(h.incident.id));
      expect(timeline).toContain('approved; Quell applied it');
      expect(timeline).toContain('after approval: verified');
      expect(JSON.stringify(h.slack.calls)).toContain('approved; Quell applied it');

      // a later round has nothing left to do (no request is made: nock would fail on one)
      await h.services.containment.checkApprovals(h.incident.id);

      // undo restores the exact previous targeting: off variation "Disabled", targeting on
      flagRead(false, 1);
      nock(LD_ORIGIN, auth)
        .patch(LD_FLAG_PATH, (body) => {
          patches.push(body);
          return true;
        })
        .reply(200, ldFlag(true, 2));
      flagRead(true, 2);
      const { report } = await undoContainment(h, COMMANDER, run.id);
      expect(patches.at(-1)).toMatchObject({ instructions: LD_RESTORE });
      expect(JSON.stringify(report)).toContain('verified');
      expect(JSON.stringify(await h.services.containment.audit(h.incident.id))).not.toContain(LD_TOKEN);
    } finally {
      await h.close();
    }
  });

  it('an environment that auto-applies approved changes: Quell does not apply, it waits for completed', async () => {
    const h = await harnessWith({ autoApply: true });
    try {
      await requestedRun(h);
      approvalRead('pending', 'approved');
      await h.services.containment.checkApprovals(h.incident.id);
      expect((await h.services.containment.runs(h.incident.id))[0]!.state.approval).toMatchObject({
        status: 'pending',
      });
      approvalRead('completed', 'approved');
      flagRead(false, 1);
      await h.services.containment.checkApprovals(h.incident.id);
      const run = (await h.services.containment.runs(h.incident.id))[0]!;
      expect(run.verify).toMatchObject({ outcome: 'verified' });
    } finally {
      await h.close();
    }
  });

  it('a declined request is recorded, told in the channel, and the run is not in force', async () => {
    const h = await harnessWith();
    try {
      await requestedRun(h);
      approvalRead('pending', 'declined');
      await h.services.containment.checkApprovals(h.incident.id);
      const run = (await h.services.containment.runs(h.incident.id))[0]!;
      expect(run.status).toBe('failed');
      expect(JSON.stringify(await h.services.incidents.timeline(h.incident.id))).toContain(
        'approval request declined',
      );
      expect(await h.services.containment.controls(h.incident.id)).toEqual([]);
    } finally {
      await h.close();
    }
  });

  it('undo while the request is still pending withdraws it; the flag was never changed', async () => {
    const h = await harnessWith();
    try {
      const step = await requestedRun(h);
      nock(LD_ORIGIN, auth).delete(`${APPROVALS}/${REQUEST_ID}`).reply(204);
      flagRead(true, 2);
      const { report } = await undoContainment(h, COMMANDER, step.runId!);
      expect(JSON.stringify(report)).toContain('approval request withdrawn');
    } finally {
      await h.close();
    }
  });
});
