// Over 500 lines on purpose: the define* builders share the private ack policy, durable hand-off and
// resume helpers; splitting the file would export those internals to every listener.
import type {
  AllMiddlewareArgs,
  App,
  BlockAction,
  MessageShortcut,
  SlackActionMiddlewareArgs,
  SlackEventMiddlewareArgs,
  SlackShortcutMiddlewareArgs,
  SlackViewMiddlewareArgs,
  ViewSubmitAction,
} from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { z } from 'zod';
import type { Incident } from '../../incidents/model.js';
import { timeAcks } from '../../ops/ack-timing.js';
import { decodePayload } from './codec.js';
import type { ListenerDeps } from './deps.js';
import type { StoredRequest } from './durable.js';
import { type IncidentSource, resolveIncident } from './incident-context.js';
import { Reply, type ReplyTarget } from './reply.js';
import { respondVia } from './respond.js';

/**
 * The Slack boundary: every listener is built here, so every request's payload is parsed with zod
 * through one decoder, its incident found one way, its slow work made a durable job one way (in
 * Redis, keyed by the request's idempotency key, *before* Slack gets its ack: see durable.ts), and
 * its results and failures told through one reply policy (reply.ts). A listener's `resume` runs a
 * stored request again on any replica, from what Slack sent.
 */

/** Marks a Bolt listener built by the boundary; the structural test checks every registration for it. */
export const BOUNDARY = Symbol.for('quell.slack.boundary');

export type HandlerKind = 'command' | 'action' | 'view' | 'shortcut' | 'event';

/** A listener definition: what it listens to and how to build its Bolt listener from the deps. */
export interface Definition {
  kind: HandlerKind;
  /** Command name, action id, callback id or event type. */
  id: string;
  register(app: Pick<App, 'command' | 'action' | 'view' | 'shortcut' | 'event'>, deps: ListenerDeps): void;
  /** `${kind} ${id}`: names the listener in a stored request. */
  readonly key: string;
  /** Runs a request this listener stored, in any process (after a crash of the one that accepted it). */
  resume(request: StoredRequest, deps: ListenerDeps, client: WebClient): Promise<void>;
}

export function definitionKey(kind: HandlerKind, id: string): string {
  return `${kind} ${id}`;
}

/** Told when Redis could not take the work: nothing was promised, nothing will happen. */
export const NOT_ACCEPTED =
  ':warning: Quell could not take this on just now (its storage did not answer); nothing was changed. Try again in a moment.';

/**
 * Makes the work a durable job before the caller replies to Slack. False when Redis could not take
 * it: the caller must then say so instead of promising anything. A duplicate delivery (same key)
 * counts as accepted: the first delivery's job does the work, once.
 */
export async function acceptWork(
  ctx: RequestContext,
  listener: string,
  request: StoredRequest,
  work: () => Promise<void>,
  acked?: Promise<void>,
): Promise<boolean> {
  try {
    const run = () => guarded(ctx.reply, work);
    await ctx.deps.requests.accept(listener, ctx.idempotencyKey, request, run, acked);
    return true;
  } catch (error) {
    ctx.deps.logger.error(
      { err: error, listener, idempotencyKey: ctx.idempotencyKey },
      'could not queue the work of a Slack request',
    );
    return false;
  }
}

/**
 * What the boundary adds to Bolt's arguments: a promise that settles once `ack` has been called and
 * answered (or failed). acceptWork's queued work waits for it, so nothing reaches the person first.
 */
export interface Acked {
  acked: Promise<void>;
}

function watchAcks<A extends object>(listener: (args: A & Acked) => Promise<void>): BoltListener {
  return async (args: A & { ack?: (...a: unknown[]) => Promise<void> }) => {
    const ack = args.ack;
    // an event has no ack (Bolt has answered already): nothing to wait for
    if (!ack) return listener({ ...args, acked: Promise.resolve() });
    let settle!: () => void;
    const acked = new Promise<void>((resolve) => {
      settle = resolve;
    });
    const watched = async (...ackArgs: unknown[]) => {
      try {
        await ack(...ackArgs);
      } finally {
        settle();
      }
    };
    return listener({ ...args, ack: watched, acked });
  };
}

// biome-ignore lint/suspicious/noExplicitAny: Bolt's argument types differ per kind
type BoltListener = ((args: any) => Promise<void>) & { [BOUNDARY]?: HandlerKind };

/** A boundary listener gets Bolt's arguments (`A`) and `acked`; Bolt calls it with `A`. */
export function markBoundary<A extends object>(
  kind: HandlerKind,
  listener: (args: A & Acked) => Promise<void>,
): BoltListener & ((args: A) => Promise<void>) {
  // every ack timed and counted by surface and name (quell_slack_ack_duration_seconds)
  const measured: BoltListener = timeAcks(kind, watchAcks(listener));
  measured[BOUNDARY] = kind;
  return measured;
}

/** What every handler gets besides its parsed payload. */
export interface RequestContext {
  deps: ListenerDeps;
  client: WebClient;
  user: string;
  /** The channel the request came from (for a form: the channel it was opened in), if known. */
  channel: string | undefined;
  /** Unique per request and stable across Slack's re-deliveries: trigger id, view id, action ts, event id. */
  idempotencyKey: string;
  reply: Reply;
}

export function requestContext(
  deps: ListenerDeps,
  client: WebClient,
  target: ReplyTarget,
  idempotencyKey: string,
): RequestContext {
  const reply = new Reply(client, target, deps.logger);
  return { deps, client, user: target.user, channel: target.channel, idempotencyKey, reply };
}

/** Runs the work; a failure is told to the person, so no request ends in an unhandled rejection. */
export async function guarded(reply: Reply, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (error) {
    await reply.fail(error);
  }
}

const withIncident = async <P>(
  ctx: RequestContext,
  source: IncidentSource<P> | undefined,
  payload: P,
): Promise<Incident | undefined> =>
  source ? resolveIncident(ctx.deps, source, payload, ctx.channel) : undefined;

// ---------------------------------------------------------------------------------------------
// Actions

type ActionArgs = AllMiddlewareArgs & SlackActionMiddlewareArgs<BlockAction>;
/** The clicked element as Bolt gives it: a button's value, a menu's or checkboxes' selection. */
export interface ClickedElement {
  value?: string;
  selected_option?: { value?: string } | null;
  selected_options?: { value?: string }[];
}

export interface ActionContext<V> extends RequestContext {
  value: V;
  /** The incident the click is about (only when the definition names an incident source). */
  incident: Incident;
  triggerId: string;
}

export interface ActionSpec<V> {
  /** The action id; a pattern only for the catch-all of unknown actions. */
  actionId: string | RegExp;
  /** Parses the clicked element; undefined means the button is stale or forged: `stale` is told. */
  parse(element: ClickedElement): V | undefined;
  stale: string;
  incident?: IncidentSource<V>;
  /** Opens a modal: runs right after the ack, inside the trigger's 3 s, never behind queued work. */
  opensForm?: boolean;
  run(ctx: ActionContext<V>): Promise<void>;
}

export function defineAction<V>(spec: ActionSpec<V>): Definition {
  const key = definitionKey('action', String(spec.actionId));
  return {
    kind: 'action',
    id: String(spec.actionId),
    key,
    register(app, deps) {
      app.action(spec.actionId, actionListener(spec, deps));
    },
    async resume(request, deps, client) {
      const stored = request as unknown as StoredAction;
      const ctx = actionContext(deps, client, stored, respondVia(stored.responseUrl));
      const value = spec.parse(stored.element);
      if (value === undefined) return;
      await guarded(ctx.reply, actionWork(spec, ctx, value, stored.triggerId));
    },
  };
}

/** What an action stores to run again elsewhere. */
interface StoredAction {
  element: ClickedElement & { action_id?: string; action_ts?: string };
  user: string;
  channel?: string;
  triggerId: string;
  responseUrl?: string;
}

function actionContext(
  deps: ListenerDeps,
  client: WebClient,
  stored: StoredAction,
  respond: ReplyTarget['respond'],
): RequestContext {
  return requestContext(
    deps,
    client,
    { user: stored.user, channel: stored.channel, respond, respondDefaults: { replace_original: false } },
    `action-${stored.element.action_id ?? ''}-${stored.element.action_ts ?? stored.triggerId}`,
  );
}

function actionWork<V>(spec: ActionSpec<V>, ctx: RequestContext, value: V, triggerId: string) {
  return async () => {
    const incident = await withIncident(ctx, spec.incident, value);
    await spec.run({ ...ctx, value, incident: incident as Incident, triggerId });
  };
}

export function actionListener<V>(spec: ActionSpec<V>, deps: ListenerDeps) {
  const key = definitionKey('action', String(spec.actionId));
  return markBoundary('action', async ({ ack, acked, body, action, client, respond }: ActionArgs & Acked) => {
    const element = action as StoredAction['element'];
    const stored: StoredAction = {
      element,
      user: body.user.id,
      ...(body.channel?.id ? { channel: body.channel.id } : {}),
      triggerId: body.trigger_id,
      ...((body as { response_url?: string }).response_url
        ? { responseUrl: (body as { response_url?: string }).response_url }
        : {}),
    };
    const ctx = actionContext(deps, client, stored, respond);
    const value = spec.parse(element);
    if (value === undefined) {
      await ack();
      await ctx.reply.tell(spec.stale);
      return;
    }
    const work = actionWork(spec, ctx, value, body.trigger_id);
    if (spec.opensForm) {
      await ack();
      await guarded(ctx.reply, work);
      return;
    }
    const accepted = await acceptWork(ctx, key, stored as unknown as StoredRequest, work, acked);
    await ack();
    if (!accepted) await ctx.reply.tell(NOT_ACCEPTED);
  });
}

/**
 * Buttons and menus no listener claims (a message from an older Quell, a forged payload): acked and
 * answered, instead of Slack showing the person a warning triangle.
 */
export function defineUnknownActions(known: readonly string[]): Definition {
  const escaped = known.map((id) => id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return defineAction({
    actionId: new RegExp(`^(?!(?:${escaped.join('|')})$)`),
    parse: () => undefined,
    stale: ':warning: This button is not one Quell knows (any more); nothing was changed.',
    run: async () => {},
  });
}

// ---------------------------------------------------------------------------------------------
// Views (modal submissions)

type ViewArgs = AllMiddlewareArgs & SlackViewMiddlewareArgs<ViewSubmitAction>;
export type StateValues = ViewSubmitAction['view']['state']['values'];
export type FormResult<F> = { ok: true; data: F } | { ok: false; errors: Record<string, string> };
/** What a submission may answer instead of closing the form: the next step in its place. */
export type ViewAnswer = { response_action: 'update'; view: unknown };

export const STALE_FORM = 'This form is out of date; open it again.';

export interface ViewContext<M, F> extends RequestContext {
  metadata: M;
  form: F;
  incident: Incident;
  viewId: string;
}

export interface ViewSpec<M, F> {
  callbackId: string;
  metadata: z.ZodType<M>;
  /** The channel the form was opened from (where answers go), from the metadata. */
  channelOf(metadata: M): string | undefined;
  incident?: IncidentSource<M>;
  /** Reads and checks the fields; pure and fast (it runs before the ack). */
  form(values: StateValues, metadata: M, deps: ListenerDeps): FormResult<F>;
  /** Shown on the form when the metadata does not decode. */
  stale?: string;
  /** The next step shown in place of the form, decided without I/O. */
  answer?(form: F, metadata: M, deps: ListenerDeps): ViewAnswer;
  /** The work after the ack, queued. */
  run?(ctx: ViewContext<M, F>): Promise<void>;
}

export function defineView<M, F>(spec: ViewSpec<M, F>): Definition {
  const key = definitionKey('view', spec.callbackId);
  return {
    kind: 'view',
    id: spec.callbackId,
    key,
    register(app, deps) {
      app.view(spec.callbackId, viewListener(spec, deps));
    },
    async resume(request, deps, client) {
      const stored = request as unknown as StoredView;
      const metadata = decodePayload(spec.metadata, stored.privateMetadata) as M | undefined;
      const run = spec.run;
      if (metadata === undefined || !run) return;
      const ctx = viewContext(spec, deps, client, stored.user, metadata, submissionKey(spec, stored));
      const form = spec.form(stored.values, metadata, deps);
      if (!form.ok) return;
      await guarded(ctx.reply, viewWork(spec, run, ctx, metadata, form.data, stored.viewId));
    },
  };
}

/** What a submission stores to run again elsewhere. */
interface StoredView {
  user: string;
  viewId: string;
  /** Changes whenever the view is updated (a form replaced by its next step keeps its id). */
  hash?: string;
  privateMetadata: string;
  values: StateValues;
}

/**
 * A submission's idempotency key: the view id names the opened modal; the callback id and hash say
 * which step and state of it was submitted (`response_action: update` keeps the id). A resend of
 * the same submission has all three the same.
 */
function submissionKey<M, F>(spec: ViewSpec<M, F>, view: { viewId: string; hash?: string }): string {
  return `view-${view.viewId}-${spec.callbackId}${view.hash ? `-${view.hash}` : ''}`;
}

function viewContext<M, F>(
  spec: ViewSpec<M, F>,
  deps: ListenerDeps,
  client: WebClient,
  user: string,
  metadata: M | undefined,
  idempotencyKey: string,
): RequestContext {
  return requestContext(
    deps,
    client,
    { user, channel: metadata ? spec.channelOf(metadata) || undefined : undefined },
    idempotencyKey,
  );
}

function viewWork<M, F>(
  spec: ViewSpec<M, F>,
  run: NonNullable<ViewSpec<M, F>['run']>,
  ctx: RequestContext,
  metadata: M,
  form: F,
  viewId: string,
) {
  return async () => {
    const incident = await withIncident(ctx, spec.incident, metadata);
    await run({ ...ctx, metadata, form, incident: incident as Incident, viewId });
  };
}

export function viewListener<M, F>(spec: ViewSpec<M, F>, deps: ListenerDeps) {
  const key = definitionKey('view', spec.callbackId);
  return markBoundary('view', async ({ ack, acked, body, view, client }: ViewArgs & Acked) => {
    const metadata = decodePayload(spec.metadata, view.private_metadata) as M | undefined;
    const hash = (view as { hash?: string }).hash;
    const submitted = { viewId: view.id, ...(hash ? { hash } : {}) };
    const ctx = viewContext(spec, deps, client, body.user.id, metadata, submissionKey(spec, submitted));
    if (metadata === undefined) {
      const block = firstInputBlock(view);
      if (block) {
        await ack({ response_action: 'errors', errors: { [block]: spec.stale ?? STALE_FORM } });
        return;
      }
      await ack();
      await ctx.reply.tell(`:warning: ${spec.stale ?? STALE_FORM}`);
      return;
    }
    let form: FormResult<F>;
    try {
      form = spec.form(view.state.values, metadata, deps);
    } catch (error) {
      await ack();
      await ctx.reply.fail(error);
      return;
    }
    if (!form.ok) {
      await ack({ response_action: 'errors', errors: form.errors });
      return;
    }
    const data = form.data;
    const run = spec.run;
    if (run) {
      const stored: StoredView = {
        user: body.user.id,
        ...submitted,
        privateMetadata: view.private_metadata,
        values: view.state.values,
      };
      const accepted = await acceptWork(
        ctx,
        key,
        stored as unknown as StoredRequest,
        viewWork(spec, run, ctx, metadata, data, view.id),
        acked,
      );
      if (!accepted) {
        // the form stays open with its values, so submitting again is one click
        const block = firstInputBlock(view);
        if (block) {
          await ack({
            response_action: 'errors',
            errors: { [block]: NOT_ACCEPTED.replace(':warning: ', '') },
          });
          return;
        }
        await ack();
        await ctx.reply.tell(NOT_ACCEPTED);
        return;
      }
    }
    if (spec.answer) await ack(spec.answer(data, metadata, deps) as never);
    else await ack();
  });
}

function firstInputBlock(view: ViewSubmitAction['view']): string | undefined {
  const blocks = (view as { blocks?: { type?: string; block_id?: string }[] }).blocks ?? [];
  return blocks.find((b) => b.type === 'input' && b.block_id)?.block_id;
}

// ---------------------------------------------------------------------------------------------
// Message shortcuts

type ShortcutArgs = AllMiddlewareArgs & SlackShortcutMiddlewareArgs<MessageShortcut>;

export interface ShortcutContext extends RequestContext {
  shortcut: MessageShortcut;
  incident: Incident;
}

export interface ShortcutSpec {
  callbackId: string;
  incident?: IncidentSource<MessageShortcut>;
  run(ctx: ShortcutContext): Promise<void>;
}

export function defineMessageShortcut(spec: ShortcutSpec): Definition {
  const key = definitionKey('shortcut', spec.callbackId);
  return {
    kind: 'shortcut',
    id: spec.callbackId,
    key,
    register(app, deps) {
      app.shortcut({ callback_id: spec.callbackId, type: 'message_action' }, shortcutListener(spec, deps));
    },
    async resume(request, deps, client) {
      const shortcut = request.shortcut as MessageShortcut;
      const ctx = shortcutContext(deps, client, shortcut, respondVia(shortcut.response_url));
      await guarded(ctx.reply, shortcutWork(spec, ctx, shortcut));
    },
  };
}

function shortcutContext(
  deps: ListenerDeps,
  client: WebClient,
  shortcut: MessageShortcut,
  respond: ReplyTarget['respond'],
): RequestContext {
  return requestContext(
    deps,
    client,
    { user: shortcut.user.id, channel: shortcut.channel?.id, respond },
    `shortcut-${shortcut.trigger_id}`,
  );
}

function shortcutWork(spec: ShortcutSpec, ctx: RequestContext, shortcut: MessageShortcut) {
  return async () => {
    const incident = await withIncident(ctx, spec.incident, shortcut);
    await spec.run({ ...ctx, shortcut, incident: incident as Incident });
  };
}

export function shortcutListener(spec: ShortcutSpec, deps: ListenerDeps) {
  const key = definitionKey('shortcut', spec.callbackId);
  return markBoundary('shortcut', async ({ ack, acked, shortcut, client, respond }: ShortcutArgs & Acked) => {
    const ctx = shortcutContext(deps, client, shortcut, respond);
    const accepted = await acceptWork(ctx, key, { shortcut }, shortcutWork(spec, ctx, shortcut), acked);
    await ack();
    if (!accepted) await ctx.reply.tell(NOT_ACCEPTED);
  });
}

// ---------------------------------------------------------------------------------------------
// Events (Bolt acks them itself; nobody waits for an answer, so failures go to the operators' log)

type EventName = 'app_home_opened' | 'message';

export interface EventContext<E extends EventName> {
  deps: ListenerDeps;
  client: WebClient;
  event: SlackEventMiddlewareArgs<E>['event'];
  /** The bot's own ids, to skip Quell's own messages. */
  bot: { botId: string | undefined; botUserId: string | undefined };
  /** Slack's event id: the same on every re-delivery. */
  idempotencyKey: string;
}

export interface EventSpec<E extends EventName> {
  event: E;
  run(ctx: EventContext<E>): Promise<void>;
}

export function defineEvent<E extends EventName>(spec: EventSpec<E>): Definition {
  return {
    kind: 'event',
    id: spec.event,
    key: definitionKey('event', spec.event),
    register(app, deps) {
      app.event(spec.event, eventListener(spec, deps) as never);
    },
    async resume(request, deps, client) {
      const stored = request as unknown as StoredEvent<E>;
      await eventWork(spec, deps, client, stored)();
    },
  };
}

/** What an event stores to run again elsewhere. */
interface StoredEvent<E extends EventName> {
  event: EventContext<E>['event'];
  bot: EventContext<E>['bot'];
  idempotencyKey: string;
}

function eventWork<E extends EventName>(
  spec: EventSpec<E>,
  deps: ListenerDeps,
  client: WebClient,
  stored: StoredEvent<E>,
) {
  return async () => {
    try {
      await spec.run({ deps, client, ...stored });
    } catch (error) {
      deps.logger.error(
        { err: error, event: spec.event, idempotencyKey: stored.idempotencyKey },
        'could not handle a Slack event',
      );
    }
  };
}

/**
 * Slack re-delivers an event (`X-Slack-Retry-Num`) with the same event id when it did not see our
 * 200 in time: the event id is the job id, so a re-delivery adds nothing.
 */
export function eventListener<E extends EventName>(spec: EventSpec<E>, deps: ListenerDeps) {
  const key = definitionKey('event', spec.event);
  return markBoundary(
    'event',
    async ({
      event,
      body,
      client,
      context,
    }: AllMiddlewareArgs & SlackEventMiddlewareArgs<E>): Promise<void> => {
      const idempotencyKey = `event-${(body as { event_id?: string }).event_id ?? (event as { event_ts?: string }).event_ts ?? ''}`;
      const stored: StoredEvent<E> = {
        event: event as EventContext<E>['event'],
        bot: { botId: context.botId, botUserId: context.botUserId },
        idempotencyKey,
      };
      const work = eventWork(spec, deps, client, stored);
      try {
        await deps.requests.accept(key, idempotencyKey, stored as unknown as StoredRequest, work);
      } catch (error) {
        // Bolt has answered Slack already; without Redis the event is handled here, at most once
        deps.logger.warn(
          { err: error, event: spec.event, idempotencyKey },
          'could not queue a Slack event; handling it now',
        );
        await work();
      }
    },
  );
}
