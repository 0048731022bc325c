/** Socket Mode: the WebSocket server (server.ts), its wire shapes (envelopes.ts), and the link method. */
export { type Envelope, type EnvelopeType, MAX_REDELIVERIES } from './envelopes.js';
export { LINK_PATH, type SocketFrame, SocketModeServer } from './server.js';

/**
 * Who may call apps.connections.open: only the app-level token (`xapp-…`, scope connections:write).
 * Slack answers a bot or user token with `not_allowed_token_type`, and the app token is good for
 * nothing else.
 */
export function appTokenProblem(
  method: string,
  token: string,
  appToken: string,
): 'invalid_auth' | 'not_allowed_token_type' | undefined {
  const isAppToken = token === appToken;
  if (method === 'apps.connections.open') {
    if (isAppToken) return undefined;
    return token.startsWith('xapp-') ? 'invalid_auth' : 'not_allowed_token_type';
  }
  return isAppToken ? 'not_allowed_token_type' : undefined;
}
