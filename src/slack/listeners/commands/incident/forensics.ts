import { parseDuration } from '../../../../config/duration.js';
import { UsageError } from '../../../../errors.js';
import { jobIdOf } from '../../../../jobs/index.js';
import { forensicsViews } from '../../../blocks/forensics.js';
import { channelIncident, defineSubcommand, noArguments } from '../../../boundary/command.js';

const COLLECT_USAGE = '/incident collect [collector] [--since 2h|<ISO time>]';

export interface CollectArgs {
  collector?: string;
  since?: string;
}

/** `[collector] [--since 2h|2026-12-01T09:00Z]`; a duration is counted back from now. */
export function parseCollectArgs(text: string, now: Date): CollectArgs {
  const words = text.trim().split(/\s+/).filter(Boolean);
  const out: CollectArgs = {};
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    if (word === '--since') {
      const value = words[++i];
      if (!value)
        throw new UsageError('`--since` needs a duration (2h) or a time (2026-12-01T09:00Z).', COLLECT_USAGE);
      const ms = parseDuration(value);
      const at = ms !== undefined ? now.getTime() - ms : Date.parse(value);
      if (Number.isNaN(at))
        throw new UsageError(`"${value}" is neither a duration (2h) nor a time.`, COLLECT_USAGE);
      out.since = new Date(at).toISOString();
    } else if (!out.collector && /^[a-z0-9][a-z0-9-]{0,40}$/.test(word)) out.collector = word;
    else throw new UsageError(`I don't understand "${word}".`, COLLECT_USAGE);
  }
  return out;
}

/**
 * `/incident collect`: checks the permission and the collector's name, then queues one durable run
 * per collector on the long lane (keyed by the trigger id: a resent command collects once). Each
 * run shows its progress and result in the channel.
 */
export const collectSubcommand = defineSubcommand({
  name: 'collect',
  usage: COLLECT_USAGE,
  summary:
    "Preserve the agent's own trail now (prompts, tool calls, logs, queue payloads, permissions) from the configured collectors, into the evidence bundle. Runs by itself on declare and after containment.",
  parse: (text, services) => parseCollectArgs(text, services.clock.now()),
  async run(context, args) {
    const incident = await channelIncident(context, 'collect');
    const { collectors } = await context.services.forensics.requestCollect(
      incident.id,
      context.command.user_id,
      jobIdOf('cmd', context.idempotencyKey),
      args,
    );
    await context.reply.tell(
      `${incident.drill ? 'Drill: planning' : 'Collecting'} ${collectors.join(', ')} for ${incident.id}${args.since ? ` since ${args.since}` : ''}: progress is shown in this channel.`,
    );
  },
});

/** `/incident agent-timeline`: the last tool and model calls collected, inputs masked, each with a Mark button. */
export const agentTimelineSubcommand = defineSubcommand({
  name: 'agent-timeline',
  usage: '/incident agent-timeline',
  summary:
    'Show the last tool and model calls the agent made, from every collector, on one clock (only to you).',
  parse: noArguments('/incident agent-timeline'),
  async run(context) {
    const incident = await channelIncident(context, 'agent-timeline');
    const last = await context.services.forensics.lastCalls(incident.id, context.command.user_id, 10);
    await context.reply.tell(forensicsViews().agentTimeline({ incidentId: incident.id, ...last }));
  },
});
