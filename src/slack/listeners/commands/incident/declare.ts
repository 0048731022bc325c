import { UsageError } from '../../../../errors.js';
import { INCIDENT_CATEGORIES, type IncidentCategory } from '../../../../incidents/model.js';
import { MAX_TITLE_LENGTH } from '../../../../incidents/service.js';
import { parseSeverity, restAfter, tokenize } from '../../../args.js';
import { declareModal } from '../../../blocks/declare-modal.js';
import { escapeText, truncate } from '../../../blocks/format.js';
import { defineSubcommand, replyEphemeral } from '../../../boundary/command.js';
import type { ListenerDeps } from '../../../boundary/deps.js';
import { parseStartedAt } from './started-at.js';

const USAGE =
  '/incident declare [--drill] [--no-announce] [--private|--public] [--category <security|privacy|safety|integrity|compliance|operational>] [--started <13:20|2026-11-21T13:20Z|90m>] <sev1|sev2|sev3|sev4> <title>';

const FLAGS = ['--drill', '--no-announce', '--private', '--public', '--category', '--started'] as const;

interface DeclareOptions {
  drill: boolean;
  announce: boolean;
  /** When the agent's misbehaviour started, if given (ISO instant). */
  startedAt?: string;
  /** `--private` / `--public`; unset: `incidents.privateByDefault` decides. */
  private?: boolean;
  category?: IncidentCategory;
}

export type DeclareArgs =
  | ({ mode: 'modal' } & DeclareOptions)
  | ({ mode: 'inline'; severity: ReturnType<typeof parseSeverity>; title: string } & DeclareOptions);

/** Everything is checked here, before the ack, so the ack never promises what will be refused. */
export function parseDeclareArgs(
  text: string,
  services?: Pick<ListenerDeps, 'clock' | 'config'>,
): DeclareArgs {
  const tokens = tokenize(text);
  const flags = new Set<string>();
  let consumed = 0;
  let startedAt: string | undefined;
  let category: IncidentCategory | undefined;
  while (tokens[0]?.startsWith('--')) {
    const flag = tokens.shift()!;
    consumed += 1;
    if (!(FLAGS as readonly string[]).includes(flag))
      throw new UsageError(`Unknown option ${truncate(flag, 40)}; options are ${FLAGS.join(', ')}.`, USAGE);
    flags.add(flag);
    if (flag === '--category') {
      const name = tokens.shift()?.toLowerCase();
      consumed += 1;
      if (!name || !(INCIDENT_CATEGORIES as readonly string[]).includes(name))
        throw new UsageError(
          `\`--category\` takes one of ${INCIDENT_CATEGORIES.join(', ')}${name ? ` (not ${truncate(name, 40)})` : ''}.`,
          USAGE,
        );
      category = name as IncidentCategory;
    }
    if (flag === '--started') {
      const when = tokens.shift();
      consumed += 1;
      const now = services?.clock.now() ?? new Date();
      const at = when ? parseStartedAt(when, now, services?.config.incidents.timezone ?? 'UTC') : undefined;
      if (at === 'future')
        throw new UsageError('`--started` is in the future; give when the agent started misbehaving.', USAGE);
      if (!at)
        throw new UsageError(
          `\`--started\` takes a time such as 13:20 (today, ${services?.config.incidents.timezone ?? 'UTC'}), 2026-11-21T13:20Z, or 90m (ago).`,
          USAGE,
        );
      startedAt = at.toISOString();
    }
  }
  if (flags.has('--private') && flags.has('--public'))
    throw new UsageError('Choose one of `--private` and `--public`.', USAGE);
  const options: DeclareOptions = {
    drill: flags.has('--drill'),
    announce: !flags.has('--no-announce'),
    ...(flags.has('--private') ? { private: true } : flags.has('--public') ? { private: false } : {}),
    ...(category ? { category } : {}),
    ...(startedAt ? { startedAt } : {}),
  };
  if (tokens.length === 0) return { mode: 'modal', ...options };
  const severity = parseSeverity(tokens[0], USAGE);
  const title = restAfter(text, consumed + 1);
  if (!title) throw new UsageError('Give the incident a title after the severity.', USAGE);
  if (title.length > MAX_TITLE_LENGTH)
    throw new UsageError(
      `The title is ${title.length} characters; keep it to ${MAX_TITLE_LENGTH} (put the details in the channel once it is open). Nothing was declared.`,
      USAGE,
    );
  return { mode: 'inline', ...options, severity, title };
}

export const declareSubcommand = defineSubcommand({
  name: 'declare',
  usage: USAGE,
  summary: 'Declare an incident: opens a form, or declares at once with a severity and title.',
  parse: parseDeclareArgs,
  ackReply: (args) =>
    args.mode === 'inline'
      ? `Declaring ${args.severity.toUpperCase()} incident: ${escapeText(args.title)}…`
      : undefined,
  opensForm: (args) => args.mode === 'modal',
  async openForm({ command, client, services }, args) {
    if (args.mode !== 'modal') return false;
    await client.views.open({
      trigger_id: command.trigger_id,
      view: declareModal(services.config, {
        drill: args.drill,
        announce: args.announce,
        channelId: command.channel_id,
        ...(args.startedAt ? { startedAt: args.startedAt } : {}),
        ...(args.private ? { private: true } : {}),
        ...(args.category ? { category: args.category } : {}),
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
      ...(args.startedAt ? { startedAt: new Date(args.startedAt) } : {}),
      ...(args.private !== undefined ? { private: args.private } : {}),
      ...(args.category ? { category: args.category } : {}),
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
