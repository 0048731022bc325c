import { stringify } from 'yaml';
import type { Block } from '../../src/chat/port.js';
import type { Incident } from '../../src/incidents/model.js';
import { createLogger } from '../../src/logging/logger.js';
import type { Services } from '../../src/services.js';
import type { FakeSlackApi } from '../helpers/fake-slack-api.js';
import { buildTestServices, TestClock } from '../helpers/services.js';

export const COMMANDER = 'U0COMMANDER';
export const TECH_LEAD = 'U0TECHLEAD';
export const RESPONDER = 'U0RESPONDER';
export const GROUP_MEMBER = 'U0GROUPMEMBER';
export const OUTSIDER = 'U0OUTSIDER';

export interface Harness {
  services: Services;
  slack: FakeSlackApi;
  clock: TestClock;
  logLines: string[];
  incident: Incident;
  close(): Promise<void>;
}

/**
 * Real services on the private Redis with a containment config, the Slack Web API faked, an incident
 * declared by COMMANDER (who becomes commander), and every log line captured.
 */
export async function containmentHarness(options: {
  containment: Record<string, unknown>;
  env?: Record<string, string>;
  drill?: boolean;
  extraConfig?: Record<string, unknown>;
}): Promise<Harness> {
  const clock = new TestClock(new Date('2026-11-21T14:00:00Z'));
  const logLines: string[] = [];
  const { services, slack, redis, cleanup } = await buildTestServices({
    yaml: stringify({
      responders: { users: [RESPONDER] },
      containment: options.containment,
      ...options.extraConfig,
    }),
    clock,
    logger: createLogger('debug', { write: (line: string) => void logLines.push(line) }),
    secrets: options.env ?? {},
    slack: {
      usergroups: { S0CONTAIN: [GROUP_MEMBER], S0RESPOND: [] },
      users: [
        { id: TECH_LEAD, name: 'Tess Lead' },
        { id: COMMANDER, name: 'Cora Mander' },
      ],
    },
  });
  const { incident: declared } = await services.incidents.declare({
    title: 'Support agent deletes mailboxes',
    severity: 'sev1',
    declaredBy: COMMANDER,
    idempotencyKey: `declare-${redis.prefix}`,
    drill: options.drill ?? false,
  });
  const incident = await services.incidents.assignRole(declared.id, COMMANDER, 'tech-lead', TECH_LEAD);
  slack.calls.length = 0;
  return {
    services,
    slack,
    clock,
    logLines,
    incident,
    close: cleanup,
  };
}

/** The confirmation token carried by the Run button of a confirmation message. */
export function confirmToken(message: { blocks?: Block[] }): string {
  const actions = message.blocks?.find((b) => b.type === 'actions') as
    | { elements: { value: string }[] }
    | undefined;
  if (!actions) throw new Error('no actions block in the confirmation');
  return actions.elements[0]!.value;
}

/** Requests and confirms an action or playbook as `user`; returns the final report. */
export async function runContainment(
  h: Harness,
  user: string,
  name: string,
  options: { kind?: 'action' | 'playbook'; args?: Record<string, string>; dryRun?: boolean } = {},
) {
  const confirmation = await h.services.containment.requestRun({
    incident: h.incident,
    user,
    kind: options.kind ?? 'action',
    name,
    args: options.args ?? {},
    dryRun: options.dryRun ?? false,
  });
  return h.services.containment.confirm(confirmToken(confirmation), user);
}

/** Requests and confirms `/contain undo <runId>` as `user`; returns the confirmation and the report. */
export async function undoContainment(h: Harness, user: string, runId: string) {
  const confirmation = await h.services.containment.requestUndo(h.incident, user, runId);
  const report = await h.services.containment.confirm(confirmToken(confirmation), user);
  return { confirmation, report };
}
