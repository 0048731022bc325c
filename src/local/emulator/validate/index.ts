/**
 * The emulator's Block Kit validator as Slack answers it: `{ ok: false, error, response_metadata:
 * { messages: ['[ERROR] … [json-pointer:/blocks/0/…]'] } }`. chat.* methods answer `invalid_blocks`,
 * views.* answer `invalid_arguments` (both shapes as Slack's Web API returns them).
 */
import { type Surface, validateBlocks, validateView as viewProblems } from './block-kit.js';

export type { Surface } from './block-kit.js';
export { BLOCK_LIMITS, MESSAGE_TEXT_LIMIT, VIEW_TITLE_LIMIT, validateBlocks } from './block-kit.js';

export type SlackValidation =
  | { ok: true }
  | { ok: false; error: 'invalid_blocks' | 'invalid_arguments'; response_metadata: { messages: string[] } };

function answer(messages: string[], error: 'invalid_blocks' | 'invalid_arguments'): SlackValidation {
  return messages.length ? { ok: false, error, response_metadata: { messages } } : { ok: true };
}

/** Blocks of chat.postMessage / postEphemeral / update, as Slack checks them. */
export function validateMessageBlocks(blocks: unknown): SlackValidation {
  return answer(validateBlocks(blocks, 'message'), 'invalid_blocks');
}

/** A view of views.open / push / update / publish; `expected` narrows to modal or home. */
export function validateView(view: unknown, expected: 'modal' | 'home' | 'any' = 'any'): SlackValidation {
  return answer(viewProblems(view, expected), 'invalid_arguments');
}

/** Blocks for a given surface, for builders that produce bare block lists for modals or Home. */
export function validateSurfaceBlocks(blocks: unknown, surface: Surface): SlackValidation {
  return answer(
    validateBlocks(blocks, surface),
    surface === 'message' ? 'invalid_blocks' : 'invalid_arguments',
  );
}
