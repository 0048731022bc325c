import type { AllMiddlewareArgs, RespondFn, SlackCommandMiddlewareArgs, SlashCommand } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { UsageError } from '../../../errors.js';
import type { Services } from '../../../services.js';
import { closestMatch } from '../../../text/closest-match.js';
import { restAfter, tokenize } from '../../args.js';
import { userFacingMessage } from '../../user-facing-error.js';

/** What a subcommand's `run` gets: the command as Slack sent it, plus ways to answer. */
export interface SubcommandContext {
  command: SlashCommand;
  respond: RespondFn;
  client: WebClient;
  services: Services;
}

/**
 * One `/<command> <name>` subcommand. `parse` is fast and does no I/O (it may read loaded config):
 * it runs before the ack, so bad input is answered in the ack itself. `run` does the slow work after.
 */
export interface Subcommand<Parsed = unknown> {
  name: string;
  aliases?: readonly string[];
  usage: string;
  summary: string;
  parse(text: string, services: Services): Parsed;
  /** Optional ephemeral text shown in the ack while `run` works. */
  ackText?(parsed: Parsed, services: Services): string | undefined;
  run(context: SubcommandContext, parsed: Parsed): Promise<void>;
}

export function defineSubcommand<Parsed>(subcommand: Subcommand<Parsed>): Subcommand<Parsed> {
  return subcommand;
}

/** The incident of the channel the command was typed in; the error names the command (`/comms draft`). */
export async function channelIncident(context: SubcommandContext, name: string) {
  const { channel_id, command } = context.command;
  return context.services.incidents.requireForChannel(channel_id, `${command} ${name}`);
}

export async function replyEphemeral(context: SubcommandContext, text: string): Promise<void> {
  await context.respond({ response_type: 'ephemeral', text });
}

/** A slash command made of subcommands, e.g. `/incident` or `/comms`. */
export interface SubcommandSet {
  command: string;
  /** First line of the help text. */
  title: string;
  subcommands: readonly Subcommand<never>[];
  /** Last lines of the help text, e.g. pointers to related commands. */
  footer?: string;
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

/**
 * The handler for a slash command made of subcommands: parses before acking, so bad input is
 * answered in the ack itself; acks within milliseconds; hands `run` to the after-ack queue and
 * reports its failures through `respond`.
 */
export function subcommandHandler(set: SubcommandSet, services: Services) {
  return async function handleSubcommand({
    command,
    ack,
    respond,
    client,
  }: AllMiddlewareArgs & SlackCommandMiddlewareArgs): Promise<void> {
    const name = tokenize(command.text)[0]?.toLowerCase() ?? 'help';
    if (name === 'help') {
      await ack({ response_type: 'ephemeral', text: helpText(set) });
      return;
    }
    const subcommand = set.subcommands.find((s) => s.name === name || s.aliases?.includes(name));
    let parsed: never;
    try {
      if (!subcommand) throw unknownSubcommand(set, name);
      parsed = subcommand.parse(restAfter(command.text, 1), services) as never;
    } catch (error) {
      await ack({ response_type: 'ephemeral', text: userFacingMessage(error, services.logger) });
      return;
    }
    const ackText = subcommand.ackText?.(parsed, services);
    await ack(ackText ? { response_type: 'ephemeral', text: ackText } : undefined);
    services.afterAck.run(async () => {
      try {
        await subcommand.run({ command, respond, client, services }, parsed);
      } catch (error) {
        await respond({ response_type: 'ephemeral', text: userFacingMessage(error, services.logger) }).catch(
          (respondError: unknown) =>
            services.logger.warn({ err: respondError }, 'could not report a failed command'),
        );
      }
    });
  };
}
