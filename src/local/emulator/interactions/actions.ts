/** block_actions: a person clicks a button or changes a select, checkbox or picker. */
import type { DeliveryResult } from '../delivery.js';
import type { ActionInput, SlackEmulator } from '../emulator.js';
import type { Json } from '../workspace.js';

/** Finds the interactive element a person used, wherever it is. */
export function findElement(
  _slack: SlackEmulator,
  blocks: Json[],
  blockId: string | undefined,
  actionId: string,
): { block: Json; element: Json } {
  for (const [index, block] of blocks.entries()) {
    const id = (block.block_id as string | undefined) ?? `block_${index}`;
    if (blockId && id !== blockId) continue;
    const elements: Json[] =
      block.type === 'actions'
        ? ((block.elements as Json[]) ?? [])
        : block.type === 'section' && block.accessory
          ? [block.accessory as Json]
          : block.type === 'input' && block.element
            ? [block.element as Json]
            : [];
    const element = elements.find((e) => e.action_id === actionId);
    if (element) return { block: { ...block, block_id: id }, element };
  }
  throw new Error(`No element with action_id ${actionId}${blockId ? ` in block ${blockId}` : ''}`);
}

export function actionPayload(
  slack: SlackEmulator,
  input: ActionInput,
  element: Json,
  blockId: string,
): Json {
  const type = element.type as string;
  const options = [
    ...((element.options as Json[] | undefined) ?? []),
    ...((element.option_groups as Json[] | undefined) ?? []).flatMap((g) => (g.options as Json[]) ?? []),
  ];
  const option = (value: string | undefined) => options.find((o) => o.value === value);
  const action: Json = {
    type,
    action_id: element.action_id,
    block_id: blockId,
    action_ts: slack.workspace.nextTs(),
  };
  switch (type) {
    case 'button':
      Object.assign(action, {
        text: element.text,
        ...(element.value !== undefined ? { value: element.value } : {}),
        ...(element.style ? { style: element.style } : {}),
        ...(element.url ? { url: element.url } : {}),
      });
      break;
    case 'static_select':
    case 'radio_buttons':
    case 'overflow': {
      const selected = option(input.selectedValue);
      if (!selected) throw new Error(`No option ${input.selectedValue} in ${element.action_id}`);
      action.selected_option = selected;
      break;
    }
    case 'checkboxes':
    case 'multi_static_select':
      action.selected_options = (input.selectedValues ?? []).map((v) => option(v)).filter(Boolean);
      break;
    case 'datepicker':
      action.selected_date = input.selectedDate ?? null;
      break;
    case 'timepicker':
      action.selected_time = input.selectedTime ?? null;
      break;
    case 'datetimepicker':
      action.selected_date_time = input.selectedDateTime ?? null;
      break;
    case 'users_select':
      action.selected_user = input.selectedUser ?? null;
      break;
    default:
      action.value = input.value ?? null;
  }
  return action;
}

/** A person clicks a button or changes a select/checkbox in a message, an ephemeral or a view. */
export async function clickAction(slack: SlackEmulator, input: ActionInput): Promise<DeliveryResult> {
  const user = slack.requireUser(input.user);
  const container = input.container;
  const triggerId = slack.issueTrigger(user.id);
  const base: Json = {
    type: 'block_actions',
    user: slack.userRef(user),
    api_app_id: slack.workspace.team.appId,
    token: slack.verificationToken,
    trigger_id: triggerId,
    team: slack.teamRef(),
    enterprise: null,
    is_enterprise_install: false,
  };
  let payload: Json;
  if (container.type === 'view') {
    const view = slack.workspace.views.get(container.viewId);
    if (!view || !slack.api.isLive(view)) throw new Error(`View ${container.viewId} is not open`);
    if (input.values) view.values = input.values;
    const { block, element } = findElement(
      slack,
      (view.view.blocks as Json[]) ?? [],
      input.blockId,
      input.actionId,
    );
    payload = {
      ...base,
      container: { type: 'view', view_id: view.id },
      view: slack.api.viewObject(view),
      actions: [actionPayload(slack, input, element, block.block_id as string)],
    };
  } else if (container.type === 'ephemeral') {
    const ephemeral = slack.workspace.ephemerals.find((e) => e.id === container.id);
    if (!ephemeral || ephemeral.user !== user.id) throw new Error(`Ephemeral ${container.id} is not visible`);
    const { block, element } = findElement(slack, ephemeral.blocks ?? [], input.blockId, input.actionId);
    const channel = slack.requireChannel(ephemeral.channel);
    payload = {
      ...base,
      container: { type: 'message', message_ts: ephemeral.ts, channel_id: channel.id, is_ephemeral: true },
      channel: { id: channel.id, name: channel.name },
      state: { values: {} },
      response_url: slack.issueResponseUrl({
        user: user.id,
        channel: channel.id,
        kind: 'interaction',
        ephemeralId: ephemeral.id,
      }),
      actions: [actionPayload(slack, input, element, block.block_id as string)],
    };
  } else {
    const channel = slack.requireChannel(container.channel);
    const message = slack.workspace.message(channel.id, container.ts);
    if (!message) throw new Error(`No message ${container.ts} in ${channel.id}`);
    const { block, element } = findElement(slack, message.blocks ?? [], input.blockId, input.actionId);
    payload = {
      ...base,
      container: {
        type: 'message',
        message_ts: message.ts,
        channel_id: channel.id,
        is_ephemeral: false,
        ...(message.thread_ts ? { thread_ts: message.thread_ts } : {}),
      },
      channel: { id: channel.id, name: channel.name },
      message: slack.api.messageObject(message),
      state: { values: input.values ?? {} },
      response_url: slack.issueResponseUrl({
        user: user.id,
        channel: channel.id,
        kind: 'interaction',
        messageTs: message.ts,
        ...(message.thread_ts ? { threadTs: message.thread_ts } : {}),
      }),
      actions: [actionPayload(slack, input, element, block.block_id as string)],
    };
  }
  return slack.deliverForm('block_actions', { payload: JSON.stringify(payload) });
}
