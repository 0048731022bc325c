// @ts-check
// Block Kit interactions go to the emulator, which delivers them to Quell as block_actions.
import { api, attempt, toast, workspace } from './state.js';

/** @typedef {import('./types.js').ActionDetail} ActionDetail */
/** @typedef {import('./types.js').Json} Json */
/** @typedef {import('./types.js').ViewValues} ViewValues */

/**
 * @param {Json} container  where the element is: a message, an ephemeral or a view
 * @param {ActionDetail} detail
 * @param {ViewValues} [values]  a view's current input state, sent along as Slack does
 */
export async function sendAction(container, detail, values) {
  const body = {
    container,
    block_id: detail.block_id,
    action_id: detail.action_id,
    ...(detail.selected_value !== undefined ? { selected_value: detail.selected_value } : {}),
    ...(detail.selected_values !== undefined ? { selected_values: detail.selected_values } : {}),
    ...(detail.selected_date !== undefined ? { selected_date: detail.selected_date } : {}),
    ...(detail.selected_time !== undefined ? { selected_time: detail.selected_time } : {}),
    ...(detail.selected_date_time !== undefined ? { selected_date_time: detail.selected_date_time } : {}),
    ...(detail.selected_user !== undefined ? { selected_user: detail.selected_user } : {}),
    ...(detail.value !== undefined && detail.element.type !== 'button' ? { value: detail.value } : {}),
    ...(values ? { values } : {}),
  };
  const result = await attempt(() => api('action', body));
  if (result?.error) toast(`${workspace().bot.name} did not answer (${result.error}).`);
}
