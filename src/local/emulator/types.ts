/** The emulator's options and the shapes its programmatic API takes and records. */
import type { Logger } from 'pino';
import type { WorkspaceSeed } from '../seed.js';
import type { AppManifest } from './manifest.js';
import type { Json } from './workspace.js';

export interface SlackEmulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  botToken?: string;
  signingSecret?: string;
  /** The workspace to start with (default: the local seed); false for an empty one. */
  seed?: WorkspaceSeed | false;
  /** Keep state in this JSON file across restarts (loaded at start when it exists). */
  persistPath?: string;
  /** The app as installed (commands, shortcuts, events, scopes); default: manifest.yml. */
  manifest?: AppManifest;
  /** Quell's request URL (…/slack/events); can be set later with setRequestUrl. */
  requestUrl?: string;
  /** Refuse methods whose scope the manifest does not grant (missing_scope), as Slack does. */
  enforceScopes?: boolean;
  /** How long the app has to acknowledge (Slack: 3 s). */
  ackTimeoutMs?: number;
  /**
   * How deliveries reach the app: signed HTTP POSTs to `requestUrl` (default), or Socket Mode
   * envelopes over the WebSocket the app opens with apps.connections.open and `appToken`.
   */
  transport?: 'http' | 'socket';
  /** The app-level token (`xapp-…`) apps.connections.open accepts; default: a random one. */
  appToken?: string;
  /** Socket Mode: how often the server pings each connection (Slack: about every 10 s). */
  socketPingIntervalMs?: number;
  logger?: Logger;
}

export interface ApiCall {
  method: string;
  params: Record<string, unknown>;
  at: number;
  status: number;
  ok: boolean;
  error?: string;
}

/** An injected fault; `channel` limits it to calls for that channel (posting is limited per channel). */
export type Fault = (
  | { kind: 'ratelimit'; retryAfter: number }
  | { kind: 'fail'; error: string; status: number }
  /** The call gets no answer for `ms` (a stalled Slack), then is answered normally. */
  | { kind: 'hang'; ms: number }
) & { channel?: string };

/** Where an interaction happened. */
export type Container =
  | { type: 'message'; channel: string; ts: string }
  | { type: 'ephemeral'; id: string }
  | { type: 'view'; viewId: string };

export interface ActionInput {
  user: string;
  container: Container;
  actionId: string;
  blockId?: string;
  /** For selects, overflow, radio: the chosen option's value. */
  selectedValue?: string;
  /** For checkboxes and multi selects. */
  selectedValues?: string[];
  selectedDate?: string;
  /** For timepickers: HH:mm. */
  selectedTime?: string;
  /** For datetimepickers: a UNIX timestamp in seconds. */
  selectedDateTime?: number;
  selectedUser?: string;
  /** For dispatch_action text inputs. */
  value?: string;
  /** A view's current input values (block_id → action_id → state). */
  values?: Record<string, Record<string, Json>>;
}
