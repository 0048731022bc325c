import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { COMMANDER, containmentHarness, type Harness, runContainment, undoContainment } from './harness.js';

/**
 * Approval-gated changes on Unleash (change requests are an Enterprise feature): the toggle answers
 * 403 in an environment that requires change requests; Quell reads the change-request configuration
 * (https://docs.getunleash.io/api/get-project-change-request-config), opens a change request
 * (https://docs.getunleash.io/api/change-request), sends it to review and, once approved, applies it
 * (https://docs.getunleash.io/api/update-change-request-state), reading it in between
 * (https://docs.getunleash.io/api/get-change-request). Bodies follow those pages' schemas.
 */
const ORIGIN = 'https://unleash.test';
const TOKEN = 'user:unleash-pat-0123456789abcdef';
const FEATURE_ENV = '/api/admin/projects/default/features/agent-autonomy/environments/production';
const PROJECT = '/api/admin/projects/default';
const CR_ID = 1087;
const LINK = `${ORIGIN}/projects/default/change-requests/${CR_ID}`;
const auth = { reqheaders: { authorization: TOKEN } };

const featureRead = (enabled: boolean) =>
  nock(ORIGIN, auth)
    .get(FEATURE_ENV)
    .reply(200, { name: 'agent-autonomy', environmentName: 'production', enabled, strategies: [] });

const changeRequest = (state: string) => ({
  id: CR_ID,
  title: 'Change request #1087',
  environment: 'production',
  minApprovals: 1,
  project: 'default',
  features: [
    {
      name: 'agent-autonomy',
      changes: [{ id: 33, action: 'updateEnabled', payload: { enabled: false } }],
    },
  ],
  segments: [],
  approvals:
    state === 'Approved'
      ? [{ createdBy: { id: 7, username: 'reviewer' }, createdAt: '2026-12-01T22:00:00Z' }]
      : [],
  rejections:
    state === 'Rejected'
      ? [{ createdBy: { id: 7, username: 'reviewer' }, createdAt: '2026-12-01T22:00:00Z' }]
      : [],
  comments: [],
  createdBy: { username: 'quell' },
  createdAt: '2026-12-01T21:59:00Z',
  state,
});
const crRead = (state: string) =>
  nock(ORIGIN, auth).get(`${PROJECT}/change-requests/${CR_ID}`).reply(200, changeRequest(state));

let stateBodies: unknown[] = [];
let created: unknown[] = [];
const stateChange = () =>
  nock(ORIGIN, auth)
    .put(`${PROJECT}/change-requests/${CR_ID}/state`, (body) => {
      stateBodies.push(body);
      return true;
    })
    .reply(200, {});

async function harness(): Promise<Harness> {
  return containmentHarness({
    containment: {
      retries: 0,
      actions: {
        'agent-off': {
          adapter: 'unleash',
          settings: { baseUrl: ORIGIN, feature: 'agent-autonomy', environment: 'production' },
          secrets: { apiToken: 'QUELL_TEST_UNLEASH_TOKEN' },
        },
      },
    },
    env: { QUELL_TEST_UNLEASH_TOKEN: TOKEN },
  });
}

/** Read, toggle refused 403, configuration says change requests, request opened and sent to review. */
async function requestedRun(h: Harness, changeRequestEnabled = true) {
  featureRead(true);
  nock(ORIGIN, auth).post(`${FEATURE_ENV}/off`).reply(403, {
    id: 'a1b2',
    name: 'PermissionError',
    message:
      'You need the "SKIP_CHANGE_REQUEST" permission to perform this action in the "production" environment.',
  });
  nock(ORIGIN, auth)
    .get(`${PROJECT}/change-requests/config`)
    .reply(200, [
      {
        environment: 'development',
        type: 'development',
        changeRequestEnabled: false,
        requiredApprovals: null,
      },
      { environment: 'production', type: 'production', changeRequestEnabled, requiredApprovals: 1 },
    ]);
  if (changeRequestEnabled) {
    nock(ORIGIN, auth)
      .post(`${PROJECT}/environments/production/change-requests`, (body) => {
        created.push(body);
        return true;
      })
      .reply(200, changeRequest('Draft'));
    stateChange();
    featureRead(true);
  }
  const report = await runContainment(h, COMMANDER, 'agent-off');
  return report.groups[0]![0]!;
}

beforeEach(() => {
  stateBodies = [];
  created = [];
});
afterEach(() => {
  nock.cleanAll();
});

describe('approval-gated change on Unleash (403 → change request)', () => {
  it('request → link posted → approved → applied by Quell → verified', async () => {
    const h = await harness();
    try {
      const step = await requestedRun(h);
      expect(created).toEqual([
        { feature: 'agent-autonomy', action: 'updateEnabled', payload: { enabled: false } },
      ]);
      expect(stateBodies).toEqual([{ state: 'In review', comment: expect.stringContaining('containment') }]);
      expect(step.state).toBe('ok');
      expect(step.detail).toContain(LINK);
      expect(step.verify).toMatchObject({
        outcome: 'not_verified',
        observed: expect.stringContaining(`awaiting change request approval: ${LINK}`),
      });
      expect(
        JSON.stringify(
          h.slack.calls.filter((c) => c.method === 'chat.postMessage' || c.method === 'chat.update'),
        ),
      ).toContain(`change-requests/${CR_ID}`);

      // a scheduled re-verification while pending: not drift, no alert
      featureRead(true);
      const postsBefore = h.slack.calls.length;
      const states = await h.services.containment.reverify(h.incident.id);
      expect(states[0]).not.toHaveProperty('driftSince');
      expect(h.slack.calls.slice(postsBefore).filter((c) => c.method === 'chat.postMessage')).toEqual([]);

      // in review: nothing applied
      crRead('In review');
      await h.services.containment.checkApprovals(h.incident.id);
      let run = (await h.services.containment.runs(h.incident.id))[0]!;
      expect(run.state.approval).toMatchObject({ status: 'pending' });
      expect(stateBodies).toHaveLength(1);

      // approved: Unleash does not apply by itself; Quell applies it, then verifies
      crRead('Approved');
      stateChange();
      featureRead(false);
      await h.services.containment.checkApprovals(h.incident.id);
      expect(stateBodies.at(-1)).toEqual({ state: 'Applied', comment: expect.stringContaining('applying') });
      run = (await h.services.containment.runs(h.incident.id))[0]!;
      expect(run.state.approval).toMatchObject({ status: 'applied' });
      expect(run.verify).toMatchObject({ outcome: 'verified' });
      const timeline = JSON.stringify(await h.services.incidents.timeline(h.incident.id));
      expect(timeline).toContain('change request approved; Quell applied it');
      expect(timeline).toContain('after approval: verified');

      // nothing left to watch (nock would fail on any request)
      await h.services.containment.checkApprovals(h.incident.id);
      expect(JSON.stringify(await h.services.containment.audit(h.incident.id))).not.toContain(TOKEN);
      expect(nock.pendingMocks().filter((m) => m.includes('unleash.test'))).toEqual([]);
    } finally {
      await h.close();
    }
  });

  it('a rejected change request is recorded, told in the channel, and the run is not in force', async () => {
    const h = await harness();
    try {
      await requestedRun(h);
      crRead('Rejected');
      await h.services.containment.checkApprovals(h.incident.id);
      const run = (await h.services.containment.runs(h.incident.id))[0]!;
      expect(run.status).toBe('failed');
      expect(run.state.approval).toMatchObject({ status: 'declined' });
      expect(JSON.stringify(await h.services.incidents.timeline(h.incident.id))).toContain(
        'change request rejected',
      );
      expect(JSON.stringify(h.slack.calls)).toContain('change request rejected');
      expect(await h.services.containment.controls(h.incident.id)).toEqual([]);
    } finally {
      await h.close();
    }
  });

  it('undo while the change request is pending cancels it; the feature was never changed', async () => {
    const h = await harness();
    try {
      const step = await requestedRun(h);
      stateChange();
      featureRead(true);
      const { report } = await undoContainment(h, COMMANDER, step.runId!);
      expect(stateBodies.at(-1)).toEqual({ state: 'Cancelled', comment: expect.stringContaining('undo') });
      expect(JSON.stringify(report)).toContain('change request cancelled');
      expect(nock.pendingMocks().filter((m) => m.includes('unleash.test'))).toEqual([]);
    } finally {
      await h.close();
    }
  });

  it('a 403 in an environment without change requests stays a refusal; no request is opened', async () => {
    const h = await harness();
    try {
      const step = await requestedRun(h, false);
      expect(step.state).toBe('failed');
      expect(step.error).toContain('SKIP_CHANGE_REQUEST');
      expect(created).toEqual([]);
    } finally {
      await h.close();
    }
  });
});
