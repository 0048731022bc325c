// @ts-check
// What every interactive element shares: its slot in the view state, and how a use of it is reported.
/** @typedef {import('./types.js').Element} Element */
/** @typedef {import('./types.js').Json} Json */
/** @typedef {import('./types.js').RenderContext} RenderContext */
/** @typedef {import('./types.js').ActionDetail} ActionDetail */

/**
 * @param {Element} element
 * @param {string} blockId
 * @param {RenderContext} ctx
 * @param {boolean} inInput  in an input block: edits view state, sends an action only with dispatch_action
 */
export function elementState(element, blockId, ctx, inInput) {
  const actionId = element.action_id ?? '';
  /** @type {Json | undefined} */
  const state = ctx.values?.[blockId]?.[actionId];
  /** @param {Json} value */
  const setState = (value) => {
    if (!ctx.values) return;
    ctx.values[blockId] ??= {};
    ctx.values[blockId][actionId] = { type: element.type, ...value };
  };
  // inputs only send actions when asked to (dispatch_action); everything else always does
  /** @param {Omit<ActionDetail, 'block_id' | 'action_id' | 'element'>} detail */
  const act = (detail) => {
    if (inInput && !element._dispatch) return;
    ctx.onAction?.({ block_id: blockId, action_id: actionId, element, ...detail });
  };
  return { actionId, state, setState, act };
}

/** @param {Element} element @returns {Json[]} */
export function allOptions(element) {
  return [
    ...(element.options ?? []),
    ...(element.option_groups ?? []).flatMap((/** @type {Json} */ g) => g.options ?? []),
  ];
}
