import { homeView } from '../../blocks/comms.js';
import { defineEvent } from '../../boundary/define.js';

/** Active incidents read per open: enough for the 15 shown when some are private to others. */
const ACTIVE_READ = 30;
/** Incidents App Home lists with talking points (the rest are counted). */
const ACTIVE_SHOWN = 15;
/** The newest incidents listed under them. */
const RECENT_SHOWN = 10;

/**
 * Home tab opened: the approved talking points of the most severe active incidents this person may
 * see, and the newest incidents. A bounded read whatever the number of incidents (the store's
 * sorted indexes, a fixed number of Redis round trips), so an open never scans every incident.
 */
export const appHomeOpenedEvent = defineEvent({
  event: 'app_home_opened',
  async run({ event, client, deps }) {
    if (event.tab !== 'home') return;
    const view = await deps.incidents.homeView({ active: ACTIVE_READ, recent: RECENT_SHOWN });
    // a private incident shows only to the members of its channel
    const visible = await deps.incidents.visibleTo(
      view.active.map((incident) => ({ incident })),
      event.user,
    );
    const entries = await Promise.all(
      visible.slice(0, ACTIVE_SHOWN).map(({ incident }) => deps.comms.talkingPointsFor(incident.id)),
    );
    // non-members see no trace of a private incident: not in the count, not in the recent list
    const hidden = view.active.length - visible.length;
    const recent = view.recent.filter((e) => !(e.kind === 'record' ? e.incident : e.tombstone).private);
    await client.views.publish({
      user_id: event.user,
      view: homeView(entries, deps.config, deps.clock.now(), {
        activeCount: view.activeCount - hidden,
        recent,
      }),
    });
  },
});
