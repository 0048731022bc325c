// @ts-check
// The page's parts call each other in a circle (a channel load redraws the header, the header opens
// the panel, the panel redraws messages…). Instead of import cycles, each part calls the others
// through this table, which app.js (the composition root) fills in once at start.

/**
 * @typedef {object} Screen
 * @property {() => Promise<void>} loadWorkspace
 * @property {() => Promise<void>} loadChannel
 * @property {() => Promise<void>} loadThread
 * @property {() => Promise<void>} loadViews
 * @property {() => void} renderSidebar
 * @property {(id: string) => Promise<void>} switchUser
 * @property {(id: string, options?: { highlight?: string | null, keepUrl?: boolean }) => void} openChannel
 * @property {(tab: 'home' | 'messages') => Promise<void>} openApp
 * @property {() => void} renderApp
 * @property {() => void} renderHome
 * @property {() => void} renderHeader
 * @property {() => void} renderMessages
 * @property {(kind: 'pins' | 'members', forceOpen?: boolean) => void} togglePanel
 * @property {() => void} closePanel
 * @property {() => void} renderPins
 * @property {() => void} renderMembers
 * @property {(channel: string, ts: string) => Promise<void>} openThread
 * @property {() => void} renderThread
 * @property {(options: { channel: string, threadTs?: string, placeholder: string, label: string }) => HTMLElement} makeComposer
 * @property {() => void} renderComposerState
 * @property {() => void} renderModal
 */

/** @type {Screen} */
export const screen = /** @type {Screen} */ ({});

/**
 * Called once by app.js, before anything is drawn.
 * @param {Screen} parts
 */
export function wireScreen(parts) {
  Object.assign(screen, parts);
}
