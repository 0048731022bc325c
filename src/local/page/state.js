// @ts-check
// The page's state, its API client and how failures reach the person (toasts).
import { h } from './render-dom.js';

/** @typedef {import('./types.js').User} User */
/** @typedef {import('./types.js').Channel} Channel */
/** @typedef {import('./types.js').Usergroup} Usergroup */
/** @typedef {import('./types.js').Json} Json */
/** @typedef {import('./types.js').ViewValues} ViewValues */

/**
 * What `/ui/api/workspace` answers.
 * @typedef {{ team: { name: string }, bot: { id: string, name: string }, users: User[], channels: Channel[],
 *   usergroups: Usergroup[], commands: Json[], shortcuts: Json[] }} Workspace
 * @typedef {{ kind: 'channel' | 'app', id: string | null, tab?: 'home' | 'messages', im?: string }} Current
 * @typedef {{ label: string, hint: string, description: string, insert: string, user?: string }} Suggestion
 */

export const params = new URLSearchParams(location.search);

export const state = {
  me: params.get('as') || localStorage.getItem('quell-local-user') || 'U0ALICE',
  /** this run's page token, from /ui/api/workspace; sent with every change (page-guard.ts) */
  pageToken: '',
  /** @type {Workspace | null} */
  ws: null,
  /** @type {Map<string, User>} */
  users: new Map(),
  /** @type {Map<string, Channel>} */
  channels: new Map(),
  /** @type {Map<string, Usergroup>} */
  usergroups: new Map(),
  /** @type {Current} */
  current: { kind: 'channel', id: null },
  /** the open channel as `/ui/api/channel` answers: channel, messages, ephemerals, pins, bookmarks */
  /** @type {Json | null} */
  data: null,
  /** @type {'thread' | 'pins' | 'members' | null} */
  panel: null,
  /** @type {Json | null} */
  thread: null,
  /** @type {{ stack: Json[], home: Json | null }} */
  views: { stack: [], home: null },
  /** view id → the inputs' state while the person edits */
  /** @type {Record<string, ViewValues>} */
  modalValues: {},
  modalKey: '',
  /** @type {Set<string>} */
  unread: new Set(),
  /** @type {Record<string, string>} */
  seen: JSON.parse(localStorage.getItem('quell-local-seen') || '{}'),
  /** @type {string | null} */
  highlight: null,
  /** @type {{ items: Suggestion[], index: number }} */
  suggestion: { items: [], index: 0 },
  /** @type {string | null} */
  editing: null,
  /** @type {string | undefined} */
  signature: undefined,
};

/** The loaded workspace; everything that draws runs after the first load. */
export function workspace() {
  if (!state.ws) throw new Error('the workspace is not loaded yet');
  return state.ws;
}

/**
 * The page's fixed elements (index.html): missing one is a broken page, not a case to handle.
 * `$('#composer textarea', HTMLTextAreaElement)` checks the kind too.
 * @template {HTMLElement} [T=HTMLElement]
 * @param {string} selector
 * @param {{ new (): T }} [kind]
 * @returns {T}
 */
export const $ = (selector, kind) => {
  const el = document.querySelector(selector);
  if (!(el instanceof (kind ?? HTMLElement))) throw new Error(`${selector} is not on the page`);
  return /** @type {T} */ (el);
};

/**
 * GET with `as=` (no body) or POST JSON with `as` (body) to the emulator's page API.
 * @param {string} route
 * @param {Json} [body]
 * @returns {Promise<Json>}
 */
export async function api(route, body) {
  const response = await fetch(
    `/ui/api/${route}${body ? '' : `${route.includes('?') ? '&' : '?'}as=${state.me}`}`,
    {
      method: body ? 'POST' : 'GET',
      // the per-run page token (from /ui/api/workspace) on every change: other sites cannot send it
      headers: body ? { 'content-type': 'application/json', 'x-quell-page-token': state.pageToken } : {},
      body: body ? JSON.stringify({ as: state.me, ...body }) : undefined,
    },
  );
  const result = await response.json();
  if (!result.ok) throw new Error(result.error || 'request failed');
  return result;
}

/** @type {Record<string, string>} */
export const FRIENDLY_ERRORS = {
  not_in_channel: 'You are not a member of this channel. Join it first.',
  is_archived: 'This channel is archived.',
  cant_update_message: 'You can only edit your own messages.',
  cant_delete_message: 'You can only delete your own messages.',
  message_not_found: 'That message no longer exists.',
};

/**
 * @param {string} text
 * @param {'error' | 'info'} [kind]
 */
export function toast(text, kind = 'error') {
  const el = h('div', { class: `toast toast-${kind}`, role: 'status' }, text);
  $('#toasts').append(el);
  setTimeout(() => el.classList.add('leaving'), 4200);
  setTimeout(() => el.remove(), 4600);
}

/**
 * Runs `run`; a failure becomes a toast (in the person's words where we have them) and `undefined`.
 * @template T
 * @param {() => Promise<T>} run
 * @returns {Promise<T | undefined>}
 */
export async function attempt(run) {
  try {
    return await run();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    toast(FRIENDLY_ERRORS[message] ?? `Something went wrong: ${message}`);
    return undefined;
  }
}
