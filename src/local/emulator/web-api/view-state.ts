/** A view's `state.values` as Slack starts them from each element's initial value, and view hashes. */
import { randomBytes } from 'node:crypto';
import type { Json } from '../workspace.js';

export function newViewHash(): string {
  return `${Math.floor(Date.now() / 1000)}.${randomBytes(4).toString('hex')}`;
}

/** Input values a view starts with: each input's initial value, as Slack reports it in `state`. */
export function initialValues(
  view: Json,
  previous: Record<string, Record<string, Json>> = {},
): Record<string, Record<string, Json>> {
  const values: Record<string, Record<string, Json>> = {};
  const blocks = (view.blocks as Json[] | undefined) ?? [];
  blocks.forEach((block, index) => {
    const elements: Json[] =
      block.type === 'input' && block.element
        ? [block.element as Json]
        : block.type === 'actions'
          ? ((block.elements as Json[] | undefined) ?? [])
          : block.type === 'section' && block.accessory
            ? [block.accessory as Json]
            : [];
    const blockId = (block.block_id as string | undefined) ?? `block_${index}`;
    for (const element of elements) {
      const actionId = element.action_id as string | undefined;
      if (!actionId) continue;
      const state = initialState(element);
      if (!state) continue;
      values[blockId] ??= {};
      values[blockId][actionId] = previous[blockId]?.[actionId] ?? state;
    }
  });
  return values;
}

function initialState(element: Json): Json | undefined {
  const type = element.type as string;
  switch (type) {
    case 'plain_text_input':
    case 'email_text_input':
    case 'url_text_input':
    case 'number_input':
      return { type, value: (element.initial_value as string | undefined) ?? null };
    case 'static_select':
      return { type, selected_option: element.initial_option ?? null };
    case 'multi_static_select':
    case 'checkboxes':
      return { type, selected_options: element.initial_options ?? [] };
    case 'radio_buttons':
      return { type, selected_option: element.initial_option ?? null };
    case 'users_select':
      return { type, selected_user: element.initial_user ?? null };
    case 'multi_users_select':
      return { type, selected_users: element.initial_users ?? [] };
    case 'conversations_select':
      return { type, selected_conversation: element.initial_conversation ?? null };
    case 'channels_select':
      return { type, selected_channel: element.initial_channel ?? null };
    case 'datepicker':
      return { type, selected_date: element.initial_date ?? null };
    case 'timepicker':
      return { type, selected_time: element.initial_time ?? null };
    case 'datetimepicker':
      return { type, selected_date_time: element.initial_date_time ?? null };
    default:
      return undefined;
  }
}
