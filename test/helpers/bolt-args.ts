import { ErrorCode, WebClient } from '@slack/web-api';
import { vi } from 'vitest';
import type { Definition } from '../../src/slack/boundary/define.js';
import type { ListenerDeps } from '../../src/slack/boundary/deps.js';
import { TEST_BOT_TOKEN, testWorkersReady } from './services.js';

/**
 * Bolt listener arguments for tests that call listeners directly: sensible defaults (a real
 * WebClient whose Slack-facing methods are stubbed and recorded, recording ack/respond), with
 * per-case overrides. Pass `client` to use a real client against the nock-faked Web API instead.
 */

export interface RecordedCall {
  method: string;
  params: Record<string, unknown>;
}

export type Stub = (params: Record<string, unknown>) => unknown;

const STUBBED = [
  'chat.postEphemeral',
  'chat.postMessage',
  'chat.update',
  'views.open',
  'views.update',
  'views.publish',
] as const;
export type StubbedMethod = (typeof STUBBED)[number];

/** A Slack `ok: false` error as @slack/web-api throws it (e.g. `not_in_channel`). */
export function slackPlatformError(error: string): Error {
  return Object.assign(new Error(`An API error occurred: ${error}`), {
    code: ErrorCode.PlatformError,
    data: { ok: false, error },
  });
}

/** A real WebClient; the methods Quell's listeners call are stubbed and every call recorded. */
export function stubbedClient(stubs: Partial<Record<StubbedMethod, Stub>> = {}) {
  const client = new WebClient(TEST_BOT_TOKEN, { retryConfig: { retries: 0 } });
  const calls: RecordedCall[] = [];
  for (const method of STUBBED) {
    const [family, name] = method.split('.') as [string, string];
    const target = (client as unknown as Record<string, Record<string, unknown>>)[family]!;
    target[name] = vi.fn(async (params: Record<string, unknown>) => {
      calls.push({ method, params });
      const stub = stubs[method];
      if (stub) return stub(params);
      return { ok: true, ...(method === 'views.open' ? { view: { id: 'V0OPENED' } } : {}), ts: '1.000001' };
    });
  }
  return { client, calls, callsTo: (method: StubbedMethod) => calls.filter((c) => c.method === method) };
}

interface Common {
  user?: string;
  channel?: string;
  triggerId?: string;
  /** A real client instead of the stubbed one. */
  client?: WebClient;
  stubs?: Partial<Record<StubbedMethod, Stub>>;
  /** Makes respond() fail, as an expired response_url does. */
  respondFails?: boolean;
}

function recorder(options: Common) {
  const stubbed = stubbedClient(options.stubs);
  const client = options.client ?? stubbed.client;
  const ack = vi.fn(async (_response?: unknown) => {});
  const respond = vi.fn(async (_message: unknown) => {
    if (options.respondFails) throw new Error('response_url expired');
  });
  return { client, calls: stubbed.calls, callsTo: stubbed.callsTo, ack, respond };
}

export function commandArgs(
  command: string,
  text: string,
  options: Common & { overrides?: Record<string, unknown> } = {},
) {
  const r = recorder(options);
  const args = {
    command: {
      command,
      text,
      user_id: options.user ?? 'U0ALICE',
      channel_id: options.channel ?? 'C0GENERAL',
      response_url: 'https://hooks.slack.com/commands/T0QUELL/1/abc',
      trigger_id: options.triggerId ?? `trigger-${Math.random().toString(36).slice(2)}`,
    },
    ack: r.ack,
    respond: r.respond,
    client: r.client,
    ...options.overrides,
  };
  return { ...r, args: args as never };
}

let actionSeq = 0;
/** A fresh action ts per click (the request's idempotency key: two clicks never share one). */
function nextActionTs(): string {
  actionSeq += 1;
  return `${Math.floor(Date.now() / 1000)}.${String(actionSeq).padStart(6, '0')}`;
}

export function actionArgs(
  actionId: string,
  element: { value?: string; selected_option?: { value: string }; selected_options?: { value: string }[] },
  options: Common & { overrides?: Record<string, unknown> } = {},
) {
  const r = recorder(options);
  const args = {
    ack: r.ack,
    respond: r.respond,
    client: r.client,
    action: { action_id: actionId, type: 'button', action_ts: nextActionTs(), ...element },
    body: {
      type: 'block_actions',
      user: { id: options.user ?? 'U0ALICE' },
      ...(options.channel ? { channel: { id: options.channel } } : {}),
      trigger_id: options.triggerId ?? `trigger-${Math.random().toString(36).slice(2)}`,
    },
    ...options.overrides,
  };
  return { ...r, args: args as never };
}

export function viewArgs(
  callbackId: string,
  view: {
    /** An object is JSON-encoded; a string is passed as is (to test bad metadata). */
    metadata?: unknown;
    values?: Record<string, Record<string, unknown>>;
    id?: string;
    blocks?: { type: string; block_id: string }[];
  },
  options: Common = {},
) {
  const r = recorder(options);
  const metadata = typeof view.metadata === 'string' ? view.metadata : JSON.stringify(view.metadata ?? {});
  const args = {
    ack: r.ack,
    client: r.client,
    body: { type: 'view_submission', user: { id: options.user ?? 'U0ALICE' } },
    view: {
      id: view.id ?? `V${Math.random().toString(36).slice(2, 10).toUpperCase()}`,
      callback_id: callbackId,
      private_metadata: metadata,
      state: { values: view.values ?? {} },
      blocks: view.blocks ?? [],
    },
  };
  return { ...r, args: args as never };
}

export function shortcutArgs(
  callbackId: string,
  message: { ts: string; text?: string; user?: string },
  options: Common = {},
) {
  const r = recorder(options);
  const args = {
    ack: r.ack,
    respond: r.respond,
    client: r.client,
    shortcut: {
      type: 'message_action',
      callback_id: callbackId,
      trigger_id: options.triggerId ?? `trigger-${Math.random().toString(36).slice(2)}`,
      user: { id: options.user ?? 'U0ALICE' },
      channel: { id: options.channel ?? 'C0GENERAL' },
      message,
      response_url: 'https://hooks.slack.com/actions/T0QUELL/1/abc',
    },
  };
  return { ...r, args: args as never };
}

export function eventArgs(event: Record<string, unknown>, options: Common & { eventId?: string } = {}) {
  const r = recorder(options);
  const args = {
    event,
    body: { type: 'event_callback', event_id: options.eventId ?? 'Ev0TEST', event },
    client: r.client,
    context: { botId: 'B0QUELL', botUserId: 'U0QUELLBOT' },
  };
  return { ...r, args: args as never };
}

type Registration = { kind: Definition['kind']; id: unknown; listener: (args: never) => Promise<void> };

/** A stand-in for Bolt's App that records what is registered, for tests that enumerate listeners. */
export function recordingApp() {
  const registrations: Registration[] = [];
  const record = (kind: Definition['kind']) => (id: unknown, listener: (args: never) => Promise<void>) => {
    registrations.push({ kind, id, listener });
  };
  return {
    registrations,
    app: {
      command: record('command'),
      action: record('action'),
      view: record('view'),
      shortcut: record('shortcut'),
      event: record('event'),
    } as never,
  };
}

/** The Bolt listener a definition registers, built with these deps. */
export function listenerOf(definition: Definition, deps: ListenerDeps): (args: never) => Promise<void> {
  const { app, registrations } = recordingApp();
  definition.register(app, deps);
  return registrations[0]!.listener;
}

/** Calls the definition's listener, then waits for the work it queued after the ack. */
export async function invoke(definition: Definition, deps: ListenerDeps, args: never): Promise<void> {
  await testWorkersReady(deps);
  await listenerOf(definition, deps)(args);
  await deps.requests.drain();
}
