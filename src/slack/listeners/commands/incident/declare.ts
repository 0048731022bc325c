import { UsageError } from '../../../../errors.js';
import { parseSeverity, restAfter, tokenize } from '../../../args.js';
import { declareModal } from '../../../blocks/declare-modal.js';
import { defineSubcommand, replyEphemeral } from '../../../boundary/command.js';

const USAGE = '/incident declare [--drill] [--no-announce] <sev1|sev2|sev3|sev4> <title>';

const FLAGS = ['--drill', '--no-announce'] as const;

export type DeclareArgs =
  | { mode: 'modal'; drill: boolean; announce: boolean }
  | {
      mode: 'inline';
      drill: boolean;
      announce: boolean;
      severity: ReturnType<typeof parseSeverity>;
      title: string;
    };

export function parseDeclareArgs(text: string): DeclareArgs {
  const tokens = tokenize(text);
  const flags = new Set<string>();
  while (tokens[0]?.startsWith('--')) {
    const flag = tokens.shift()!;
    if (!(FLAGS as readonly string[]).includes(flag))
      throw new UsageError(`Unknown option ${flag}; options are ${FLAGS.join(', ')}.`, USAGE);
    flags.add(flag);
  }
  const options = { drill: flags.has('--drill'), announce: !flags.has('--no-announce') };
  if (tokens.length === 0) return { mode: 'modal', ...options };
  const severity = parseSeverity(tokens[0], USAGE);
  const title = restAfter(text, flags.size + 1);
  if (!title) throw new UsageError('Give the incident a title after the severity.', USAGE);
  return { mode: 'inline', ...options, severity, title };
}

export const declareSubcommand = defineSubcommand({
  name: 'declare',
  usage: USAGE,
  summary: 'Declare an incident: opens a form, or declares at once with a severity and title.',
  parse: parseDeclareArgs,
  ackReply: (args) =>
    args.mode === 'inline' ? `Declaring ${args.severity.toUpperCase()} incident: ${args.title}…` : undefined,
  async openForm({ command, client, services }, args) {
    if (args.mode !== 'modal') return false;
    await client.views.open({
      trigger_id: command.trigger_id,
      view: declareModal(services.config, {
        drill: args.drill,
        announce: args.announce,
        channelId: command.channel_id,
      }),
    });
    return true;
  },
  async run(context, args) {
    const { command, services } = context;
    if (args.mode !== 'inline') return;
    const outcome = await services.incidents.declare({
      title: args.title,
      severity: args.severity,
      drill: args.drill,
      announce: args.announce,
      declaredBy: command.user_id,
      idempotencyKey: context.idempotencyKey,
    });
    const { incident } = outcome;
    const where = incident.channelId ? `<#${incident.channelId}>` : 'its channel';
    const problems = outcome.failures.length ? ` Some set-up steps failed; see ${where}.` : '';
    await replyEphemeral(
      context,
      `${incident.drill ? '[DRILL] ' : ''}${incident.id} is open in ${where}.${problems}`,
    );
  },
});
