import type { SubcommandContext } from '../subcommands.js';

/** Comms subcommands that act on the incident of the channel they are typed in. */
export async function channelIncident(context: SubcommandContext, name: string) {
  return context.services.incidents.requireForChannel(context.command.channel_id, `/comms ${name}`);
}
