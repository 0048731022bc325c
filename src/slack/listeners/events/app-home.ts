import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import type { Services } from '../../../services.js';
import { homeView } from '../../blocks/comms.js';

/** Home tab opened: publish the approved talking points of every active incident for this person. */
export function appHomeOpenedHandler(services: Services) {
  return async function handleAppHomeOpened({
    event,
    client,
  }: AllMiddlewareArgs & SlackEventMiddlewareArgs<'app_home_opened'>): Promise<void> {
    if (event.tab !== 'home') return;
    try {
      const entries = await services.comms.talkingPoints();
      await client.views.publish({
        user_id: event.user,
        view: homeView(entries, services.config, services.clock.now()),
      });
    } catch (error) {
      services.logger.warn({ err: error, user: event.user }, 'could not publish the App Home tab');
    }
  };
}
