import type { App } from '@slack/bolt';
import { type Definition, defineUnknownActions } from '../boundary/define.js';
import type { ListenerDeps } from '../boundary/deps.js';
import { commsApproveAction, commsEditAction, commsRejectAction } from './actions/comms.js';
import {
  containmentCancelAction,
  containmentConfirmAction,
  containmentReapplyAction,
  containmentRetryAction,
} from './actions/containment.js';
import { evidenceRetryAction } from './actions/evidence.js';
import { forensicsMarkFirstAction } from './actions/forensics.js';
import { intakeRunAction } from './actions/intake.js';
import { privateFollowUpAction } from './actions/private-follow-up.js';
import {
  affectedAddAction,
  gateChecklistAction,
  gateItemOverrideAction,
  gateOverrideAction,
  gateResolveAction,
  rootCauseCategoryAction,
} from './actions/resolution.js';
import { postUpdateAction, snoozeAction } from './actions/update-prompt.js';
import { commsCommand } from './commands/comms/index.js';
import { containCommand } from './commands/contain.js';
import { incidentCommand } from './commands/incident/index.js';
import { appHomeOpenedEvent } from './events/app-home.js';
import { messageRevisionEvent } from './events/message-revisions.js';
import { addToTimelineShortcut } from './shortcuts/add-to-timeline.js';
import { affectedView } from './views/affected.js';
import { commsEditView, commsOverrideView } from './views/comms.js';
import { declareView } from './views/declare.js';
import { gateOverrideView, triageDecisionView, triageQuestionsView } from './views/resolution.js';
import { updateView } from './views/update.js';

/** Every listener Quell registers; each is built by the boundary (src/slack/boundary). */
const HANDLERS: readonly Definition[] = [
  incidentCommand,
  commsCommand,
  containCommand,
  commsEditAction,
  commsApproveAction,
  commsRejectAction,
  containmentConfirmAction,
  containmentCancelAction,
  containmentReapplyAction,
  containmentRetryAction,
  intakeRunAction,
  evidenceRetryAction,
  forensicsMarkFirstAction,
  postUpdateAction,
  snoozeAction,
  privateFollowUpAction,
  gateChecklistAction,
  gateResolveAction,
  gateOverrideAction,
  gateItemOverrideAction,
  affectedAddAction,
  rootCauseCategoryAction,
  declareView,
  updateView,
  commsEditView,
  commsOverrideView,
  gateOverrideView,
  affectedView,
  triageQuestionsView,
  triageDecisionView,
  addToTimelineShortcut,
  appHomeOpenedEvent,
  messageRevisionEvent,
];

export const LISTENERS: readonly Definition[] = [
  ...HANDLERS,
  defineUnknownActions(HANDLERS.filter((d) => d.kind === 'action').map((d) => d.id)),
];

/**
 * Maps Slack ids to handlers, and tells the durable request queue which listeners resume stored
 * requests (with the app's bot client), so this process can run work another replica accepted.
 */
export function registerListeners(
  app: Pick<App, 'command' | 'action' | 'view' | 'shortcut' | 'event'> & { client?: App['client'] },
  deps: ListenerDeps,
): void {
  for (const listener of LISTENERS) listener.register(app, deps);
  if (app.client) deps.requests.attach(LISTENERS, deps, app.client);
}
