/**
 * Blocks (docs reference/block-kit/blocks/*; types blocks.d.ts): the fields and limits of each
 * block type and of a blocks array on a surface.
 */
import { Checker, type Obj } from './checker.js';
import { checkElement, checkImageElement, type Surface } from './elements.js';
import { LIMITS } from './limits.js';
import { checkRichText } from './rich-text.js';

export type { Surface } from './elements.js';

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

function section(c: Checker, block: Obj, p: string, surface: Surface): void {
  if (block.text === undefined && block.fields === undefined) c.fail(p, 'must provide either text or fields');
  c.text(block.text, `${p}/text`, LIMITS.sectionText, 'any', false);
  if (block.fields !== undefined && c.array(block.fields, `${p}/fields`, LIMITS.sectionFields, 1))
    for (const [i, field] of block.fields.entries())
      c.text(field, `${p}/fields/${i}`, LIMITS.sectionField, 'any');
  if (block.accessory !== undefined)
    checkElement(c, block.accessory, `${p}/accessory`, 'accessory', surface, new Set());
  c.boolean(block.expand, `${p}/expand`);
}

function context(c: Checker, block: Obj, p: string): void {
  if (!c.array(block.elements, `${p}/elements`, LIMITS.contextElements, 1)) return;
  block.elements.forEach((el, i) => {
    const ep = `${p}/elements/${i}`;
    if (!c.object(el, ep)) return;
    // types ContextBlock.elements: image elements and text objects only
    if (el.type === 'image') checkImageElement(c, el, ep);
    else c.text(el, ep, LIMITS.sectionText, 'any');
  });
}

function block(c: Checker, b: unknown, p: string, surface: Surface, blockIds: Set<string>): void {
  if (!c.object(b, p)) return;
  const type = String(b.type);
  if (!BLOCK_TYPES.has(type)) {
    c.fail(`${p}/type`, `unsupported type: ${type}`);
    return;
  }
  if (b.block_id !== undefined) {
    c.string(b.block_id, `${p}/block_id`, LIMITS.blockId, true);
    if (typeof b.block_id === 'string') {
      // types Block.block_id: unique within a message or view
      if (blockIds.has(b.block_id)) c.fail(`${p}/block_id`, 'duplicate block_id');
      blockIds.add(b.block_id);
    }
  }
  switch (type) {
    case 'section':
      section(c, b, p, surface);
      break;
    case 'header':
      c.text(b.text, `${p}/text`, LIMITS.headerText, 'plain_text');
      break;
    case 'context':
      context(c, b, p);
      break;
    case 'actions': {
      if (!c.array(b.elements, `${p}/elements`, LIMITS.actionsElements, 1)) break;
      const ids = new Set<string>();
      for (const [i, el] of b.elements.entries())
        checkElement(c, el, `${p}/elements/${i}`, 'actions', surface, ids);
      break;
    }
    case 'input':
      c.text(b.label, `${p}/label`, LIMITS.inputLabel, 'plain_text');
      c.text(b.hint, `${p}/hint`, LIMITS.inputHint, 'plain_text', false);
      c.boolean(b.optional, `${p}/optional`);
      c.boolean(b.dispatch_action, `${p}/dispatch_action`);
      if (b.element === undefined) c.fail(`${p}/element`, 'missing required field');
      else checkElement(c, b.element, `${p}/element`, 'input', surface, new Set());
      break;
    case 'image':
      checkImageElement(c, b, p);
      c.text(b.title, `${p}/title`, LIMITS.imageTitle, 'plain_text', false);
      break;
    case 'rich_text':
      checkRichText(c, b, p);
      break;
    case 'markdown':
      c.string(b.text, `${p}/text`, LIMITS.markdownText, true);
      break;
    default:
      break;
  }
}

/** Problems of a blocks array on a surface, in Slack's message format (empty when valid). */
export function blockProblems(
  blocks: unknown,
  surface: Surface,
  pointer = '/blocks',
  checker = new Checker(),
): string[] {
  const max = surface === 'message' ? LIMITS.messageBlocks : LIMITS.viewBlocks;
  if (!checker.array(blocks, pointer, max)) return checker.errors;
  const ids = new Set<string>();
  for (const [i, b] of blocks.entries()) block(checker, b, `${pointer}/${i}`, surface, ids);
  // docs markdown-block: "The cumulative limit for all markdown blocks in a single payload is 12,000 characters"
  const markdown = blocks.reduce<number>(
    (n, b) => n + ((b as Obj)?.type === 'markdown' ? String((b as Obj).text ?? '').length : 0),
    0,
  );
  if (markdown > LIMITS.markdownText)
    checker.fail(pointer, `markdown blocks must total less than ${LIMITS.markdownText + 1} characters`);
  return checker.errors;
}
