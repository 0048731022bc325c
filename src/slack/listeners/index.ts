import type { App } from '@slack/bolt';
import type { Services } from '../../services.js';
import { ACTIONS, COMMANDS, SHORTCUTS, VIEWS } from '../ids.js';
import { commsApproveHandler, commsEditHandler, commsRejectHandler } from './actions/comms.js';
import {
  containmentCancelHandler,
  containmentConfirmHandler,
  containmentRetryHandler,
} from './actions/containment.js';
import {
  gateChecklistHandler,
  gateOverrideHandler,
  gateResolveHandler,
  rootCauseCategoryHandler,
} from './actions/resolution.js';
import { postUpdateActionHandler, snoozeActionHandler } from './actions/update-prompt.js';
import { commsCommandHandler } from './commands/comms/index.js';
import { containCommandHandler } from './commands/contain.js';
import { incidentCommandHandler } from './commands/incident/index.js';
import { appHomeOpenedHandler } from './events/app-home.js';
import { messageRevisionHandler } from './events/message-revisions.js';
import { addToTimelineHandler } from './shortcuts/add-to-timeline.js';
import { commsEditViewHandler, commsOverrideViewHandler } from './views/comms.js';
import { declareViewHandler } from './views/declare.js';
import {
  gateOverrideViewHandler,
  triageDecisionViewHandler,
  triageQuestionsViewHandler,
} from './views/resolution.js';
import { updateViewHandler } from './views/update.js';

/** Maps Slack ids to handlers; nothing else. */
export function registerListeners(app: App, services: Services): void {
  app.command(COMMANDS.incident, incidentCommandHandler(services));
  app.command(COMMANDS.comms, commsCommandHandler(services));
  app.action(ACTIONS.commsEdit, commsEditHandler(services));
  app.action(ACTIONS.commsApprove, commsApproveHandler(services));
  app.action(ACTIONS.commsReject, commsRejectHandler(services));
  app.view(VIEWS.commsEdit, commsEditViewHandler(services));
  app.view(VIEWS.commsOverride, commsOverrideViewHandler(services));
  app.event('app_home_opened', appHomeOpenedHandler(services));
  app.event('message', messageRevisionHandler(services));
  app.command(COMMANDS.contain, containCommandHandler(services));
  app.action(ACTIONS.containmentConfirm, containmentConfirmHandler(services));
  app.action(ACTIONS.containmentCancel, containmentCancelHandler(services));
  app.action(ACTIONS.containmentRetry, containmentRetryHandler(services));
  app.view(VIEWS.declare, declareViewHandler(services));
  app.view(VIEWS.update, updateViewHandler(services));
  app.action(ACTIONS.postUpdate, postUpdateActionHandler(services));
  app.action(ACTIONS.snoozeUpdate, snoozeActionHandler(services));
  app.action(ACTIONS.gateChecklist, gateChecklistHandler(services));
  app.action(ACTIONS.gateResolve, gateResolveHandler(services));
  app.action(ACTIONS.gateOverride, gateOverrideHandler(services));
  app.action(ACTIONS.rootCauseCategory, rootCauseCategoryHandler(services));
  app.view(VIEWS.gateOverride, gateOverrideViewHandler(services));
  app.view(VIEWS.triageQuestions, triageQuestionsViewHandler(services));
  app.view(VIEWS.triageDecision, triageDecisionViewHandler(services));
  app.shortcut(
    { callback_id: SHORTCUTS.addToTimeline, type: 'message_action' },
    addToTimelineHandler(services),
  );
}
