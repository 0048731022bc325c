// @ts-check
// The shapes the page works with: what the emulator's page API returns, and Block Kit JSON as Quell
// sent it. Block Kit stays loosely typed on purpose: the page draws whatever arrives (the emulator's
// validator, not the page, decides what Slack would refuse). Types only; nothing runs here.

/**
 * @typedef {{ id: string, name: string, real_name: string, display_name?: string, is_bot?: boolean,
 *   deleted?: boolean, is_admin?: boolean, tz?: string, color?: string, title?: string }} User
 * @typedef {{ id: string, name: string, is_private?: boolean, is_im?: boolean, is_archived?: boolean,
 *   members: string[], latest?: string | null, topic?: any, purpose?: any }} Channel
 * @typedef {{ id: string, handle: string, name: string, users: string[] }} Usergroup
 * @typedef {{ [key: string]: any }} Json  Block Kit objects, view state and API answers
 * @typedef {{ type: string, [key: string]: any }} Block
 * @typedef {{ type: string, action_id?: string, [key: string]: any }} Element
 * @typedef {Record<string, Record<string, Json>>} ViewValues  block_id → action_id → state
 */

/**
 * What every renderer of mrkdwn and blocks needs: the names behind ids, and the viewer's time zone.
 * @typedef {object} NameContext
 * @property {Map<string, User>} users
 * @property {Map<string, Channel>} channels
 * @property {Map<string, Usergroup>} usergroups
 * @property {string} [timeZone]  the viewer's IANA time zone (their Slack profile's `tz`)
 */

/**
 * A Block Kit surface being drawn.
 * @typedef {NameContext & {
 *   surface: 'message' | 'modal' | 'home',
 *   values?: ViewValues,
 *   errors?: Record<string, string>,
 *   onAction?: (detail: ActionDetail) => void,
 *   confirm: (confirm: Json) => Promise<boolean>,
 * }} RenderContext
 */

/**
 * What a person did with an interactive element.
 * @typedef {{ block_id: string, action_id: string, element: Element, value?: string,
 *   selected_value?: string, selected_values?: string[], selected_date?: string, selected_time?: string,
 *   selected_date_time?: number, selected_user?: string }} ActionDetail
 */

export {};
