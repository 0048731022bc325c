import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from '@slack/bolt';
import { UsageError } from '../../../errors.js';
import type { Services } from '../../../services.js';
import { COMMANDS } from '../../ids.js';
import { userFacingMessage } from '../../user-facing-error.js';

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

export function containCommandHandler(services: Services) {
  return async function handleContainCommand({
    command,
    ack,
    respond,
  }: AllMiddlewareArgs & SlackCommandMiddlewareArgs): Promise<void> {
    let parsed: ContainCommand;
    try {
      parsed = parseContainCommand(command.text);
    } catch (error) {
      await ack({ response_type: 'ephemeral', text: userFacingMessage(error, services.logger) });
      return;
    }
    if (parsed.kind === 'list') {
      // the catalog comes from config in memory: answered in the ack itself
      await ack({ response_type: 'ephemeral', ...services.containment.catalogMessage() });
      return;
    }
    await ack();
    try {
      const incident = await services.incidents.requireForChannel(command.channel_id, COMMANDS.contain);
      const containment = services.containment;
      if (parsed.kind === 'status') {
        const runs = await containment.status(incident.id);
        await respond({ response_type: 'ephemeral', ...containment.statusMessage(incident.id, runs) });
        return;
      }
      const message =
        parsed.kind === 'undo'
          ? await containment.requestUndo(incident, command.user_id, parsed.runId)
          : await containment.requestRun({
              incident,
              user: command.user_id,
              kind: parsed.target,
              name: parsed.name,
              args: parsed.args,
              dryRun: parsed.dryRun,
            });
      await respond({ response_type: 'ephemeral', ...message });
    } catch (error) {
      await respond({ response_type: 'ephemeral', text: userFacingMessage(error, services.logger) });
    }
  };
}
