/**
 * Block Kit validation with Slack's documented limits. Messages come back in Slack's format,
 * `[ERROR] <what> [json-pointer:/blocks/3/text/text]`, as in `response_metadata.messages`.
 */

export type Surface = 'message' | 'modal' | 'home';

export const BLOCK_LIMITS = { message: 50, modal: 100, home: 100 } as const;
export const MESSAGE_TEXT_LIMIT = 40_000;
export const VIEW_TITLE_LIMIT = 24;

const BLOCK_TYPES = new Set([
  'section',
  'header',
  'context',
  'divider',
  'actions',
  'input',
  'image',
  'rich_text',
  'markdown',
  'file',
  'video',
  'context_actions',
]);

const INTERACTIVE = new Set([
  'button',
  'static_select',
  'multi_static_select',
  'external_select',
  'multi_external_select',
  'users_select',
  'multi_users_select',
  'conversations_select',
  'multi_conversations_select',
  'channels_select',
  'multi_channels_select',
  'overflow',
  'datepicker',
  'timepicker',
  'datetimepicker',
  'checkboxes',
  'radio_buttons',
  'plain_text_input',
  'email_text_input',
  'number_input',
  'url_text_input',
  'rich_text_input',
  'file_input',
]);

type Obj = Record<string, unknown>;

class Checker {
  readonly errors: string[] = [];

  fail(pointer: string, message: string): void {
    if (this.errors.length < 20) this.errors.push(`[ERROR] ${message} [json-pointer:${pointer}]`);
  }

  object(value: unknown, pointer: string): value is Obj {
    if (value && typeof value === 'object' && !Array.isArray(value)) return true;
    this.fail(pointer, 'must be an object');
    return false;
  }

  maxLength(value: unknown, max: number, pointer: string): void {
    if (typeof value === 'string' && value.length > max)
      this.fail(pointer, `must be less than ${max + 1} characters`);
  }

  text(value: unknown, pointer: string, max: number, plainOnly = false, required = true): void {
    if (value === undefined) {
      if (required) this.fail(pointer, 'missing required field: text');
      return;
    }
    if (!this.object(value, pointer)) return;
    if (value.type !== 'plain_text' && value.type !== 'mrkdwn')
      this.fail(`${pointer}/type`, 'must be plain_text or mrkdwn');
    else if (plainOnly && value.type !== 'plain_text')
      this.fail(`${pointer}/type`, 'must be a plain_text object');
    if (typeof value.text !== 'string') this.fail(`${pointer}/text`, 'must be a string');
    else if (value.text.length === 0) this.fail(`${pointer}/text`, 'must be more than 0 characters');
    else this.maxLength(value.text, max, `${pointer}/text`);
  }

  options(options: unknown, pointer: string, max: number, min = 1): void {
    if (!Array.isArray(options)) {
      this.fail(pointer, 'must be an array');
      return;
    }
    if (options.length < min) this.fail(pointer, `must provide at least ${min} items`);
    if (options.length > max) this.fail(pointer, `no more than ${max} items allowed`);
    options.forEach((option, i) => {
      const p = `${pointer}/${i}`;
      if (!this.object(option, p)) return;
      this.text(option.text, `${p}/text`, 75);
      if (typeof option.value !== 'string' && option.url === undefined)
        this.fail(`${p}/value`, 'missing required field: value');
      this.maxLength(option.value, 150, `${p}/value`);
    });
  }

  element(element: unknown, pointer: string, surface: Surface): void {
    if (!this.object(element, pointer)) return;
    const type = element.type;
    if (type === 'image' || type === 'mrkdwn' || type === 'plain_text') return;
    if (typeof type !== 'string' || !INTERACTIVE.has(type)) {
      this.fail(`${pointer}/type`, `unsupported type: ${String(type)}`);
      return;
    }
    this.maxLength(element.action_id, 255, `${pointer}/action_id`);
    switch (type) {
      case 'button':
        this.text(element.text, `${pointer}/text`, 75, true);
        this.maxLength(element.value, 2000, `${pointer}/value`);
        this.maxLength(element.url, 3000, `${pointer}/url`);
        if (element.style !== undefined && element.style !== 'primary' && element.style !== 'danger')
          this.fail(`${pointer}/style`, 'must be one of primary, danger');
        break;
      case 'static_select':
      case 'multi_static_select':
        if (element.options !== undefined) this.options(element.options, `${pointer}/options`, 100);
        else if (element.option_groups === undefined)
          this.fail(pointer, 'must provide either options or option_groups');
        break;
      case 'overflow':
        this.options(element.options, `${pointer}/options`, 5, 1);
        break;
      case 'checkboxes':
      case 'radio_buttons':
        this.options(element.options, `${pointer}/options`, 10);
        break;
      case 'plain_text_input':
        if (typeof element.max_length === 'number' && element.max_length > 3000)
          this.fail(`${pointer}/max_length`, 'must be less than or equal to 3000');
        break;
      default:
        break;
    }
    if (surface === 'message' && type === 'file_input')
      this.fail(`${pointer}/type`, 'file_input is only available in modals');
  }

  block(block: unknown, pointer: string, surface: Surface, blockIds: Set<string>): void {
    if (!this.object(block, pointer)) return;
    const type = block.type;
    if (typeof type !== 'string' || !BLOCK_TYPES.has(type)) {
      this.fail(`${pointer}/type`, `unsupported type: ${String(type)}`);
      return;
    }
    if (block.block_id !== undefined) {
      if (typeof block.block_id !== 'string') this.fail(`${pointer}/block_id`, 'must be a string');
      else {
        this.maxLength(block.block_id, 255, `${pointer}/block_id`);
        if (blockIds.has(block.block_id)) this.fail(`${pointer}/block_id`, 'duplicate block_id');
        blockIds.add(block.block_id);
      }
    }
    switch (type) {
      case 'section': {
        if (block.text === undefined && block.fields === undefined)
          this.fail(pointer, 'must provide either text or fields');
        if (block.text !== undefined) this.text(block.text, `${pointer}/text`, 3000);
        if (block.fields !== undefined) {
          if (!Array.isArray(block.fields)) this.fail(`${pointer}/fields`, 'must be an array');
          else {
            if (block.fields.length > 10) this.fail(`${pointer}/fields`, 'no more than 10 items allowed');
            for (const [i, field] of block.fields.entries()) this.text(field, `${pointer}/fields/${i}`, 2000);
          }
        }
        if (block.accessory !== undefined) this.element(block.accessory, `${pointer}/accessory`, surface);
        break;
      }
      case 'header':
        this.text(block.text, `${pointer}/text`, 150, true);
        break;
      case 'context': {
        const elements = block.elements;
        if (!Array.isArray(elements) || elements.length === 0)
          this.fail(`${pointer}/elements`, 'must provide at least 1 items');
        else {
          if (elements.length > 10) this.fail(`${pointer}/elements`, 'no more than 10 items allowed');
          elements.forEach((el, i) => {
            const p = `${pointer}/elements/${i}`;
            if (!this.object(el, p)) return;
            if (el.type === 'image') return;
            this.text(el, p, 3000);
          });
        }
        break;
      }
      case 'actions': {
        const elements = block.elements;
        if (!Array.isArray(elements) || elements.length === 0)
          this.fail(`${pointer}/elements`, 'must provide at least 1 items');
        else {
          if (elements.length > 25) this.fail(`${pointer}/elements`, 'no more than 25 items allowed');
          for (const [i, el] of elements.entries()) this.element(el, `${pointer}/elements/${i}`, surface);
        }
        break;
      }
      case 'input':
        this.text(block.label, `${pointer}/label`, 2000, true);
        if (block.hint !== undefined) this.text(block.hint, `${pointer}/hint`, 2000, true);
        if (block.element === undefined) this.fail(`${pointer}/element`, 'missing required field: element');
        else this.element(block.element, `${pointer}/element`, surface);
        break;
      case 'image':
        if (typeof block.alt_text !== 'string') this.fail(`${pointer}/alt_text`, 'missing required field');
        break;
      default:
        break;
    }
  }
}

/** Validates a blocks array for a surface; returns Slack-style error messages (empty when valid). */
export function validateBlocks(blocks: unknown, surface: Surface, pointer = '/blocks'): string[] {
  const checker = new Checker();
  if (!Array.isArray(blocks)) {
    checker.fail(pointer, 'must be an array');
    return checker.errors;
  }
  const max = BLOCK_LIMITS[surface];
  if (blocks.length > max) checker.fail(pointer, `no more than ${max} items allowed`);
  const ids = new Set<string>();
  for (const [i, block] of blocks.entries()) checker.block(block, `${pointer}/${i}`, surface, ids);
  return checker.errors;
}

/** Validates a modal or Home tab view object. */
export function validateView(view: unknown, expected: 'modal' | 'home' | 'any'): string[] {
  const checker = new Checker();
  if (!checker.object(view, '/view')) return checker.errors;
  const type = view.type;
  if (type !== 'modal' && type !== 'home') {
    checker.fail('/view/type', 'must be one of modal, home');
    return checker.errors;
  }
  if (expected !== 'any' && type !== expected) checker.fail('/view/type', `must be ${expected}`);
  if (type === 'modal') {
    checker.text(view.title, '/view/title', VIEW_TITLE_LIMIT, true);
    if (view.submit !== undefined) checker.text(view.submit, '/view/submit', VIEW_TITLE_LIMIT, true);
    if (view.close !== undefined) checker.text(view.close, '/view/close', VIEW_TITLE_LIMIT, true);
    const hasInput = Array.isArray(view.blocks) && view.blocks.some((b) => (b as Obj)?.type === 'input');
    if (hasInput && view.submit === undefined)
      checker.fail('/view/submit', 'must provide submit when the view contains input blocks');
  }
  checker.maxLength(view.private_metadata, 3000, '/view/private_metadata');
  checker.maxLength(view.callback_id, 255, '/view/callback_id');
  checker.maxLength(view.external_id, 255, '/view/external_id');
  const blockErrors = validateBlocks(view.blocks, type, '/view/blocks');
  return [...checker.errors, ...blockErrors];
}
