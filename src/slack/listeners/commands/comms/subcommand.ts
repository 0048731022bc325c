import type { Services } from '../../../../services.js';
import type { SubcommandContext } from '../incident/subcommand.js';

/**
 * One `/comms <name>` subcommand. `parse` is fast and may read loaded config and templates (no I/O):
 * it runs before the ack, so bad input is answered in the ack itself. `run` does the rest.
 */
export interface CommsSubcommand<Parsed = unknown> {
  name: string;
  aliases?: readonly string[];
  usage: string;
  summary: string;
  parse(text: string, services: Services): Parsed;
  ackText?(parsed: Parsed, services: Services): string | undefined;
  run(context: SubcommandContext, parsed: Parsed): Promise<void>;
}

export function defineCommsSubcommand<Parsed>(subcommand: CommsSubcommand<Parsed>): CommsSubcommand<Parsed> {
  return subcommand;
}

/** Comms subcommands that act on the incident of the channel they are typed in. */
export async function channelIncident(context: SubcommandContext, name: string) {
  return context.services.incidents.requireForChannel(context.command.channel_id, `/comms ${name}`);
}
