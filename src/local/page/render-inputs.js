// @ts-check
// Inputs: text (plain, email, url, number, rich text), date, time and date-time pickers, file input.
// The pickers work in the viewer's time zone, as Slack's do: a datetimepicker's value is Unix seconds,
// shown and chosen as a date and a time on the viewer's clock.

import { instantOf, usableTimeZone, wallClock } from './render-dates.js';
import { h } from './render-dom.js';
import { elementState } from './render-element-state.js';
import { plain } from './render-mrkdwn.js';

/** @typedef {import('./types.js').Element} Element */
/** @typedef {import('./types.js').RenderContext} RenderContext */

/**
 * @param {Element} element
 * @param {string} blockId
 * @param {RenderContext} ctx
 * @param {boolean} inInput
 * @returns {HTMLElement | null}  null for a type that is not an input
 */
export function renderInput(element, blockId, ctx, inInput) {
  switch (element.type) {
    case 'datepicker':
      return dateOrTimePicker('date', element, blockId, ctx, inInput);
    case 'timepicker':
      return dateOrTimePicker('time', element, blockId, ctx, inInput);
    case 'datetimepicker':
      return dateTimePicker(element, blockId, ctx, inInput);
    case 'plain_text_input':
    case 'email_text_input':
    case 'url_text_input':
    case 'number_input':
      return textInput(element, blockId, ctx, inInput);
    case 'rich_text_input':
      return richTextInput(element, blockId, ctx, inInput);
    case 'file_input':
      return h('input', {
        type: 'file',
        class: 'bk-file-input',
        id: element._inputId,
        'data-action-id': element.action_id,
        multiple: (element.max_files ?? 10) > 1 || undefined,
        accept: (element.filetypes ?? []).map((/** @type {string} */ t) => `.${t}`).join(',') || undefined,
      });
    default:
      return null;
  }
}

/**
 * A datepicker or timepicker: one native input whose value is the element's `selected_date` or `selected_time`.
 * @param {'date' | 'time'} kind @param {Element} element @param {string} blockId @param {RenderContext} ctx @param {boolean} inInput
 */
function dateOrTimePicker(kind, element, blockId, ctx, inInput) {
  const { actionId, state, setState, act } = elementState(element, blockId, ctx, inInput);
  const key = `selected_${kind}`;
  const initial = element[`initial_${kind}`];
  const input = /** @type {HTMLInputElement} */ (
    h('input', {
      type: kind,
      class: 'bk-date',
      id: element._inputId,
      value: state?.[key] ?? initial ?? '',
      'aria-label': element._inputId ? undefined : plain(element.placeholder) || `Select a ${kind}`,
      'data-action-id': actionId,
    })
  );
  input.addEventListener('change', () => {
    setState({ [key]: input.value || null });
    act({ [key]: input.value });
  });
  if (state === undefined && initial) setState({ [key]: initial });
  return input;
}

const pad = (/** @type {number} */ n) => String(n).padStart(2, '0');

/** @param {Element} element @param {string} blockId @param {RenderContext} ctx @param {boolean} inInput */
function dateTimePicker(element, blockId, ctx, inInput) {
  const { actionId, state, setState, act } = elementState(element, blockId, ctx, inInput);
  const zone = usableTimeZone(ctx.timeZone);
  /** @type {number | undefined} */
  const epoch = state?.selected_date_time ?? element.initial_date_time;
  const wall = typeof epoch === 'number' ? wallClock(new Date(epoch * 1000), zone) : undefined;
  const date = /** @type {HTMLInputElement} */ (
    h('input', {
      type: 'date',
      class: 'bk-date',
      id: element._inputId,
      // in an input block the block's label names the date field; the time field says what it is
      'aria-label': element._inputId ? undefined : 'Date',
      value: wall ? `${wall.year}-${pad(wall.month)}-${pad(wall.day)}` : '',
    })
  );
  const time = /** @type {HTMLInputElement} */ (
    h('input', {
      type: 'time',
      class: 'bk-date',
      'aria-label': 'Time',
      value: wall ? `${pad(wall.hour)}:${pad(wall.minute)}` : '',
    })
  );
  const change = () => {
    const [year, month, day] = date.value.split('-').map(Number);
    const [hour, minute] = time.value.split(':').map(Number);
    if (!year || !month || !day || hour === undefined || Number.isNaN(hour)) {
      setState({ selected_date_time: null });
      return;
    }
    const at = instantOf({ year, month, day, hour, minute: minute ?? 0 }, zone);
    const seconds = Math.floor(at.getTime() / 1000);
    setState({ selected_date_time: seconds });
    act({ selected_date_time: seconds });
  };
  date.addEventListener('change', change);
  time.addEventListener('change', change);
  if (state === undefined && typeof element.initial_date_time === 'number')
    setState({ selected_date_time: element.initial_date_time });
  return h(
    'div',
    {
      class: 'bk-datetime',
      role: 'group',
      'data-action-id': actionId,
      title: zone ? `Times in ${zone}` : undefined,
    },
    date,
    time,
    zone ? h('span', { class: 'bk-hint bk-zone' }, zone.replace(/_/g, ' ')) : null,
  );
}

/** @param {Element} element @param {string} blockId @param {RenderContext} ctx @param {boolean} inInput */
function textInput(element, blockId, ctx, inInput) {
  const { actionId, state, setState, act } = elementState(element, blockId, ctx, inInput);
  const multiline = element.type === 'plain_text_input' && element.multiline;
  const attrs = {
    id: element._inputId,
    class: 'bk-text-input',
    placeholder: plain(element.placeholder) || undefined,
    maxlength: element.max_length,
    'data-action-id': actionId,
  };
  /** @type {Record<string, string>} */
  const types = { email_text_input: 'email', url_text_input: 'url', number_input: 'number' };
  const type = types[element.type] ?? 'text';
  const input = /** @type {HTMLInputElement | HTMLTextAreaElement} */ (
    multiline ? h('textarea', { ...attrs, rows: 5 }) : h('input', { ...attrs, type })
  );
  input.value = state?.value ?? element.initial_value ?? '';
  if (state === undefined && element.initial_value) setState({ value: element.initial_value });
  input.addEventListener('input', () => setState({ value: input.value }));
  input.addEventListener('keydown', (event) => {
    if (/** @type {KeyboardEvent} */ (event).key === 'Enter' && !multiline && element._dispatch)
      act({ value: input.value });
  });
  return input;
}

/**
 * A rich_text_input as a text box; its state is a rich_text value holding one section of text.
 * @param {Element} element @param {string} blockId @param {RenderContext} ctx @param {boolean} inInput
 */
function richTextInput(element, blockId, ctx, inInput) {
  const { actionId, state, setState } = elementState(element, blockId, ctx, inInput);
  const area = /** @type {HTMLTextAreaElement} */ (
    h('textarea', {
      id: element._inputId,
      class: 'bk-text-input',
      rows: 4,
      placeholder: plain(element.placeholder) || undefined,
      'data-action-id': actionId,
    })
  );
  /** @param {any} value */
  const text = (value) =>
    (value?.elements ?? [])
      .flatMap((/** @type {any} */ s) => s.elements ?? [])
      .map((/** @type {any} */ e) => e.text ?? '')
      .join('');
  area.value = text(state?.rich_text_value ?? element.initial_value);
  /** @param {string} value */
  const asRichText = (value) => ({
    type: 'rich_text',
    elements: [{ type: 'rich_text_section', elements: [{ type: 'text', text: value }] }],
  });
  area.addEventListener('input', () => setState({ rich_text_value: asRichText(area.value) }));
  return area;
}
