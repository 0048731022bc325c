/** view_submission and view_closed: a person submits or closes a modal, with Slack's required-field checks. */
import { randomBytes } from 'node:crypto';
import type { DeliveryResult } from '../delivery.js';
import type { SlackEmulator } from '../emulator.js';
import { viewProblems as validateView } from '../validate/index.js';
import { type EmuView, type Json, randomId } from '../workspace.js';

/**
 * A person submits the modal on top of their stack. Required inputs are checked first, as the
 * Slack client does; the app's response_action (errors, update, push, clear) is honoured.
 */
export async function submitView(
  slack: SlackEmulator,
  input: {
    user: string;
    values?: Record<string, Record<string, Json>>;
    viewId?: string;
  },
): Promise<{
  delivered: boolean;
  closed: boolean;
  errors?: Record<string, string>;
  result?: DeliveryResult;
}> {
  const user = slack.requireUser(input.user);
  const stack = slack.workspace.modalStacks.get(user.id) ?? [];
  const viewId = input.viewId ?? stack[stack.length - 1];
  const view = viewId ? slack.workspace.views.get(viewId) : undefined;
  if (!view || stack[stack.length - 1] !== view.id)
    throw new Error(`No open modal ${viewId ?? ''} for ${user.id}`);
  if (input.values) view.values = mergeValues(view.values, input.values);
  const clientErrors = requiredInputErrors(view);
  if (Object.keys(clientErrors).length) {
    view.errors = clientErrors;
    slack.workspace.changed({ kind: 'views', user: user.id });
    return { delivered: false, closed: false, errors: clientErrors };
  }
  const payload = {
    type: 'view_submission',
    team: slack.teamRef(),
    user: slack.userRef(user),
    api_app_id: slack.workspace.team.appId,
    token: slack.verificationToken,
    trigger_id: slack.issueTrigger(user.id),
    view: slack.api.viewObject(view),
    response_urls: [],
    is_enterprise_install: false,
    enterprise: null,
  };
  const result = await slack.deliverForm('view_submission', { payload: JSON.stringify(payload) });
  if (result.error) {
    view.errors = { '': 'We had some trouble connecting. Try again?' };
    slack.workspace.changed({ kind: 'views', user: user.id });
    return { delivered: true, closed: false, errors: view.errors, result };
  }
  const response = result.json ?? {};
  const action = response.response_action as string | undefined;
  if (action === 'errors') {
    view.errors = (response.errors as Record<string, string>) ?? {};
    slack.workspace.changed({ kind: 'views', user: user.id });
    return { delivered: true, closed: false, errors: view.errors, result };
  }
  if (action === 'update' || action === 'push') {
    const next = response.view as Json | undefined;
    const problems = next ? validateView(next, 'modal') : ['[ERROR] missing view'];
    if (problems.length) {
      slack.options.logger?.warn({ problems }, 'Quell answered a view submission with an invalid view');
      view.errors = { '': 'The app answered with an invalid view.' };
      slack.workspace.changed({ kind: 'views', user: user.id });
      return { delivered: true, closed: false, errors: view.errors, result };
    }
    if (action === 'update') slack.api.replaceView(view, next!);
    else pushView(slack, user.id, next!);
    return { delivered: true, closed: false, result };
  }
  if (action === 'clear') slack.workspace.modalStacks.set(user.id, []);
  else stack.pop();
  slack.workspace.changed({ kind: 'views', user: user.id });
  return { delivered: true, closed: true, result };
}

export function pushView(slack: SlackEmulator, user: string, view: Json): void {
  const stack = slack.workspace.modalStacks.get(user) ?? [];
  const id = randomId('V');
  slack.workspace.views.set(id, {
    id,
    team_id: slack.workspace.team.id,
    user,
    type: 'modal',
    view,
    values: {},
    hash: `${Math.floor(Date.now() / 1000)}.${randomBytes(4).toString('hex')}`,
    root_view_id: stack[0] ?? id,
    previous_view_id: stack[stack.length - 1] ?? null,
    external_id: '',
  });
  slack.api.replaceView(slack.workspace.views.get(id)!, view);
  stack.push(id);
  slack.workspace.modalStacks.set(user, stack);
  slack.workspace.changed({ kind: 'views', user });
}

/** A person closes the top modal (Cancel / ×); view_closed is sent when the view asked for it. */
export async function closeView(slack: SlackEmulator, input: { user: string }): Promise<void> {
  const stack = slack.workspace.modalStacks.get(input.user) ?? [];
  const id = stack.pop();
  slack.workspace.changed({ kind: 'views', user: input.user });
  const view = id ? slack.workspace.views.get(id) : undefined;
  if (!view?.view.notify_on_close) return;
  await slack.deliverForm('view_closed', {
    payload: JSON.stringify({
      type: 'view_closed',
      team: slack.teamRef(),
      user: slack.userRef(slack.requireUser(input.user)),
      api_app_id: slack.workspace.team.appId,
      token: slack.verificationToken,
      view: slack.api.viewObject(view),
      is_cleared: false,
      is_enterprise_install: false,
    }),
  });
}

export function requiredInputErrors(view: EmuView): Record<string, string> {
  const errors: Record<string, string> = {};
  const blocks = (view.view.blocks as Json[] | undefined) ?? [];
  blocks.forEach((block, index) => {
    if (block.type !== 'input') return;
    const blockId = (block.block_id as string | undefined) ?? `block_${index}`;
    const element = block.element as Json;
    const state = view.values[blockId]?.[element.action_id as string];
    const text = typeof state?.value === 'string' ? state.value : undefined;
    const empty =
      !state ||
      (state.value !== undefined && !text?.trim()) ||
      (state.selected_option !== undefined && !state.selected_option) ||
      (Array.isArray(state.selected_options) && state.selected_options.length === 0) ||
      (state.selected_date !== undefined && !state.selected_date) ||
      (state.selected_time !== undefined && !state.selected_time) ||
      (state.selected_date_time !== undefined && !state.selected_date_time) ||
      (state.selected_user !== undefined && !state.selected_user);
    if (!block.optional && empty) errors[blockId] = 'Please complete this required field.';
    else if (text !== undefined && typeof element.min_length === 'number' && text.length < element.min_length)
      errors[blockId] = `Must be at least ${element.min_length} characters.`;
    else if (text !== undefined && typeof element.max_length === 'number' && text.length > element.max_length)
      errors[blockId] = `Must be at most ${element.max_length} characters.`;
  });
  return errors;
}

function mergeValues(
  current: Record<string, Record<string, Json>>,
  update: Record<string, Record<string, Json>>,
): Record<string, Record<string, Json>> {
  const merged: Record<string, Record<string, Json>> = { ...current };
  for (const [blockId, actions] of Object.entries(update))
    merged[blockId] = { ...merged[blockId], ...actions };
  return merged;
}
