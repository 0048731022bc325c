import { UsageError } from '../../../errors.js';
import {
  channelIncident,
  defineCommand,
  defineSubcommand,
  replyEphemeral,
  type Subcommand,
  type SubcommandContext,
  type SubcommandSet,
} from '../../boundary/command.js';
import { COMMANDS } from '../../ids.js';

/** `/contain`: containment from the incident channel. Parsed before the ack; work after it. */
export type ContainCommand =
  | { kind: 'list' }
  | { kind: 'status' }
  | { kind: 'undo'; runId: string }
  | {
      kind: 'run';
      target: 'action' | 'playbook';
      name: string;
      args: Record<string, string>;
      dryRun: boolean;
    };

export const CONTAIN_USAGE = [
  '`/contain` — list the actions and playbooks, with what each does',
  '`/contain <action> [key=value ...] [--dry-run]` — run an action (asks you to confirm first)',
  '`/contain playbook <name> [--dry-run]` — run a playbook',
  '`/contain status` — controls in force for this incident',
  '`/contain undo <run-id>` — reverse one run (`r3`) or a whole playbook run (`p1`)',
].join('\n');

const DRY_RUN_FLAGS = new Set(['--dry-run', '—dry-run', 'dry-run', '--dryrun']);
const ARG = /^([A-Za-z][\w-]*)=(.*)$/s;

/** Whitespace-separated tokens; "double quotes" (straight or Slack's curly ones) keep spaces. */
export function containTokens(text: string): string[] {
  const tokens: string[] = [];
  const pattern = /(?:[^\s"“”]+|["“][^"”]*["”])+/g;
  for (const match of text.trim().matchAll(pattern)) tokens.push(match[0].replace(/["“”]/g, ''));
  return tokens;
}

export function parseContainCommand(text: string): ContainCommand {
  const tokens = containTokens(text);
  const dryRun = tokens.some((t) => DRY_RUN_FLAGS.has(t.toLowerCase()));
  const rest = tokens.filter((t) => !DRY_RUN_FLAGS.has(t.toLowerCase()));
  const [first, ...more] = rest;
  const head = first?.toLowerCase();
  if (!head || head === 'list' || head === 'help') {
    if (more.length) throw new UsageError(`\`/contain ${head}\` takes no arguments.\n${CONTAIN_USAGE}`);
    return { kind: 'list' };
  }
  if (head === 'status') {
    if (more.length || dryRun)
      throw new UsageError('`/contain status` takes no arguments.', '/contain status');
    return { kind: 'status' };
  }
  if (head === 'undo') {
    const runId = more[0]?.toLowerCase();
    if (!runId || more.length > 1 || !/^[rp]\d+$/.test(runId))
      throw new UsageError(
        runId
          ? `"${more[0]}" is not a run id; run ids look like r3 (one action) or p1 (a playbook run).`
          : 'Name the run to undo.',
        '/contain undo <run-id>',
      );
    if (dryRun) throw new UsageError('Undo has no dry run.', '/contain undo <run-id>');
    return { kind: 'undo', runId };
  }
  if (head === 'playbook') {
    const name = more[0]?.toLowerCase();
    if (!name) throw new UsageError('Name the playbook.', '/contain playbook <name> [--dry-run]');
    if (more.length > 1)
      throw new UsageError('Playbooks take no arguments.', '/contain playbook <name> [--dry-run]');
    return { kind: 'run', target: 'playbook', name, args: {}, dryRun };
  }
  const args: Record<string, string> = {};
  for (const token of more) {
    const match = ARG.exec(token);
    if (!match)
      throw new UsageError(
        `"${token}" is not an argument; arguments look like key=value.`,
        `/contain ${head} [key=value ...] [--dry-run]`,
      );
    args[match[1]!] = match[2]!;
  }
  return { kind: 'run', target: 'action', name: head, args, dryRun };
}

function parseAs<K extends ContainCommand['kind']>(head: string, kind: K) {
  return (text: string) => {
    const parsed = parseContainCommand(`${head} ${text}`);
    if (parsed.kind !== kind) throw new UsageError(CONTAIN_USAGE);
    return parsed as Extract<ContainCommand, { kind: K }>;
  };
}

/** Asks to run an action or playbook: the presser gets the confirmation prompt (only they see it). */
async function requestRun(context: SubcommandContext, parsed: Extract<ContainCommand, { kind: 'run' }>) {
  const incident = await channelIncident(context);
  const message = await context.services.containment.requestRun({
    incident,
    user: context.command.user_id,
    kind: parsed.target,
    name: parsed.name,
    args: parsed.args,
    dryRun: parsed.dryRun,
  });
  await replyEphemeral(context, message);
}

const listSubcommand = defineSubcommand({
  name: 'list',
  aliases: ['help'],
  usage: '/contain',
  summary: 'List the actions and playbooks, with what each does.',
  parse: parseAs('list', 'list'),
  // the catalog comes from config in memory: answered in the ack itself
  ackReply: (_parsed, services) => services.containment.catalogMessage(),
});

const statusSubcommand = defineSubcommand<Extract<ContainCommand, { kind: 'status' }>>({
  name: 'status',
  usage: '/contain status',
  summary: 'Controls in force for this incident.',
  parse: parseAs('status', 'status'),
  async run(context) {
    const incident = await channelIncident(context);
    const runs = await context.services.containment.status(incident.id);
    await replyEphemeral(context, context.services.containment.statusMessage(incident.id, runs));
  },
});

const undoSubcommand = defineSubcommand<Extract<ContainCommand, { kind: 'undo' }>>({
  name: 'undo',
  usage: '/contain undo <run-id>',
  summary: 'Reverse one run (`r3`) or a whole playbook run (`p1`).',
  parse: parseAs('undo', 'undo'),
  async run(context, parsed) {
    const incident = await channelIncident(context);
    await replyEphemeral(
      context,
      await context.services.containment.requestUndo(incident, context.command.user_id, parsed.runId),
    );
  },
});

const playbookSubcommand = defineSubcommand({
  name: 'playbook',
  usage: '/contain playbook <name> [--dry-run]',
  summary: 'Run a playbook (asks you to confirm first).',
  parse: parseAs('playbook', 'run'),
  run: requestRun,
});

/** `/contain <action> [key=value ...] [--dry-run]`, and any text that starts with a flag. */
const actionFallback = defineSubcommand({
  name: 'action',
  usage: '/contain <action> [key=value ...] [--dry-run]',
  summary: 'Run an action (asks you to confirm first).',
  parse(text) {
    const parsed = parseContainCommand(text);
    return parsed;
  },
  ackReply: (parsed, services) =>
    parsed.kind === 'list' ? services.containment.catalogMessage() : undefined,
  async run(context, parsed) {
    if (parsed.kind === 'run') await requestRun(context, parsed);
    else if (parsed.kind !== 'list') await statusOrUndo(context, parsed);
  },
});

async function statusOrUndo(context: SubcommandContext, parsed: ContainCommand) {
  if (parsed.kind === 'status') await statusSubcommand.run!(context, parsed);
  if (parsed.kind === 'undo') await undoSubcommand.run!(context, parsed);
}

export const CONTAIN_COMMAND: SubcommandSet = {
  command: COMMANDS.contain,
  title: 'Quell containment: authorized, confirmed, verified, undoable',
  subcommands: [listSubcommand, statusSubcommand, undoSubcommand, playbookSubcommand] as Subcommand<never>[],
  whenEmpty: 'list',
  fallback: actionFallback as Subcommand<never>,
};

/** `/contain ...`: through the same router as `/incident` and `/comms`. */
export const containCommand = defineCommand(CONTAIN_COMMAND);
