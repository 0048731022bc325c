import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from '@slack/bolt';
import { UsageError } from '../../../../errors.js';
import type { Services } from '../../../../services.js';
import { restAfter, tokenize } from '../../../args.js';
import { userFacingMessage } from '../../../user-facing-error.js';
import { audiencesSubcommand, historySubcommand } from './audiences.js';
import { draftSubcommand } from './draft.js';
import { rootCauseSubcommand } from './root-cause.js';
import type { CommsSubcommand } from './subcommand.js';
import { talkingPointsSubcommand } from './talking-points.js';

/** Every `/comms` subcommand, in the order `/comms help` lists them. */
export const COMMS_SUBCOMMANDS: readonly CommsSubcommand<never>[] = [
  draftSubcommand,
  talkingPointsSubcommand,
  audiencesSubcommand,
  historySubcommand,
  rootCauseSubcommand,
] as CommsSubcommand<never>[];

export function commsHelpText(): string {
  const lines = COMMS_SUBCOMMANDS.map((s) => `• \`${s.usage}\`\n    ${s.summary}`);
  return `*Quell comms: drafted from templates, linted, approved, kept*\n${lines.join('\n')}\n• \`/comms help\`\n    This list.`;
}

function findSubcommand(name: string) {
  return COMMS_SUBCOMMANDS.find((s) => s.name === name || s.aliases?.includes(name));
}

/** `/comms <subcommand> ...`: parse, ack within milliseconds, then work and answer with `respond`. */
export function commsCommandHandler(services: Services) {
  return async function handleCommsCommand({
    command,
    ack,
    respond,
    client,
  }: AllMiddlewareArgs & SlackCommandMiddlewareArgs): Promise<void> {
    const name = tokenize(command.text)[0]?.toLowerCase() ?? 'help';
    if (name === 'help') {
      await ack({ response_type: 'ephemeral', text: commsHelpText() });
      return;
    }
    const subcommand = findSubcommand(name);
    let parsed: never;
    try {
      if (!subcommand)
        throw new UsageError(`\`/comms ${name}\` is not a command I know.\n${commsHelpText()}`);
      parsed = subcommand.parse(restAfter(command.text, 1), services) as never;
    } catch (error) {
      await ack({ response_type: 'ephemeral', text: userFacingMessage(error, services.logger) });
      return;
    }
    const ackText = subcommand.ackText?.(parsed, services);
    await ack(ackText ? { response_type: 'ephemeral', text: ackText } : undefined);
    try {
      await subcommand.run({ command, respond, client, services }, parsed);
    } catch (error) {
      await respond({ response_type: 'ephemeral', text: userFacingMessage(error, services.logger) });
    }
  };
}
