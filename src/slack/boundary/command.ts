import type { AllMiddlewareArgs, RespondFn, SlackCommandMiddlewareArgs, SlashCommand } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { ChatMessage } from '../../chat/port.js';
import { UsageError } from '../../errors.js';
import { closestMatch } from '../../text/closest-match.js';
import { restAfter, tokenize } from '../args.js';
import { userFacingMessage } from '../user-facing-error.js';
import {
  type Acked,
  acceptWork,
  type Definition,
  definitionKey,
  guarded,
  markBoundary,
  NOT_ACCEPTED,
  type RequestContext,
  requestContext,
} from './define.js';
import type { ListenerDeps } from './deps.js';
import type { Reply } from './reply.js';
import { respondVia } from './respond.js';

/** What a subcommand's `run` / `openForm` gets: the command as Slack sent it, plus ways to answer. */
export interface SubcommandContext {
  command: SlashCommand;
  /** The request's response_url; prefer `reply`, which falls back when Slack refuses it. */
  respond: RespondFn;
  client: WebClient;
  services: ListenerDeps;
  reply: Reply;
  /** The trigger id: also the request's idempotency key. */
  idempotencyKey: string;
}

/**
 * One `/<command> <name>` subcommand. `parse` is fast and does no I/O (it may read loaded config):
 * it runs before the ack, so bad input is answered in the ack itself. Then either `openForm` runs at
 * once (a modal must open within the trigger's 3 s, never behind queued work) or `run` becomes a
 * durable job, stored before the ack (and its `ackReply`) tells the person it is happening.
 */
export interface Subcommand<Parsed = unknown> {
  name: string;
  aliases?: readonly string[];
  usage: string;
  summary: string;
  parse(text: string, services: ListenerDeps): Parsed;
  /** Optional ephemeral reply sent in the ack itself: the whole answer, or a word while `run` works. */
  ackReply?(parsed: Parsed, services: ListenerDeps): string | ChatMessage | undefined;
  /** Opens a modal (or decides not to and returns false, to `run` instead). */
  openForm?(context: SubcommandContext, parsed: Parsed): Promise<boolean>;
  /**
   * Whether this request opens a form (decided without I/O, before the ack); default: whenever
   * `openForm` exists. A request that does not is queued as a job before the ack.
   */
  opensForm?(parsed: Parsed): boolean;
  run?(context: SubcommandContext, parsed: Parsed): Promise<void>;
}

export function defineSubcommand<Parsed>(subcommand: Subcommand<Parsed>): Subcommand<Parsed> {
  return subcommand;
}

/** `parse` for a subcommand that takes no arguments: anything after its name is refused. */
export function noArguments(usage: string): (text: string) => undefined {
  return (text) => {
    if (text.trim()) throw new UsageError(`\`${usage}\` takes no arguments.`, usage);
    return undefined;
  };
}

/** The incident of the channel the command was typed in; the error names the command (`/comms draft`). */
export async function channelIncident(context: SubcommandContext, name?: string) {
  const { channel_id, command } = context.command;
  return context.services.incidents.requireForChannel(channel_id, name ? `${command} ${name}` : command);
}

export async function replyEphemeral(
  context: SubcommandContext,
  message: string | ChatMessage,
): Promise<void> {
  await context.reply.tell(message);
}

/** A slash command made of subcommands, e.g. `/incident`, `/comms` or `/contain`. */
export interface SubcommandSet {
  command: string;
  /** First line of the help text. */
  title: string;
  subcommands: readonly Subcommand<never>[];
  /** Last lines of the help text, e.g. pointers to related commands. */
  footer?: string;
  /** The subcommand for a bare command (default: the help text). */
  whenEmpty?: string;
  /** Takes the whole text when the first word names no subcommand (`/contain <action> ...`). */
  fallback?: Subcommand<never>;
}

export function helpText({ command, title, subcommands, footer }: SubcommandSet): string {
  const lines = subcommands.map((s) => `• \`${s.usage}\`\n    ${s.summary}`);
  return [`*${title}*`, ...lines, `• \`${command} help\`\n    This list.`, ...(footer ? [footer] : [])].join(
    '\n',
  );
}

/** A short answer to a mistyped subcommand: the nearest name, and the whole list in one line. */
function unknownSubcommand({ command, subcommands }: SubcommandSet, name: string): UsageError {
  const names = subcommands.map((s) => s.name);
  const guess = closestMatch(name, [...names, ...subcommands.flatMap((s) => s.aliases ?? [])]);
  const suggestion = guess
    ? ` Did you mean \`${command} ${subcommands.find((s) => s.name === guess || s.aliases?.includes(guess))?.name}\`?`
    : '';
  return new UsageError(
    `\`${command} ${name}\` is not a command I know.${suggestion}\nCommands: ${names.join(', ')}. \`${command} help\` explains each.`,
  );
}

type Route = { subcommand: Subcommand<never>; text: string } | { help: true };

function route(set: SubcommandSet, text: string): Route {
  const name = tokenize(text)[0]?.toLowerCase() ?? set.whenEmpty ?? 'help';
  const find = (n: string) => set.subcommands.find((s) => s.name === n || s.aliases?.includes(n));
  const subcommand = find(name);
  if (subcommand) return { subcommand, text: tokenize(text).length ? restAfter(text, 1) : '' };
  if (name === 'help') return { help: true };
  if (set.fallback) return { subcommand: set.fallback, text };
  throw unknownSubcommand(set, name);
}

/** The one router for slash commands: parse before the ack, queue before the ack, then ack and form. */
export function defineCommand(set: SubcommandSet): Definition {
  const key = definitionKey('command', set.command);
  return {
    kind: 'command',
    id: set.command,
    key,
    register(app, deps) {
      app.command(set.command, commandListener(set, deps));
    },
    async resume(request, services, client) {
      const command = request.command as SlashCommand;
      const chosen = route(set, command.text);
      const run = 'help' in chosen ? undefined : chosen.subcommand.run;
      if ('help' in chosen || !run) return;
      const parsed = chosen.subcommand.parse(chosen.text, services) as never;
      const respond = respondVia(command.response_url);
      const { context, ctx } = commandContext(services, client, command, respond);
      await guarded(ctx.reply, () => run(context, parsed));
    },
  };
}

function commandContext(
  services: ListenerDeps,
  client: WebClient,
  command: SlashCommand,
  respond: RespondFn | undefined,
) {
  const ctx: RequestContext = requestContext(
    services,
    client,
    { user: command.user_id, channel: command.channel_id, respond },
    command.trigger_id,
  );
  const context: SubcommandContext = {
    command,
    // a resumed request without a response_url answers through reply's other routes
    respond: respond ?? (async () => Promise.reject(new Error('no response_url'))),
    client,
    services,
    reply: ctx.reply,
    idempotencyKey: ctx.idempotencyKey,
  };
  return { ctx, context };
}

export function commandListener(set: SubcommandSet, services: ListenerDeps) {
  const key = definitionKey('command', set.command);
  return markBoundary(
    'command',
    async ({
      command,
      ack,
      acked,
      respond,
      client,
    }: AllMiddlewareArgs & SlackCommandMiddlewareArgs & Acked): Promise<void> => {
      let chosen: Route;
      let parsed: never;
      try {
        chosen = route(set, command.text);
        if ('help' in chosen) {
          await ack({ response_type: 'ephemeral', text: helpText(set) });
          return;
        }
        parsed = chosen.subcommand.parse(chosen.text, services) as never;
      } catch (error) {
        await ack({ response_type: 'ephemeral', text: userFacingMessage(error, services.logger) });
        return;
      }
      const { subcommand } = chosen;
      const { ctx, context } = commandContext(services, client, command, respond);
      const { openForm, run } = subcommand;
      const form = openForm !== undefined && (subcommand.opensForm?.(parsed) ?? true);
      // the work is in Redis before anything (the ack's own text included) says it is happening
      if (run && !form && !(await acceptWork(ctx, key, { command }, () => run(context, parsed), acked))) {
        await ack({ response_type: 'ephemeral', text: NOT_ACCEPTED });
        return;
      }
      const early = subcommand.ackReply?.(parsed, services);
      if (early)
        await ack({ response_type: 'ephemeral', ...(typeof early === 'string' ? { text: early } : early) });
      else await ack();
      if (!form || !openForm) return;
      try {
        if (await openForm(context, parsed)) return;
      } catch (error) {
        await ctx.reply.fail(error);
        return;
      }
      // the form was not needed after all (rare): the work is queued now
      if (run && !(await acceptWork(ctx, key, { command }, () => run(context, parsed))))
        await ctx.reply.tell(NOT_ACCEPTED);
    },
  );
}
