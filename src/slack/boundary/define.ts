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
import { decodePayload } from './codec.js';
import type { ListenerDeps } from './deps.js';
import { type IncidentSource, resolveIncident } from './incident-context.js';
import { Reply, type ReplyTarget } from './reply.js';

/**
 * The Slack boundary: every listener is built here, so every request is acked first, its payload
 * parsed with zod through one decoder, its incident found one way, its slow work handed to the
 * after-ack queue one way (keyed by the request's idempotency key, so a durable job queue can take
 * its place in `later`), and its results and failures told through one reply policy (reply.ts).
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
}

// biome-ignore lint/suspicious/noExplicitAny: Bolt's argument types differ per kind
type BoltListener = ((args: any) => Promise<void>) & { [BOUNDARY]?: HandlerKind };

export function markBoundary<F extends BoltListener>(kind: HandlerKind, listener: F): F {
  listener[BOUNDARY] = kind;
  return listener;
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
  /** Hands slow work to the after-ack queue; its failure is told to the person through `reply`. */
  later(task: () => Promise<void>): void;
}

export function requestContext(
  deps: ListenerDeps,
  client: WebClient,
  target: ReplyTarget,
  idempotencyKey: string,
): RequestContext {
  const reply = new Reply(client, target, deps.logger);
  return {
    deps,
    client,
    user: target.user,
    channel: target.channel,
    idempotencyKey,
    reply,
    later(task) {
      deps.afterAck.run(() => guarded(reply, task), idempotencyKey);
    },
  };
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
  return {
    kind: 'action',
    id: String(spec.actionId),
    register(app, deps) {
      app.action(spec.actionId, actionListener(spec, deps));
    },
  };
}

export function actionListener<V>(spec: ActionSpec<V>, deps: ListenerDeps) {
  return markBoundary('action', async ({ ack, body, action, client, respond }: ActionArgs): Promise<void> => {
    await ack();
    const element = action as ClickedElement & { action_id?: string; action_ts?: string };
    const ctx = requestContext(
      deps,
      client,
      {
        user: body.user.id,
        channel: body.channel?.id,
        respond,
        respondDefaults: { replace_original: false },
      },
      `action-${element.action_id ?? ''}-${element.action_ts ?? body.trigger_id}`,
    );
    const value = spec.parse(element);
    if (value === undefined) {
      await ctx.reply.tell(spec.stale);
      return;
    }
    const work = async () => {
      const incident = await withIncident(ctx, spec.incident, value);
      await spec.run({ ...ctx, value, incident: incident as Incident, triggerId: body.trigger_id });
    };
    if (spec.opensForm) await guarded(ctx.reply, work);
    else ctx.later(work);
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
  return {
    kind: 'view',
    id: spec.callbackId,
    register(app, deps) {
      app.view(spec.callbackId, viewListener(spec, deps));
    },
  };
}

export function viewListener<M, F>(spec: ViewSpec<M, F>, deps: ListenerDeps) {
  return markBoundary('view', async ({ ack, body, view, client }: ViewArgs): Promise<void> => {
    const metadata = decodePayload(spec.metadata, view.private_metadata) as M | undefined;
    const ctx = requestContext(
      deps,
      client,
      { user: body.user.id, channel: metadata ? spec.channelOf(metadata) || undefined : undefined },
      `view-${view.id}`,
    );
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
    if (spec.answer) await ack(spec.answer(data, metadata, deps) as never);
    else await ack();
    const run = spec.run;
    if (!run) return;
    ctx.later(async () => {
      const incident = await withIncident(ctx, spec.incident, metadata);
      await run({ ...ctx, metadata, form: data, incident: incident as Incident, viewId: view.id });
    });
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
  return {
    kind: 'shortcut',
    id: spec.callbackId,
    register(app, deps) {
      app.shortcut({ callback_id: spec.callbackId, type: 'message_action' }, shortcutListener(spec, deps));
    },
  };
}

export function shortcutListener(spec: ShortcutSpec, deps: ListenerDeps) {
  return markBoundary('shortcut', async ({ ack, shortcut, client, respond }: ShortcutArgs): Promise<void> => {
    await ack();
    const ctx = requestContext(
      deps,
      client,
      { user: shortcut.user.id, channel: shortcut.channel?.id, respond },
      `shortcut-${shortcut.trigger_id}`,
    );
    ctx.later(async () => {
      const incident = await withIncident(ctx, spec.incident, shortcut);
      await spec.run({ ...ctx, shortcut, incident: incident as Incident });
    });
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
    register(app, deps) {
      app.event(spec.event, eventListener(spec, deps) as never);
    },
  };
}

export function eventListener<E extends EventName>(spec: EventSpec<E>, deps: ListenerDeps) {
  return markBoundary(
    'event',
    async ({
      event,
      body,
      client,
      context,
    }: AllMiddlewareArgs & SlackEventMiddlewareArgs<E>): Promise<void> => {
      const idempotencyKey = `event-${(body as { event_id?: string }).event_id ?? (event as { event_ts?: string }).event_ts ?? ''}`;
      try {
        await spec.run({
          deps,
          client,
          event: event as EventContext<E>['event'],
          bot: { botId: context.botId, botUserId: context.botUserId },
          idempotencyKey,
        });
      } catch (error) {
        deps.logger.error(
          { err: error, event: spec.event, idempotencyKey },
          'could not handle a Slack event',
        );
      }
    },
  );
}
