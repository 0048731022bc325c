/** Views (docs reference/views/modal-views, app-home; types views.d.ts): a modal or Home tab. */
import { blockProblems } from './blocks.js';
import { Checker } from './checker.js';
import { LIMITS } from './limits.js';

export function viewProblems(view: unknown, expected: 'modal' | 'home' | 'any'): string[] {
  const c = new Checker();
  if (!c.object(view, '/view')) return c.errors;
  const type = view.type;
  if (type !== 'modal' && type !== 'home') {
    c.fail('/view/type', 'must be one of modal, home');
    return c.errors;
  }
  if (expected !== 'any' && type !== expected) c.fail('/view/type', `must be ${expected}`);
  if (type === 'modal') {
    c.text(view.title, '/view/title', LIMITS.viewTitle, 'plain_text');
    c.text(view.submit, '/view/submit', LIMITS.viewButton, 'plain_text', false);
    c.text(view.close, '/view/close', LIMITS.viewButton, 'plain_text', false);
    // types ModalView.submit: required when the view has input blocks
    const hasInput =
      Array.isArray(view.blocks) && view.blocks.some((b) => (b as { type?: unknown })?.type === 'input');
    if (hasInput && view.submit === undefined)
      c.fail('/view/submit', 'must provide submit when the view contains input blocks');
    c.boolean(view.clear_on_close, '/view/clear_on_close');
    c.boolean(view.notify_on_close, '/view/notify_on_close');
    c.boolean(view.submit_disabled, '/view/submit_disabled');
  }
  c.string(view.private_metadata, '/view/private_metadata', LIMITS.privateMetadata);
  c.string(view.callback_id, '/view/callback_id', LIMITS.callbackId);
  c.string(view.external_id, '/view/external_id', LIMITS.externalId);
  return blockProblems(view.blocks, type, '/view/blocks', c);
}
