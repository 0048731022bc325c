/**
 * Rich text (docs reference/block-kit/blocks/rich-text-block; types block-elements.d.ts RichText*):
 * a rich_text block holds sections, lists, quotes and preformatted runs; each of those holds
 * inline elements of the kinds listed below, with their required fields.
 */
import type { Checker, Obj } from './checker.js';

const CONTAINERS = ['rich_text_section', 'rich_text_list', 'rich_text_quote', 'rich_text_preformatted'];
/** Inline elements and the field each requires (types RichTextText, RichTextLink, …). */
const INLINE_REQUIRED: Record<string, { field: string; kind: 'string' | 'number' }> = {
  text: { field: 'text', kind: 'string' },
  link: { field: 'url', kind: 'string' },
  emoji: { field: 'name', kind: 'string' },
  user: { field: 'user_id', kind: 'string' },
  channel: { field: 'channel_id', kind: 'string' },
  usergroup: { field: 'usergroup_id', kind: 'string' },
  team: { field: 'team_id', kind: 'string' },
  broadcast: { field: 'range', kind: 'string' },
  date: { field: 'timestamp', kind: 'number' },
  color: { field: 'value', kind: 'string' },
};
/** types RichTextPreformatted.elements: only text and link. */
const PREFORMATTED_INLINE = new Set(['text', 'link']);
const STYLE_KEYS = new Set([
  'bold',
  'italic',
  'strike',
  'code',
  'underline',
  'highlight',
  'client_highlight',
  'unlink',
]);

function inline(c: Checker, el: unknown, pointer: string, allowed?: Set<string>): void {
  if (!c.object(el, pointer)) return;
  const type = String(el.type);
  const rule = INLINE_REQUIRED[type];
  if (!rule || (allowed && !allowed.has(type))) {
    c.fail(`${pointer}/type`, `unsupported type: ${type}`);
    return;
  }
  const value = el[rule.field];
  if (rule.kind === 'number' ? !Number.isInteger(value) : typeof value !== 'string' || value === '')
    c.fail(`${pointer}/${rule.field}`, 'missing required field');
  if (type === 'broadcast') c.oneOf(el.range, ['here', 'channel', 'everyone'], `${pointer}/range`);
  if (type === 'date' && typeof el.format !== 'string') c.fail(`${pointer}/format`, 'missing required field');
  if (el.style !== undefined && c.object(el.style, `${pointer}/style`))
    for (const [key, flag] of Object.entries(el.style as Obj)) {
      if (!STYLE_KEYS.has(key)) c.fail(`${pointer}/style/${key}`, 'unsupported style');
      else c.boolean(flag, `${pointer}/style/${key}`);
    }
}

function container(c: Checker, el: unknown, pointer: string, depth: number): void {
  if (!c.object(el, pointer)) return;
  const type = String(el.type);
  if (!CONTAINERS.includes(type)) {
    c.fail(`${pointer}/type`, `unsupported type: ${type}`);
    return;
  }
  if (!c.array(el.elements, `${pointer}/elements`, Number.MAX_SAFE_INTEGER)) return;
  const items = el.elements as unknown[];
  if (type === 'rich_text_list') {
    c.oneOf(el.style, ['bullet', 'ordered'], `${pointer}/style`);
    if (el.style === undefined) c.fail(`${pointer}/style`, 'missing required field');
    // types RichTextList.elements: rich_text_section items only
    items.forEach((item, i) => {
      const p = `${pointer}/elements/${i}`;
      if (c.object(item, p) && item.type !== 'rich_text_section')
        c.fail(`${p}/type`, 'must be rich_text_section');
      else if (depth < 4) container(c, item, p, depth + 1);
    });
    return;
  }
  const allowed = type === 'rich_text_preformatted' ? PREFORMATTED_INLINE : undefined;
  for (const [i, item] of items.entries()) inline(c, item, `${pointer}/elements/${i}`, allowed);
}

/** A rich_text block's (or rich_text_input initial_value's) `elements`. */
export function checkRichText(c: Checker, block: Obj, pointer: string): void {
  if (!c.array(block.elements, `${pointer}/elements`, Number.MAX_SAFE_INTEGER, 1)) return;
  for (const [i, el] of (block.elements as unknown[]).entries())
    container(c, el, `${pointer}/elements/${i}`, 0);
}
