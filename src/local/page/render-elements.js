// @ts-check
// Interactive Block Kit elements: buttons, menus (static, external, people, conversations; single and
// multi), overflow, checkboxes and radio buttons, images. Text inputs and pickers: render-inputs.js.
// In input blocks they edit view state; elsewhere they send block_actions.
import { escapeHtml, h } from './render-dom.js';
import { allOptions, elementState } from './render-element-state.js';
import { renderInput } from './render-inputs.js';
import { mrkdwn, plain } from './render-mrkdwn.js';

/** @typedef {import('./types.js').Element} Element */
/** @typedef {import('./types.js').Json} Json */
/** @typedef {import('./types.js').RenderContext} RenderContext */

/**
 * @param {Element} element
 * @param {string} blockId
 * @param {RenderContext} ctx
 * @param {boolean} inInput
 * @returns {HTMLElement}
 */
export function renderElement(element, blockId, ctx, inInput) {
  switch (element.type) {
    case 'button':
    case 'workflow_button':
      return button(element, blockId, ctx, inInput);
    case 'static_select':
    case 'external_select':
      return staticSelect(element, blockId, ctx, inInput);
    case 'multi_static_select':
    case 'multi_external_select':
      return multiStaticSelect(element, blockId, ctx, inInput);
    case 'users_select':
    case 'multi_users_select':
      return usersSelect(element, blockId, ctx, inInput);
    case 'conversations_select':
    case 'channels_select':
    case 'multi_conversations_select':
    case 'multi_channels_select':
      return conversationsSelect(element, blockId, ctx, inInput);
    case 'overflow':
      return overflow(element, blockId, ctx, inInput);
    case 'checkboxes':
    case 'radio_buttons':
      return choices(element, blockId, ctx, inInput);
    case 'image':
      return h('img', { class: 'bk-accessory-image', src: element.image_url, alt: element.alt_text ?? '' });
    default:
      return (
        renderInput(element, blockId, ctx, inInput) ??
        h('span', { class: 'bk-unknown', html: escapeHtml(`[${element.type}]`) })
      );
  }
}

/** @param {Element} element @param {string} blockId @param {RenderContext} ctx @param {boolean} inInput */
function button(element, blockId, ctx, inInput) {
  const { actionId, act } = elementState(element, blockId, ctx, inInput);
  const el = h(
    'button',
    {
      type: 'button',
      class: `bk-button${element.style ? ` bk-${element.style}` : ''}`,
      'data-action-id': actionId,
      title: element.url ? element.url : undefined,
    },
    plain(element.text),
    element.url ? h('span', { class: 'external', 'aria-hidden': 'true' }, ' ↗') : null,
  );
  el.addEventListener('click', async () => {
    if (element.confirm && !(await ctx.confirm(element.confirm))) return;
    if (element.url) window.open(element.url, '_blank', 'noopener');
    el.classList.add('busy');
    setTimeout(() => el.classList.remove('busy'), 800);
    act({ value: element.value });
  });
  return el;
}

/** @param {Element} element @param {string} blockId @param {RenderContext} ctx @param {boolean} inInput */
function staticSelect(element, blockId, ctx, inInput) {
  const { actionId, state, setState, act } = elementState(element, blockId, ctx, inInput);
  const select = /** @type {HTMLSelectElement} */ (
    h('select', {
      class: 'bk-select',
      id: element._inputId,
      'data-action-id': actionId,
      'aria-label': element._inputId ? undefined : plain(element.placeholder) || 'Choose an option',
    })
  );
  const selected = state?.selected_option?.value ?? element.initial_option?.value;
  select.append(
    h(
      'option',
      { value: '', disabled: true, selected: !selected },
      plain(element.placeholder) || 'Select an option',
    ),
  );
  /** @param {HTMLElement} parent @param {Json} option */
  const add = (parent, option) =>
    parent.append(
      h(
        'option',
        {
          value: option.value,
          selected: option.value === selected,
          title: plain(option.description) || undefined,
        },
        plain(option.text),
      ),
    );
  for (const option of element.options ?? []) add(select, option);
  for (const group of element.option_groups ?? []) {
    const og = h('optgroup', { label: plain(group.label) });
    for (const option of group.options ?? []) add(og, option);
    select.append(og);
  }
  const wrapper = h('div', { class: 'bk-select-wrap' }, select);
  const describe = () => {
    const option = allOptions(element).find((o) => o.value === select.value);
    wrapper.querySelector('.bk-option-description')?.remove();
    if (option?.description)
      wrapper.append(h('div', { class: 'bk-option-description' }, plain(option.description)));
  };
  describe();
  select.addEventListener('change', async () => {
    const option = allOptions(element).find((o) => o.value === select.value);
    if (element.confirm && !(await ctx.confirm(element.confirm))) return;
    setState({ selected_option: option });
    describe();
    act({ selected_value: option?.value });
  });
  if (state === undefined && element.initial_option) setState({ selected_option: element.initial_option });
  return wrapper;
}

/** @param {Element} element @param {string} blockId @param {RenderContext} ctx @param {boolean} inInput */
function multiStaticSelect(element, blockId, ctx, inInput) {
  const { actionId, state, setState, act } = elementState(element, blockId, ctx, inInput);
  const chosen = new Set(
    (state?.selected_options ?? element.initial_options ?? []).map((/** @type {Json} */ o) => o.value),
  );
  const select = /** @type {HTMLSelectElement} */ (
    h('select', {
      class: 'bk-select',
      multiple: true,
      id: element._inputId,
      'data-action-id': actionId,
      size: Math.min(6, allOptions(element).length),
    })
  );
  for (const option of allOptions(element))
    select.append(
      h('option', { value: option.value, selected: chosen.has(option.value) }, plain(option.text)),
    );
  select.addEventListener('change', () => {
    const values = [...select.selectedOptions].map((o) => o.value);
    setState({ selected_options: allOptions(element).filter((o) => values.includes(o.value)) });
    act({ selected_values: values });
  });
  return select;
}

/**
 * The `<select>` of a users or conversations picker: a single one starts on a disabled placeholder option.
 * @param {Element} element @param {string} actionId @param {boolean} multi @param {string[]} current @param {string} label
 */
function pickerSelect(element, actionId, multi, current, label) {
  const select = /** @type {HTMLSelectElement} */ (
    h('select', {
      class: 'bk-select',
      multiple: multi || undefined,
      id: element._inputId,
      'data-action-id': actionId,
      'aria-label': element._inputId ? undefined : plain(element.placeholder) || label,
    })
  );
  if (!multi)
    select.append(
      h(
        'option',
        { value: '', disabled: true, selected: current.length === 0 },
        plain(element.placeholder) || label,
      ),
    );
  return select;
}

/** @param {Element} element @param {string} blockId @param {RenderContext} ctx @param {boolean} inInput */
function usersSelect(element, blockId, ctx, inInput) {
  const { actionId, state, setState, act } = elementState(element, blockId, ctx, inInput);
  const multi = element.type === 'multi_users_select';
  /** @type {string[]} */
  const current = multi
    ? (state?.selected_users ?? element.initial_users ?? [])
    : [state?.selected_user ?? element.initial_user].filter(Boolean);
  const select = pickerSelect(element, actionId, multi, current, 'Choose a person');
  for (const user of ctx.users.values())
    if (!user.deleted && user.id !== 'USLACKBOT')
      select.append(
        h(
          'option',
          { value: user.id, selected: current.includes(user.id) },
          `${user.real_name}${user.is_bot ? ' (app)' : ''}`,
        ),
      );
  select.addEventListener('change', () => {
    if (multi) {
      const users = [...select.selectedOptions].map((o) => o.value);
      setState({ selected_users: users });
      act({ selected_values: users });
    } else {
      setState({ selected_user: select.value });
      act({ selected_user: select.value });
    }
  });
  return select;
}

/** @param {Element} element @param {string} blockId @param {RenderContext} ctx @param {boolean} inInput */
function conversationsSelect(element, blockId, ctx, inInput) {
  const { actionId, state, setState, act } = elementState(element, blockId, ctx, inInput);
  const multi = element.type.startsWith('multi_');
  const channels = element.type.endsWith('channels_select');
  const key = `selected_${channels ? 'channel' : 'conversation'}${multi ? 's' : ''}`;
  const initial = multi
    ? (element.initial_channels ?? element.initial_conversations ?? [])
    : [element.initial_channel ?? element.initial_conversation].filter(Boolean);
  /** @type {string[]} */
  const current = state?.[key] !== undefined ? [state[key]].flat().filter(Boolean) : initial;
  const select = pickerSelect(element, actionId, multi, current, 'Choose a channel');
  for (const channel of ctx.channels.values())
    if (!channel.is_im)
      select.append(
        h('option', { value: channel.id, selected: current.includes(channel.id) }, `#${channel.name}`),
      );
  select.addEventListener('change', () => {
    const values = [...select.selectedOptions].map((o) => o.value);
    setState({ [key]: multi ? values : select.value });
    if (multi) act({ selected_values: values });
    else act({ value: select.value });
  });
  return select;
}

/** @param {Element} element @param {string} blockId @param {RenderContext} ctx @param {boolean} inInput */
function overflow(element, blockId, ctx, inInput) {
  const { actionId, act } = elementState(element, blockId, ctx, inInput);
  const menu = h('div', { class: 'bk-overflow-menu', role: 'menu', hidden: true });
  const toggle = h(
    'button',
    { type: 'button', class: 'bk-overflow', 'aria-label': 'More options', 'data-action-id': actionId },
    '⋯',
  );
  for (const option of element.options ?? [])
    menu.append(
      h(
        'button',
        {
          type: 'button',
          role: 'menuitem',
          onclick: async () => {
            menu.hidden = true;
            if (element.confirm && !(await ctx.confirm(element.confirm))) return;
            if (option.url) window.open(option.url, '_blank', 'noopener');
            act({ selected_value: option.value });
          },
        },
        plain(option.text),
      ),
    );
  toggle.addEventListener('click', (event) => {
    event.stopPropagation();
    menu.hidden = !menu.hidden;
  });
  document.addEventListener('click', () => {
    menu.hidden = true;
  });
  return h('div', { class: 'bk-overflow-wrap' }, toggle, menu);
}

/** @param {Element} element @param {string} blockId @param {RenderContext} ctx @param {boolean} inInput */
function choices(element, blockId, ctx, inInput) {
  const { actionId, state, setState, act } = elementState(element, blockId, ctx, inInput);
  const radio = element.type === 'radio_buttons';
  const chosen = new Set(
    radio
      ? [state?.selected_option?.value ?? element.initial_option?.value].filter(Boolean)
      : (state?.selected_options ?? element.initial_options ?? []).map((/** @type {Json} */ o) => o.value),
  );
  const name = `${blockId}-${actionId}-${Math.random().toString(36).slice(2, 7)}`;
  const list = h('div', {
    class: 'bk-choices',
    role: radio ? 'radiogroup' : 'group',
    'data-action-id': actionId,
  });
  for (const option of element.options ?? []) {
    const input = h('input', {
      type: radio ? 'radio' : 'checkbox',
      name,
      value: option.value,
      checked: chosen.has(option.value),
    });
    input.addEventListener('change', () => {
      const values = [...list.querySelectorAll('input:checked')].map(
        (i) => /** @type {HTMLInputElement} */ (i).value,
      );
      const options = (element.options ?? []).filter((/** @type {Json} */ o) => values.includes(o.value));
      if (radio) {
        setState({ selected_option: options[0] ?? null });
        act({ selected_value: values[0] });
      } else {
        setState({ selected_options: options });
        act({ selected_values: values });
      }
    });
    list.append(
      h(
        'label',
        { class: 'bk-choice' },
        input,
        h(
          'span',
          {},
          h('span', { class: 'bk-choice-text', html: textHtml(option.text, ctx) }),
          // an option's description is a text object too: mrkdwn here may hold mentions and dates
          option.description
            ? h('span', { class: 'bk-choice-description', html: textHtml(option.description, ctx) })
            : null,
        ),
      ),
    );
  }
  return list;
}

/** @param {Json | undefined} obj @param {RenderContext} ctx */
function textHtml(obj, ctx) {
  return mrkdwn(obj?.text, ctx, { plain: obj?.type === 'plain_text' });
}
