// @ts-check
// The rendering context every Block Kit surface gets: names to resolve, the viewer's time zone, the
// confirm dialog.
import { confirmDialog } from './confirm.js';
import { state } from './state.js';

/** @typedef {import('./types.js').RenderContext} RenderContext */

/**
 * @param {RenderContext['surface']} surface
 * @param {Partial<RenderContext>} [extra]
 * @returns {RenderContext}
 */
export function ctx(surface, extra = {}) {
  return {
    surface,
    // Slack draws dates in the viewer's time zone: the acting person's profile `tz`
    timeZone: state.users.get(state.me)?.tz,
    users: state.users,
    channels: state.channels,
    usergroups: state.usergroups,
    confirm: confirmDialog,
    ...extra,
  };
}
