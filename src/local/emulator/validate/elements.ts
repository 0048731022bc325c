/**
 * Block elements (docs reference/block-kit/block-elements/*; types block-elements.d.ts): which
 * elements each place accepts, and each element's fields and limits.
 */
import type { Checker, Obj } from './checker.js';
import {
  checkConfirm,
  checkInitialOptions,
  checkOptionGroups,
  checkOptions,
  checkPlaceholder,
} from './composition.js';
import { LIMITS } from './limits.js';
import { checkRichText } from './rich-text.js';

export type Surface = 'message' | 'modal' | 'home';
export type Place = 'actions' | 'accessory' | 'input';

const SELECTS = [
  'static_select',
  'external_select',
  'users_select',
  'conversations_select',
  'channels_select',
];
const MULTI_SELECTS = SELECTS.map((s) => `multi_${s}`);
const CHOICES = ['checkboxes', 'radio_buttons', 'datepicker', 'timepicker', ...SELECTS, ...MULTI_SELECTS];

/** Elements each place accepts (docs actions-block, section-block "accessory", input-block). */
export const PLACES: Record<Place, ReadonlySet<string>> = {
  actions: new Set([
    'button',
    'overflow',
    'datetimepicker',
    'workflow_button',
    'rich_text_input',
    ...CHOICES,
  ]),
  accessory: new Set(['button', 'overflow', 'image', 'workflow_button', ...CHOICES]),
  input: new Set([
    'plain_text_input',
    'email_text_input',
    'url_text_input',
    'number_input',
    'rich_text_input',
    'file_input',
    'datetimepicker',
    ...CHOICES,
  ]),
};

/** An image element (docs image-element): image_url or slack_file, and alt_text. */
export function checkImageElement(c: Checker, el: Obj, pointer: string): void {
  if ((el.image_url === undefined) === (el.slack_file === undefined))
    c.fail(pointer, 'must provide exactly one of image_url, slack_file');
  c.string(el.image_url, `${pointer}/image_url`, LIMITS.imageUrl);
  c.string(el.alt_text, `${pointer}/alt_text`, LIMITS.imageAltText, true);
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;

function validDate(value: string): boolean {
  const m = DATE.exec(value);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return (
    d.getUTCFullYear() === Number(m[1]) &&
    d.getUTCMonth() === Number(m[2]) - 1 &&
    d.getUTCDate() === Number(m[3])
  );
}

function validTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

function selectRules(c: Checker, el: Obj, p: string, type: string): void {
  const many = type.startsWith('multi_');
  if (
    many &&
    el.max_selected_items !== undefined &&
    !(Number.isInteger(el.max_selected_items) && (el.max_selected_items as number) >= 1)
  )
    c.fail(`${p}/max_selected_items`, 'must be an integer of at least 1'); // types MaxItemsSelectable
  const base = many ? type.slice('multi_'.length) : type;
  if (base === 'static_select') {
    // types StaticSelect: options or option_groups, not both
    if ((el.options === undefined) === (el.option_groups === undefined)) {
      c.fail(p, 'must provide exactly one of options, option_groups');
      return;
    }
    const values =
      el.options !== undefined
        ? checkOptions(c, el.options, `${p}/options`, 'select', LIMITS.selectOptions)
        : checkOptionGroups(c, el.option_groups, `${p}/option_groups`);
    const field = many ? 'initial_options' : 'initial_option';
    checkInitialOptions(c, el[field], `${p}/${field}`, values, 'select', many);
    return;
  }
  if (base === 'external_select') {
    const field = many ? 'initial_options' : 'initial_option';
    if (el[field] !== undefined && (many ? !Array.isArray(el[field]) : typeof el[field] !== 'object'))
      c.fail(`${p}/${field}`, many ? 'must provide an array' : 'must provide an object');
    return;
  }
  const initial = {
    users_select: 'initial_user',
    conversations_select: 'initial_conversation',
    channels_select: 'initial_channel',
  }[base];
  if (!initial) return;
  const field = many ? `${initial}s` : initial;
  const value = el[field];
  if (value === undefined) return;
  if (many ? !Array.isArray(value) || value.some((v) => typeof v !== 'string') : typeof value !== 'string')
    c.fail(`${p}/${field}`, many ? 'must provide an array of strings' : 'must be a string');
}

function textInputRules(c: Checker, el: Obj, p: string): void {
  const { min_length: min, max_length: max } = el;
  if (
    min !== undefined &&
    !(Number.isInteger(min) && (min as number) >= 0 && (min as number) <= LIMITS.inputLength)
  )
    c.fail(`${p}/min_length`, `must be between 0 and ${LIMITS.inputLength}`);
  if (
    max !== undefined &&
    !(Number.isInteger(max) && (max as number) >= 1 && (max as number) <= LIMITS.inputLength)
  )
    c.fail(`${p}/max_length`, `must be between 1 and ${LIMITS.inputLength}`);
  if (typeof min === 'number' && typeof max === 'number' && min > max)
    c.fail(`${p}/min_length`, 'must be less than or equal to max_length');
  if (el.initial_value !== undefined && typeof el.initial_value !== 'string')
    c.fail(`${p}/initial_value`, 'must be a string');
  else if (typeof max === 'number') c.maxLength(el.initial_value, max, `${p}/initial_value`);
  c.boolean(el.multiline, `${p}/multiline`);
}

function numberInputRules(c: Checker, el: Obj, p: string): void {
  // types NumberInput: is_decimal_allowed is required; values are numeric strings, min <= initial <= max
  if (typeof el.is_decimal_allowed !== 'boolean') c.fail(`${p}/is_decimal_allowed`, 'missing required field');
  const read = (field: string): number | undefined => {
    const v = el[field];
    if (v === undefined) return undefined;
    const n = Number(v);
    if (typeof v !== 'string' || v.trim() === '' || !Number.isFinite(n))
      c.fail(`${p}/${field}`, 'must be a number string');
    else if (el.is_decimal_allowed !== true && !Number.isInteger(n))
      c.fail(`${p}/${field}`, 'must be an integer');
    else return n;
    return undefined;
  };
  const [min, max, initial] = [read('min_value'), read('max_value'), read('initial_value')];
  if (min !== undefined && max !== undefined && min > max)
    c.fail(`${p}/max_value`, 'cannot be less than min_value');
  if (initial !== undefined && ((min !== undefined && initial < min) || (max !== undefined && initial > max)))
    c.fail(`${p}/initial_value`, 'must be between min_value and max_value');
}

function rules(c: Checker, el: Obj, p: string, type: string): void {
  switch (type) {
    case 'button':
      c.text(el.text, `${p}/text`, LIMITS.buttonText, 'plain_text');
      c.string(el.value, `${p}/value`, LIMITS.buttonValue);
      c.string(el.url, `${p}/url`, LIMITS.buttonUrl);
      c.oneOf(el.style, ['primary', 'danger'], `${p}/style`);
      c.string(el.accessibility_label, `${p}/accessibility_label`, LIMITS.accessibilityLabel);
      return;
    case 'overflow':
      checkOptions(c, el.options, `${p}/options`, 'overflow', LIMITS.overflowOptions);
      return;
    case 'checkboxes': {
      const values = checkOptions(c, el.options, `${p}/options`, 'choice', LIMITS.checkboxOptions);
      checkInitialOptions(c, el.initial_options, `${p}/initial_options`, values, 'choice', true);
      return;
    }
    case 'radio_buttons': {
      const values = checkOptions(c, el.options, `${p}/options`, 'choice', LIMITS.radioOptions);
      checkInitialOptions(c, el.initial_option, `${p}/initial_option`, values, 'choice', false);
      return;
    }
    case 'datepicker': // types Datepicker.initial_date: YYYY-MM-DD
      if (
        el.initial_date !== undefined &&
        (typeof el.initial_date !== 'string' || !validDate(el.initial_date))
      )
        c.fail(`${p}/initial_date`, 'must be a valid date in the format YYYY-MM-DD');
      return;
    case 'timepicker': // types Timepicker: initial_time HH:mm (24-hour), timezone an IANA name
      if (
        el.initial_time !== undefined &&
        (typeof el.initial_time !== 'string' || !TIME.test(el.initial_time))
      )
        c.fail(`${p}/initial_time`, 'must be a valid time in the format HH:mm');
      if (el.timezone !== undefined && (typeof el.timezone !== 'string' || !validTimeZone(el.timezone)))
        c.fail(`${p}/timezone`, 'must be a valid IANA time zone');
      return;
    case 'datetimepicker': // types DateTimepicker.initial_date_time: a 10-digit UNIX timestamp in seconds
      if (
        el.initial_date_time !== undefined &&
        !(Number.isInteger(el.initial_date_time) && String(el.initial_date_time).length === 10)
      )
        c.fail(`${p}/initial_date_time`, 'must be a UNIX timestamp in seconds (10 digits)');
      return;
    case 'plain_text_input':
      textInputRules(c, el, p);
      return;
    case 'email_text_input':
    case 'url_text_input':
      c.string(el.initial_value, `${p}/initial_value`, Number.MAX_SAFE_INTEGER);
      return;
    case 'number_input':
      numberInputRules(c, el, p);
      return;
    case 'rich_text_input':
      if (el.initial_value !== undefined && c.object(el.initial_value, `${p}/initial_value`)) {
        if (el.initial_value.type !== 'rich_text') c.fail(`${p}/initial_value/type`, 'must be rich_text');
        else checkRichText(c, el.initial_value, `${p}/initial_value`);
      }
      return;
    case 'file_input': // types FileInput.max_files: 1..10
      if (
        el.max_files !== undefined &&
        !(
          Number.isInteger(el.max_files) &&
          (el.max_files as number) >= 1 &&
          (el.max_files as number) <= LIMITS.fileInputMaxFiles
        )
      )
        c.fail(`${p}/max_files`, `must be between 1 and ${LIMITS.fileInputMaxFiles}`);
      return;
    default:
      if (type.endsWith('_select')) selectRules(c, el, p, type);
  }
}

const NO_PLACEHOLDER = new Set([
  'button',
  'overflow',
  'checkboxes',
  'radio_buttons',
  'datetimepicker',
  'file_input',
  'workflow_button',
]);

/**
 * An element in `place` on `surface`; `actionIds` collects the block's action_ids, which Slack
 * requires to be unique within their block (types extensions.d.ts Actionable.action_id).
 */
export function checkElement(
  c: Checker,
  element: unknown,
  pointer: string,
  place: Place,
  surface: Surface,
  actionIds: Set<string>,
): void {
  if (!c.object(element, pointer)) return;
  const type = String(element.type);
  if (!PLACES[place].has(type)) {
    c.fail(`${pointer}/type`, `unsupported type: ${type}`);
    return;
  }
  if (type === 'image') {
    checkImageElement(c, element, pointer);
    return;
  }
  // docs file-input-element: "only supported in modals"
  if (type === 'file_input' && surface !== 'modal')
    c.fail(`${pointer}/type`, 'file_input is only available in modals');
  if (element.action_id !== undefined) {
    c.string(element.action_id, `${pointer}/action_id`, LIMITS.actionId, true);
    if (typeof element.action_id === 'string') {
      if (actionIds.has(element.action_id)) c.fail(`${pointer}/action_id`, 'duplicate action_id');
      actionIds.add(element.action_id);
    }
  }
  if (NO_PLACEHOLDER.has(type)) {
    if (element.placeholder !== undefined) c.fail(`${pointer}/placeholder`, 'placeholder is not supported');
  } else checkPlaceholder(c, element.placeholder, `${pointer}/placeholder`);
  if (type !== 'plain_text_input' && !type.endsWith('_input'))
    checkConfirm(c, element.confirm, `${pointer}/confirm`);
  c.focus(element.focus_on_load, `${pointer}/focus_on_load`);
  rules(c, element, pointer, type);
}
