/** The emulator's Slack Web API: see api.ts for the dispatcher, methods/ for each method family. */
export { channelNameError, WebApi } from './api.js';
export { type MethodHandler, Params, SlackApiError, type Trigger, type WebApiHooks } from './params.js';
export { acceptedScopes } from './scopes.js';
export { channelType } from './shapes.js';
export { initialValues, newViewHash } from './view-state.js';
