import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from '@slack/bolt';
import { UsageError } from '../../../../errors.js';
import type { Services } from '../../../../services.js';
import { restAfter, tokenize } from '../../../args.js';
import { userFacingMessage } from '../../../user-facing-error.js';
import { archiveSubcommand } from './archive.js';
import {
  agentSubcommand,
  noteSubcommand,
  roleSubcommand,
  severitySubcommand,
  statusSubcommand,
} from './changes.js';
import { declareSubcommand } from './declare.js';
import {
  actionSubcommand,
  actionsSubcommand,
  postmortemSubcommand,
  reactivatePlanSubcommand,
  resolveSubcommand,
  triageSubcommand,
} from './resolution.js';
import type { Subcommand } from './subcommand.js';
import { timelineSubcommand } from './timeline.js';
import { updateSubcommand } from './update.js';

/** Every `/incident` subcommand, in the order `/incident help` lists them. */
export const INCIDENT_SUBCOMMANDS: readonly Subcommand<never>[] = [
  declareSubcommand,
  severitySubcommand,
  statusSubcommand,
  roleSubcommand,
  agentSubcommand,
  noteSubcommand,
  timelineSubcommand,
  archiveSubcommand,
  updateSubcommand,
  triageSubcommand,
  resolveSubcommand,
  reactivatePlanSubcommand,
  postmortemSubcommand,
  actionSubcommand,
  actionsSubcommand,
] as Subcommand<never>[];

export function helpText(subcommands: readonly Subcommand<never>[] = INCIDENT_SUBCOMMANDS): string {
  const lines = subcommands.map((s) => `• \`${s.usage}\`\n    ${s.summary}`);
  return `*Quell: incident response for misbehaving AI agents*\n${lines.join('\n')}\n• \`/incident help\`\n    This list.`;
}

function findSubcommand(name: string): Subcommand<never> | undefined {
  return INCIDENT_SUBCOMMANDS.find((s) => s.name === name || s.aliases?.includes(name));
}

/**
 * `/incident <subcommand> ...`: parses before acking so bad input is answered in the ack itself,
 * acks within milliseconds, then runs the slow part and reports through `respond`.
 */
export function incidentCommandHandler(services: Services) {
  return async function handleIncidentCommand({
    command,
    ack,
    respond,
    client,
  }: AllMiddlewareArgs & SlackCommandMiddlewareArgs): Promise<void> {
    const name = tokenize(command.text)[0]?.toLowerCase() ?? 'help';
    if (name === 'help') {
      await ack({ response_type: 'ephemeral', text: helpText() });
      return;
    }
    const subcommand = findSubcommand(name);
    let parsed: never;
    try {
      if (!subcommand) throw new UsageError(`\`/incident ${name}\` is not a command I know.\n${helpText()}`);
      parsed = subcommand.parse(restAfter(command.text, 1)) as never;
    } catch (error) {
      await ack({ response_type: 'ephemeral', text: userFacingMessage(error, services.logger) });
      return;
    }
    const ackText = subcommand.ackText?.(parsed);
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
