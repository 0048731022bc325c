import type { SubcommandContext } from '../subcommands.js';

/** Most `/incident` subcommands act on the incident of the channel they are typed in. */
export async function channelIncident(context: SubcommandContext, name: string) {
  return context.services.incidents.requireForChannel(context.command.channel_id, `/incident ${name}`);
}
