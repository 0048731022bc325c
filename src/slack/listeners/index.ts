import type { App } from '@slack/bolt';
import type { Services } from '../../services.js';
import { COMMANDS, SHORTCUTS, VIEWS } from '../ids.js';
import { incidentCommandHandler } from './commands/incident/index.js';
import { addToTimelineHandler } from './shortcuts/add-to-timeline.js';
import { declareViewHandler } from './views/declare.js';

/** Maps Slack ids to handlers; nothing else. */
export function registerListeners(app: App, services: Services): void {
  app.command(COMMANDS.incident, incidentCommandHandler(services));
  app.view(VIEWS.declare, declareViewHandler(services));
  app.shortcut(
    { callback_id: SHORTCUTS.addToTimeline, type: 'message_action' },
    addToTimelineHandler(services),
  );
}
