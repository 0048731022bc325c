/**
 * The emulator's Block Kit validator as Slack answers it: `{ ok: false, error, response_metadata:
 * { messages: ['[ERROR] … [json-pointer:/blocks/0/…]'] } }`. chat.* methods answer `invalid_blocks`,
 * views.* answer `invalid_arguments` (both shapes as Slack's Web API returns them). Every limit
 * and its source is in limits.ts.
 */
import { blockProblems, type Surface } from './blocks.js';
import { viewProblems } from './view.js';

export type { Surface } from './blocks.js';
export { LIMITS } from './limits.js';
export { blockProblems, viewProblems };

export type SlackValidation =
  | { ok: true }
  | { ok: false; error: 'invalid_blocks' | 'invalid_arguments'; response_metadata: { messages: string[] } };

function answer(messages: string[], error: 'invalid_blocks' | 'invalid_arguments'): SlackValidation {
  return messages.length ? { ok: false, error, response_metadata: { messages } } : { ok: true };
}

/** Blocks of chat.postMessage / postEphemeral / update, as Slack checks them. */
export function validateMessageBlocks(blocks: unknown): SlackValidation {
  return answer(blockProblems(blocks, 'message'), 'invalid_blocks');
}

/** A view of views.open / push / update / publish; `expected` narrows to modal or home. */
export function validateView(view: unknown, expected: 'modal' | 'home' | 'any' = 'any'): SlackValidation {
  return answer(viewProblems(view, expected), 'invalid_arguments');
}

/** A bare block list for a surface (builders that return blocks for a modal or Home tab). */
export function validateSurfaceBlocks(blocks: unknown, surface: Surface): SlackValidation {
  return answer(
    blockProblems(blocks, surface),
    surface === 'message' ? 'invalid_blocks' : 'invalid_arguments',
  );
}
