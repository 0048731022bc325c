import { homeView } from '../../blocks/comms.js';
import { defineEvent } from '../../boundary/define.js';

/** Home tab opened: publish the approved talking points of every active incident for this person. */
export const appHomeOpenedEvent = defineEvent({
  event: 'app_home_opened',
  async run({ event, client, deps }) {
    if (event.tab !== 'home') return;
    // a private incident shows only to the members of its channel
    const entries = await deps.incidents.visibleTo(await deps.comms.talkingPoints(), event.user);
    await client.views.publish({
      user_id: event.user,
      view: homeView(entries, deps.config, deps.clock.now()),
    });
  },
});
