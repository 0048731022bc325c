import type { App } from '@slack/bolt';
import type { Services } from '../../services.js';
import { ACTIONS, COMMANDS, SHORTCUTS, VIEWS } from '../ids.js';
import {
  containmentCancelHandler,
  containmentConfirmHandler,
  containmentRetryHandler,
} from './actions/containment.js';
import { containCommandHandler } from './commands/contain.js';
import { incidentCommandHandler } from './commands/incident/index.js';
import { addToTimelineHandler } from './shortcuts/add-to-timeline.js';
import { declareViewHandler } from './views/declare.js';

/** Maps Slack ids to handlers; nothing else. */
export function registerListeners(app: App, services: Services): void {
  app.command(COMMANDS.incident, incidentCommandHandler(services));
  app.command(COMMANDS.contain, containCommandHandler(services));
  app.action(ACTIONS.containmentConfirm, containmentConfirmHandler(services));
  app.action(ACTIONS.containmentCancel, containmentCancelHandler(services));
  app.action(ACTIONS.containmentRetry, containmentRetryHandler(services));
  app.view(VIEWS.declare, declareViewHandler(services));
  app.shortcut(
    { callback_id: SHORTCUTS.addToTimeline, type: 'message_action' },
    addToTimelineHandler(services),
  );
}
