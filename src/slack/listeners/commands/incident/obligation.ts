import { UsageError } from '../../../../errors.js';
import { restAfter, tokenize } from '../../../args.js';
import { channelIncident, defineSubcommand, noArguments, replyEphemeral } from '../../../boundary/command.js';
import type { ListenerDeps } from '../../../boundary/deps.js';
import { parseStartedAt } from './started-at.js';

/** Notification clocks: `/incident obligation add|submitted|waive` and `/incident obligations`. */

export const OBLIGATION_USAGE =
  '/incident obligation add <type> [--aware <time>]  ·  /incident obligation submitted <type> [--initial] [reference]  ·  /incident obligation waive <type> <reason>';

export type ObligationArgs =
  | { kind: 'add'; type: string; awareAt?: string }
  | { kind: 'submitted'; type: string; initial: boolean; reference: string }
  | { kind: 'waive'; type: string; reason: string };

const knownTypes = (services: ListenerDeps) => Object.keys(services.config.obligations.types);

/** The type as typed, checked against the config (no I/O: bad input is answered in the ack). */
function parseType(token: string | undefined, services: ListenerDeps): string {
  const types = knownTypes(services);
  if (!token)
    throw new UsageError(
      `Name the obligation type: ${types.map((t) => `\`${t}\``).join(', ')}.`,
      OBLIGATION_USAGE,
    );
  const type = token.toLowerCase();
  if (!types.includes(type))
    throw new UsageError(
      `\`${token.slice(0, 40).replace(/[`<>&]/g, '')}\` is not an obligation type. Known types: ${types.map((t) => `\`${t}\``).join(', ')}.`,
      OBLIGATION_USAGE,
    );
  return type;
}

/**
 * When the organisation became aware, as typed after `--aware`: an instant with offset, a local
 * date and time or a time of today in the configured timezone, or how long ago (`3h`, `2d`).
 */
function parseAware(text: string, services: ListenerDeps): string {
  const at = parseStartedAt(text, services.clock.now(), services.config.incidents.timezone);
  if (at === 'future')
    throw new UsageError(
      'The awareness time is in the future; the clock starts when the organisation became aware.',
      OBLIGATION_USAGE,
    );
  if (!at)
    throw new UsageError(
      `"${text.slice(0, 40).replace(/[`<>&]/g, '')}" is not a time; use 2026-11-21T13:20Z, 13:20 (today, ${services.config.incidents.timezone}) or how long ago (3h, 2d).`,
      OBLIGATION_USAGE,
    );
  return at.toISOString();
}

export function parseObligationArgs(text: string, services: ListenerDeps): ObligationArgs {
  const [verb, typeToken, ...rest] = tokenize(text);
  switch (verb?.toLowerCase()) {
    case 'add': {
      const type = parseType(typeToken, services);
      if (rest.length === 0) return { kind: 'add', type };
      if (rest[0] !== '--aware' || rest.length !== 2)
        throw new UsageError(
          'After the type, only `--aware <time>` (one word, e.g. 2026-11-21T13:20Z or 3h).',
          OBLIGATION_USAGE,
        );
      return { kind: 'add', type, awareAt: parseAware(rest[1]!, services) };
    }
    case 'submitted': {
      const type = parseType(typeToken, services);
      const initial = rest[0] === '--initial';
      const reference = restAfter(text, initial ? 3 : 2).slice(0, 200);
      return { kind: 'submitted', type, initial, reference };
    }
    case 'waive': {
      const type = parseType(typeToken, services);
      const reason = restAfter(text, 2);
      if (!reason)
        throw new UsageError('Say why it is waived: the reason is kept in the record.', OBLIGATION_USAGE);
      return { kind: 'waive', type, reason };
    }
    default:
      throw new UsageError('Say `add`, `submitted` or `waive`.', OBLIGATION_USAGE);
  }
}

export const obligationSubcommand = defineSubcommand({
  name: 'obligation',
  usage: OBLIGATION_USAGE,
  summary:
    'Start a notification clock (GDPR Art. 33, EU AI Act Art. 73, your own types) from when the organisation became aware; record the notice as submitted, or waive it with the reason. Shown in the summary, reminded before the deadline, escalated when missed; blocks resolution until submitted or waived.',
  parse: parseObligationArgs,
  async run(context, args) {
    const incident = await channelIncident(context, 'obligation');
    const service = context.services.obligations;
    const actor = context.command.user_id;
    const requestKey = context.idempotencyKey;
    if (args.kind === 'add') {
      const o = await service.add(
        incident.id,
        actor,
        { type: args.type, ...(args.awareAt ? { awareAt: new Date(args.awareAt) } : {}) },
        { requestKey },
      );
      await replyEphemeral(
        context,
        `Started the ${o.name} clock for ${incident.id}: due <!date^${Math.floor(Date.parse(o.deadlineAt) / 1000)}^{date_short_pretty} at {time}|${o.deadlineAt}>.`,
      );
      return;
    }
    if (args.kind === 'submitted') {
      await service.submit(incident.id, actor, args, { requestKey });
      return;
    }
    await service.waive(incident.id, actor, args, { requestKey });
  },
});

export const obligationsSubcommand = defineSubcommand({
  name: 'obligations',
  usage: '/incident obligations',
  summary: 'List the notification deadlines of this incident and the types you can add (only to you).',
  parse: noArguments('/incident obligations'),
  async run(context) {
    const incident = await channelIncident(context, 'obligations');
    await context.reply.tell(context.services.obligations.list(incident));
  },
});
