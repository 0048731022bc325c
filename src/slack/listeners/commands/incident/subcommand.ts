import type { RespondFn, SlashCommand } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { Services } from '../../../../services.js';

/** What a subcommand's `run` gets: the command as Slack sent it, plus ways to answer. */
export interface SubcommandContext {
  command: SlashCommand;
  respond: RespondFn;
  client: WebClient;
  services: Services;
}

/**
 * One `/incident <name>` subcommand. `parse` is pure and fast (it runs before the ack, so bad input
 * is answered in the ack itself); `run` does the slow work after the ack.
 */
export interface Subcommand<Parsed = unknown> {
  name: string;
  aliases?: readonly string[];
  usage: string;
  summary: string;
  parse(text: string): Parsed;
  /** Optional ephemeral text shown in the ack while `run` works. */
  ackText?(parsed: Parsed): string | undefined;
  run(context: SubcommandContext, parsed: Parsed): Promise<void>;
}

export function defineSubcommand<Parsed>(subcommand: Subcommand<Parsed>): Subcommand<Parsed> {
  return subcommand;
}

/** Most subcommands act on the incident of the channel they are typed in. */
export async function channelIncident(context: SubcommandContext, name: string) {
  return context.services.incidents.requireForChannel(context.command.channel_id, `/incident ${name}`);
}

export async function replyEphemeral(context: SubcommandContext, text: string): Promise<void> {
  await context.respond({ response_type: 'ephemeral', text });
}
