// @ts-check
// Block Kit blocks as Slack draws them, on messages, modals and the Home tab. Elements are drawn by
// render-elements.js (buttons, menus, choices) and render-inputs.js (text, date and time pickers).
import { escapeHtml, h } from './render-dom.js';
import { renderElement } from './render-elements.js';
import { mrkdwn, plain } from './render-mrkdwn.js';
import { richText } from './render-rich-text.js';

/** @typedef {import('./types.js').Block} Block */
/** @typedef {import('./types.js').Json} Json */
/** @typedef {import('./types.js').RenderContext} RenderContext */

/**
 * A text object: mrkdwn or plain_text.
 * @param {Json | undefined} obj
 * @param {RenderContext} ctx
 * @param {string} [className]
 */
export function textObject(obj, ctx, className) {
  if (!obj) return null;
  const isPlain = obj.type === 'plain_text';
  return h('div', {
    class: `${className ?? ''} ${isPlain ? 'plain' : 'mrkdwn'}`,
    html: mrkdwn(obj.text, ctx, { plain: isPlain }),
  });
}

/**
 * Renders blocks. `ctx`: users/channels/usergroups (Maps), the viewer's time zone, surface
 * ('message'|'modal'|'home'), values (view state, block_id → action_id → state), errors
 * (block_id → message), and onAction(detail) called when a person uses an interactive element.
 * @param {Block[] | undefined} blocks
 * @param {RenderContext} ctx
 */
export function renderBlocks(blocks, ctx) {
  const root = h('div', { class: `blocks surface-${ctx.surface}` });
  (blocks ?? []).forEach((block, index) => {
    const blockId = block.block_id ?? `block_${index}`;
    const el = renderBlock(block, blockId, ctx);
    if (el) {
      el.dataset.blockId = blockId;
      root.append(el);
    }
  });
  return root;
}

/**
 * @param {Block} block
 * @param {string} blockId
 * @param {RenderContext} ctx
 * @returns {HTMLElement}
 */
function renderBlock(block, blockId, ctx) {
  switch (block.type) {
    case 'header':
      return h('div', { class: 'bk-header', role: 'heading', 'aria-level': '3' }, plain(block.text));
    case 'divider':
      return h('hr', { class: 'bk-divider' });
    case 'section': {
      const body = h('div', { class: 'bk-section-body' });
      if (block.text) body.append(textObject(block.text, ctx, 'bk-text') ?? '');
      if (block.fields?.length)
        body.append(
          h(
            'div',
            { class: 'bk-fields' },
            block.fields.map((/** @type {Json} */ f) => textObject(f, ctx, 'bk-field')),
          ),
        );
      const section = h('div', { class: 'bk-section' }, body);
      if (block.accessory)
        section.append(
          h('div', { class: 'bk-accessory' }, renderElement(block.accessory, blockId, ctx, false)),
        );
      return section;
    }
    case 'context':
      return h(
        'div',
        { class: 'bk-context' },
        (block.elements ?? []).map((/** @type {Json} */ el) =>
          el.type === 'image'
            ? h('img', { src: el.image_url, alt: el.alt_text ?? '', class: 'bk-context-image' })
            : textObject(el, ctx, 'bk-context-text'),
        ),
      );
    case 'actions':
      return h(
        'div',
        { class: 'bk-actions' },
        (block.elements ?? []).map((/** @type {import('./types.js').Element} */ el) =>
          renderElement(el, blockId, ctx, false),
        ),
      );
    case 'input':
      return inputBlock(block, blockId, ctx);
    case 'image':
      return h(
        'figure',
        { class: 'bk-image' },
        block.title ? h('figcaption', {}, plain(block.title)) : null,
        h('img', { src: block.image_url, alt: block.alt_text ?? '' }),
      );
    case 'markdown':
      return h('div', { class: 'bk-text mrkdwn', html: mrkdwn(block.text, ctx) });
    case 'rich_text':
      return h('div', { class: 'bk-text bk-rich-text', html: richText(block, ctx) });
    case 'video':
      return h(
        'figure',
        { class: 'bk-video' },
        h(
          'a',
          { href: block.title_url ?? block.video_url, target: '_blank', rel: 'noopener' },
          h('img', { src: block.thumbnail_url, alt: block.alt_text ?? '' }),
          h('figcaption', {}, `▶ ${plain(block.title)}`),
        ),
        block.description ? h('div', { class: 'bk-hint' }, plain(block.description)) : null,
      );
    case 'file':
      return h(
        'div',
        { class: 'file-card bk-file' },
        h('span', { class: 'file-icon' }, '📄'),
        h('span', {}, `Remote file ${block.external_id ?? ''}`),
      );
    default:
      return h('div', { class: 'bk-unknown', html: escapeHtml(`[${block.type} block]`) });
  }
}

/**
 * @param {Block} block
 * @param {string} blockId
 * @param {RenderContext} ctx
 */
function inputBlock(block, blockId, ctx) {
  const error = ctx.errors?.[blockId];
  const id = `in-${blockId}`;
  return h(
    'div',
    { class: `bk-input${error ? ' has-error' : ''}` },
    h(
      'label',
      { class: 'bk-label', for: id },
      plain(block.label),
      block.optional ? h('span', { class: 'bk-optional' }, ' (optional)') : null,
    ),
    renderElement({ ...block.element, _inputId: id, _dispatch: block.dispatch_action }, blockId, ctx, true),
    block.hint ? h('div', { class: 'bk-hint' }, plain(block.hint)) : null,
    error ? h('div', { class: 'bk-error', role: 'alert' }, error) : null,
  );
}
