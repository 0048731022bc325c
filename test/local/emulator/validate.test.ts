import { describe, expect, it } from 'vitest';
import {
  LIMITS,
  validateMessageBlocks,
  validateSurfaceBlocks,
  validateView,
} from '../../../src/local/emulator/validate/index.js';

/** The emulator's Block Kit validator: each documented limit passes at the limit and fails just over it. */

const plain = (text: string) => ({ type: 'plain_text', text });
const mrkdwn = (text: string) => ({ type: 'mrkdwn', text });
const s = (n: number, ch = 'x') => ch.repeat(n);
const option = (value: string, extra: Record<string, unknown> = {}) => ({
  text: plain(value),
  value,
  ...extra,
});
const options = (n: number) => Array.from({ length: n }, (_, i) => option(`o${i}`));
const actions = (...elements: unknown[]) => ({ type: 'actions', elements });
const section = (accessory: unknown) => ({ type: 'section', text: mrkdwn('s'), accessory });
const input = (element: unknown) => ({ type: 'input', label: plain('l'), element });
const button = (extra: Record<string, unknown> = {}) => ({
  type: 'button',
  text: plain('b'),
  action_id: 'b',
  ...extra,
});
const confirm = (over: Record<string, unknown> = {}) => ({
  title: plain('Sure?'),
  text: plain('Really.'),
  confirm: plain('Yes'),
  deny: plain('No'),
  ...over,
});
const modal = (over: Record<string, unknown> = {}) => ({
  type: 'modal',
  title: plain('t'),
  blocks: [],
  ...over,
});
const checkboxes = (opts: unknown[], extra: Record<string, unknown> = {}) => ({
  type: 'checkboxes',
  action_id: 'c',
  options: opts,
  ...extra,
});
const staticSelect = (extra: Record<string, unknown>) => ({
  type: 'static_select',
  action_id: 'sel',
  ...extra,
});

type Case = {
  name: string;
  /** Builds a message (blocks array) or, with `view`, a view, around a size `n`. */
  build: (n: number) => unknown;
  limit: number;
  pointer: string;
  view?: boolean;
};

const message = (build: (n: number) => unknown) => (n: number) => [build(n)];

const CASES: Case[] = [
  // composition objects
  {
    name: 'option description 75 (checkboxes)',
    build: message((n) => actions(checkboxes([option('a', { description: mrkdwn(s(n)) })]))),
    limit: 75,
    pointer: '/blocks/0/elements/0/options/0/description/text',
  },
  {
    name: 'option description 75 (static select)',
    build: message((n) => actions(staticSelect({ options: [option('a', { description: plain(s(n)) })] }))),
    limit: 75,
    pointer: '/blocks/0/elements/0/options/0/description/text',
  },
  {
    name: 'option text 75',
    build: message((n) => actions(staticSelect({ options: [{ text: plain(s(n)), value: 'v' }] }))),
    limit: LIMITS.optionText,
    pointer: '/blocks/0/elements/0/options/0/text/text',
  },
  {
    name: 'option value 150',
    build: message((n) => actions(staticSelect({ options: [{ text: plain('t'), value: s(n) }] }))),
    limit: LIMITS.optionValue,
    pointer: '/blocks/0/elements/0/options/0/value',
  },
  {
    name: 'option group label 75',
    build: message((n) =>
      actions(staticSelect({ option_groups: [{ label: plain(s(n)), options: options(1) }] })),
    ),
    limit: 75,
    pointer: '/blocks/0/elements/0/option_groups/0/label/text',
  },
  {
    name: 'confirm title 100',
    build: message((n) => actions(button({ confirm: confirm({ title: plain(s(n)) }) }))),
    limit: 100,
    pointer: '/blocks/0/elements/0/confirm/title/text',
  },
  {
    name: 'confirm text 300',
    build: message((n) => actions(button({ confirm: confirm({ text: mrkdwn(s(n)) }) }))),
    limit: 300,
    pointer: '/blocks/0/elements/0/confirm/text/text',
  },
  {
    name: 'confirm button 30',
    build: message((n) => actions(button({ confirm: confirm({ confirm: plain(s(n)) }) }))),
    limit: 30,
    pointer: '/blocks/0/elements/0/confirm/confirm/text',
  },
  {
    name: 'deny button 30',
    build: message((n) => actions(button({ confirm: confirm({ deny: plain(s(n)) }) }))),
    limit: 30,
    pointer: '/blocks/0/elements/0/confirm/deny/text',
  },
  {
    name: 'placeholder 150',
    build: message((n) => actions(staticSelect({ options: options(1), placeholder: plain(s(n)) }))),
    limit: 150,
    pointer: '/blocks/0/elements/0/placeholder/text',
  },
  // option counts
  {
    name: 'overflow options 5',
    build: message((n) => actions({ type: 'overflow', action_id: 'o', options: options(n) })),
    limit: 5,
    pointer: '/blocks/0/elements/0/options',
  },
  {
    name: 'static select options 100',
    build: message((n) => actions(staticSelect({ options: options(n) }))),
    limit: 100,
    pointer: '/blocks/0/elements/0/options',
  },
  {
    name: 'checkbox options 10',
    build: message((n) => actions(checkboxes(options(n)))),
    limit: 10,
    pointer: '/blocks/0/elements/0/options',
  },
  {
    name: 'radio options 10',
    build: message((n) => actions({ type: 'radio_buttons', action_id: 'r', options: options(n) })),
    limit: 10,
    pointer: '/blocks/0/elements/0/options',
  },
  // ids
  {
    name: 'action_id 255',
    build: message((n) => actions(button({ action_id: s(n) }))),
    limit: 255,
    pointer: '/blocks/0/elements/0/action_id',
  },
  {
    name: 'block_id 255',
    build: message((n) => ({ type: 'divider', block_id: s(n) })),
    limit: 255,
    pointer: '/blocks/0/block_id',
  },
  // blocks
  {
    name: 'header text 150',
    build: message((n) => ({ type: 'header', text: plain(s(n)) })),
    limit: 150,
    pointer: '/blocks/0/text/text',
  },
  {
    name: 'section text 3000',
    build: message((n) => ({ type: 'section', text: mrkdwn(s(n)) })),
    limit: 3000,
    pointer: '/blocks/0/text/text',
  },
  {
    name: 'section fields 10',
    build: message((n) => ({ type: 'section', fields: Array.from({ length: n }, () => mrkdwn('f')) })),
    limit: 10,
    pointer: '/blocks/0/fields',
  },
  {
    name: 'section field text 2000',
    build: message((n) => ({ type: 'section', fields: [mrkdwn(s(n))] })),
    limit: 2000,
    pointer: '/blocks/0/fields/0/text',
  },
  {
    name: 'context elements 10',
    build: message((n) => ({ type: 'context', elements: Array.from({ length: n }, () => mrkdwn('c')) })),
    limit: 10,
    pointer: '/blocks/0/elements',
  },
  {
    name: 'actions elements 25',
    build: message((n) => actions(...Array.from({ length: n }, (_, i) => button({ action_id: `b${i}` })))),
    limit: 25,
    pointer: '/blocks/0/elements',
  },
  {
    name: 'button text 75',
    build: message((n) => actions(button({ text: plain(s(n)) }))),
    limit: 75,
    pointer: '/blocks/0/elements/0/text/text',
  },
  {
    name: 'button value 2000',
    build: message((n) => actions(button({ value: s(n) }))),
    limit: 2000,
    pointer: '/blocks/0/elements/0/value',
  },
  {
    name: 'button url 3000',
    build: message((n) => actions(button({ url: `https://e.x/${s(n - 12)}` }))),
    limit: 3000,
    pointer: '/blocks/0/elements/0/url',
  },
  {
    name: 'input label 2000',
    build: (n) =>
      modal({
        submit: plain('Go'),
        blocks: [{ ...input({ type: 'plain_text_input', action_id: 'i' }), label: plain(s(n)) }],
      }),
    limit: 2000,
    pointer: '/view/blocks/0/label/text',
    view: true,
  },
  {
    name: 'plain_text_input max_length 3000',
    build: (n) =>
      modal({
        submit: plain('Go'),
        blocks: [input({ type: 'plain_text_input', action_id: 'i', max_length: n })],
      }),
    limit: 3000,
    pointer: '/view/blocks/0/element/max_length',
    view: true,
  },
  {
    name: '50 blocks per message',
    build: (n) => Array.from({ length: n }, () => ({ type: 'divider' })),
    limit: 50,
    pointer: '/blocks',
  },
  // views
  {
    name: 'modal title 24',
    build: (n) => modal({ title: plain(s(n)) }),
    limit: 24,
    pointer: '/view/title/text',
    view: true,
  },
  {
    name: 'modal submit 24',
    build: (n) => modal({ submit: plain(s(n)) }),
    limit: 24,
    pointer: '/view/submit/text',
    view: true,
  },
  {
    name: 'modal close 24',
    build: (n) => modal({ close: plain(s(n)) }),
    limit: 24,
    pointer: '/view/close/text',
    view: true,
  },
  {
    name: 'private_metadata 3000',
    build: (n) => modal({ private_metadata: s(n) }),
    limit: 3000,
    pointer: '/view/private_metadata',
    view: true,
  },
  {
    name: 'callback_id 255',
    build: (n) => modal({ callback_id: s(n) }),
    limit: 255,
    pointer: '/view/callback_id',
    view: true,
  },
  {
    name: '100 blocks per view',
    build: (n) => modal({ blocks: Array.from({ length: n }, () => ({ type: 'divider' })) }),
    limit: 100,
    pointer: '/view/blocks',
    view: true,
  },
];

const validate = (c: Case, n: number) =>
  c.view ? validateView(c.build(n)) : validateMessageBlocks(c.build(n));

describe('Block Kit validator limits (pass at the limit, refuse one over)', () => {
  it.each(CASES)('$name', (c) => {
    expect(validate(c, c.limit)).toEqual({ ok: true });
    const over = validate(c, c.limit + 1);
    expect(over).toMatchObject({ ok: false, error: c.view ? 'invalid_arguments' : 'invalid_blocks' });
    const messages = over.ok ? [] : over.response_metadata.messages;
    expect(
      messages.some((m) => m.startsWith('[ERROR] ') && m.endsWith(`[json-pointer:${c.pointer}]`)),
      messages.join('\n'),
    ).toBe(true);
  });
});

const problems = (blocks: unknown[]) => {
  const result = validateMessageBlocks(blocks);
  return result.ok ? [] : result.response_metadata.messages;
};

describe('Block Kit validator rules', () => {
  it('refuses a 76-character option description with Slack’s error and pointer', () => {
    const result = validateMessageBlocks([
      actions(checkboxes([option('a', { description: mrkdwn(s(76)) })])),
    ]);
    expect(result).toEqual({
      ok: false,
      error: 'invalid_blocks',
      response_metadata: {
        messages: [
          '[ERROR] must be less than 76 characters [json-pointer:/blocks/0/elements/0/options/0/description/text]',
        ],
      },
    });
  });

  it('refuses a confirmation dialog over its limits, one error per field', () => {
    const result = validateMessageBlocks([
      actions(
        button({
          confirm: { title: plain(s(101)), text: plain(s(301)), confirm: plain(s(31)), deny: plain(s(31)) },
        }),
      ),
    ]);
    const at = '/blocks/0/elements/0/confirm';
    expect(result).toEqual({
      ok: false,
      error: 'invalid_blocks',
      response_metadata: {
        messages: [
          `[ERROR] must be less than 101 characters [json-pointer:${at}/title/text]`,
          `[ERROR] must be less than 301 characters [json-pointer:${at}/text/text]`,
          `[ERROR] must be less than 31 characters [json-pointer:${at}/confirm/text]`,
          `[ERROR] must be less than 31 characters [json-pointer:${at}/deny/text]`,
        ],
      },
    });
  });

  it('requires every field of a confirmation dialog', () => {
    expect(problems([actions(button({ confirm: { text: plain('t') } }))])).toEqual([
      '[ERROR] missing required field [json-pointer:/blocks/0/elements/0/confirm/title]',
      '[ERROR] missing required field [json-pointer:/blocks/0/elements/0/confirm/confirm]',
      '[ERROR] missing required field [json-pointer:/blocks/0/elements/0/confirm/deny]',
    ]);
  });

  it('takes mrkdwn option text and descriptions only in checkboxes and radio buttons', () => {
    expect(
      problems([actions(checkboxes([{ text: mrkdwn('*a*'), value: 'a', description: mrkdwn('_d_') }]))]),
    ).toEqual([]);
    expect(
      problems([
        actions(staticSelect({ options: [{ text: mrkdwn('a'), value: 'a', description: mrkdwn('d') }] })),
      ]),
    ).toEqual([
      '[ERROR] must be a plain_text object [json-pointer:/blocks/0/elements/0/options/0/text/type]',
      '[ERROR] must be a plain_text object [json-pointer:/blocks/0/elements/0/options/0/description/type]',
    ]);
    expect(problems([{ type: 'header', text: mrkdwn('h') }])).toEqual([
      '[ERROR] must be a plain_text object [json-pointer:/blocks/0/text/type]',
    ]);
  });

  it('keeps option urls to overflow menus', () => {
    const overflow = {
      type: 'overflow',
      action_id: 'o',
      options: [{ text: plain('Docs'), url: 'https://e.x' }],
    };
    expect(problems([actions(overflow)])).toEqual([]);
    expect(problems([actions(staticSelect({ options: [option('a', { url: 'https://e.x' })] }))])).toEqual([
      '[ERROR] url is only available in overflow menus [json-pointer:/blocks/0/elements/0/options/0/url]',
    ]);
  });

  it('requires initial options to match the element’s options', () => {
    expect(problems([actions(checkboxes(options(3), { initial_options: [option('o1')] }))])).toEqual([]);
    expect(problems([actions(checkboxes(options(3), { initial_options: [option('o9')] }))])).toEqual([
      '[ERROR] must exactly match one of the provided options [json-pointer:/blocks/0/elements/0/initial_options/0]',
    ]);
    expect(
      problems([
        actions({ type: 'radio_buttons', action_id: 'r', options: options(2), initial_option: option('zz') }),
      ]),
    ).toEqual([
      '[ERROR] must exactly match one of the provided options [json-pointer:/blocks/0/elements/0/initial_option]',
    ]);
    const grouped = staticSelect({
      option_groups: [{ label: plain('g'), options: options(2) }],
      initial_option: option('o1'),
    });
    expect(problems([actions(grouped)])).toEqual([]);
    expect(problems([actions(staticSelect({ options: options(1), option_groups: [] }))])).toEqual([
      '[ERROR] must provide exactly one of options, option_groups [json-pointer:/blocks/0/elements/0]',
    ]);
  });

  it('checks date, time and datetime pickers', () => {
    const picker = (el: Record<string, unknown>) => problems([actions({ action_id: 'p', ...el })]);
    expect(picker({ type: 'datepicker', initial_date: '2026-02-28' })).toEqual([]);
    expect(picker({ type: 'datepicker', initial_date: '2026-02-30' })).toEqual([
      '[ERROR] must be a valid date in the format YYYY-MM-DD [json-pointer:/blocks/0/elements/0/initial_date]',
    ]);
    expect(picker({ type: 'timepicker', initial_time: '23:59', timezone: 'Europe/Berlin' })).toEqual([]);
    expect(picker({ type: 'timepicker', initial_time: '24:00', timezone: 'Mars/Olympus' })).toEqual([
      '[ERROR] must be a valid time in the format HH:mm [json-pointer:/blocks/0/elements/0/initial_time]',
      '[ERROR] must be a valid IANA time zone [json-pointer:/blocks/0/elements/0/timezone]',
    ]);
    expect(picker({ type: 'datetimepicker', initial_date_time: 1_780_000_000 })).toEqual([]);
    expect(picker({ type: 'datetimepicker', initial_date_time: 1_780_000_000_000 })).toEqual([
      '[ERROR] must be a UNIX timestamp in seconds (10 digits) [json-pointer:/blocks/0/elements/0/initial_date_time]',
    ]);
    expect(picker({ type: 'datetimepicker', placeholder: plain('When?') })).toEqual([
      '[ERROR] placeholder is not supported [json-pointer:/blocks/0/elements/0/placeholder]',
    ]);
  });

  it('checks rich text elements', () => {
    const rich = (elements: unknown[]) => problems([{ type: 'rich_text', elements }]);
    const ok = [
      {
        type: 'rich_text_section',
        elements: [
          { type: 'text', text: 'hi ', style: { bold: true } },
          { type: 'user', user_id: 'U0123456789' },
          { type: 'date', timestamp: 1_780_000_000, format: '{date_short}', fallback: 'soon' },
        ],
      },
      {
        type: 'rich_text_list',
        style: 'bullet',
        elements: [{ type: 'rich_text_section', elements: [{ type: 'text', text: 'a' }] }],
      },
    ];
    expect(rich(ok)).toEqual([]);
    expect(
      rich([
        {
          type: 'rich_text_section',
          elements: [{ type: 'user' }, { type: 'text', text: 'x', style: { shout: true } }],
        },
        { type: 'rich_text_list', elements: [{ type: 'text', text: 'a' }] },
        { type: 'rich_text_preformatted', elements: [{ type: 'emoji', name: 'fire' }] },
      ]),
    ).toEqual([
      '[ERROR] missing required field [json-pointer:/blocks/0/elements/0/elements/0/user_id]',
      '[ERROR] unsupported style [json-pointer:/blocks/0/elements/0/elements/1/style/shout]',
      '[ERROR] missing required field [json-pointer:/blocks/0/elements/1/style]',
      '[ERROR] must be rich_text_section [json-pointer:/blocks/0/elements/1/elements/0/type]',
      '[ERROR] unsupported type: emoji [json-pointer:/blocks/0/elements/2/elements/0/type]',
    ]);
  });

  it('refuses duplicate block_ids and duplicate action_ids within a block', () => {
    expect(
      problems([
        { type: 'divider', block_id: 'same' },
        actions(button({ action_id: 'a' }), button({ action_id: 'a' })),
        { type: 'divider', block_id: 'same' },
      ]),
    ).toEqual([
      '[ERROR] duplicate action_id [json-pointer:/blocks/1/elements/1/action_id]',
      '[ERROR] duplicate block_id [json-pointer:/blocks/2/block_id]',
    ]);
    // the same action_id in two different blocks is allowed
    expect(problems([actions(button()), actions(button())])).toEqual([]);
  });

  it('accepts only the elements each place takes', () => {
    expect(problems([actions({ type: 'plain_text_input', action_id: 'i' })])).toEqual([
      '[ERROR] unsupported type: plain_text_input [json-pointer:/blocks/0/elements/0/type]',
    ]);
    expect(problems([section({ type: 'datetimepicker', action_id: 'd' })])).toEqual([
      '[ERROR] unsupported type: datetimepicker [json-pointer:/blocks/0/accessory/type]',
    ]);
    expect(problems([input({ type: 'button', text: plain('b') })])).toEqual([
      '[ERROR] unsupported type: button [json-pointer:/blocks/0/element/type]',
    ]);
    expect(validateSurfaceBlocks([input({ type: 'file_input', action_id: 'f' })], 'modal')).toEqual({
      ok: true,
    });
    expect(problems([input({ type: 'file_input', action_id: 'f' })])).toEqual([
      '[ERROR] file_input is only available in modals [json-pointer:/blocks/0/element/type]',
    ]);
  });

  it('allows focus_on_load on one element per surface', () => {
    const focused = { type: 'plain_text_input', action_id: 'i', focus_on_load: true };
    const view = modal({ submit: plain('Go'), blocks: [input(focused), input(focused)] });
    expect(validateView(view)).toEqual({
      ok: false,
      error: 'invalid_arguments',
      response_metadata: {
        messages: [
          '[ERROR] only one element may set focus_on_load [json-pointer:/view/blocks/1/element/focus_on_load]',
        ],
      },
    });
  });

  it('requires submit on a modal with inputs, and emoji only on plain_text', () => {
    expect(
      validateView(modal({ blocks: [input({ type: 'plain_text_input', action_id: 'i' })] })),
    ).toMatchObject({
      response_metadata: {
        messages: [
          '[ERROR] must provide submit when the view contains input blocks [json-pointer:/view/submit]',
        ],
      },
    });
    expect(problems([{ type: 'section', text: { type: 'mrkdwn', text: 'x', emoji: true } }])).toEqual([
      '[ERROR] emoji is only usable with plain_text [json-pointer:/blocks/0/text/emoji]',
    ]);
  });
});
