import { QuellError } from '../../errors.js';
import type { Incident } from '../../incidents/model.js';
import type { ListenerDeps } from './deps.js';

/** A button or form names one incident but came from another incident's channel. */
export class IncidentMismatchError extends QuellError {
  constructor(claimed: string, channelIncident: string) {
    super(
      'incident_mismatch',
      `This belongs to ${claimed}, but this is ${channelIncident}'s channel. Nothing was changed; use ${claimed}'s own channel.`,
    );
  }
}

/**
 * Where a request's incident comes from: the channel it was sent in, or an id the request carries
 * (a button value, a form's metadata). A carried id is checked against the channel the request came
 * from: a channel that belongs to another incident refuses it. A channel that belongs to no incident
 * (an escalation channel, a DM) accepts it.
 */
export type IncidentSource<P> =
  | { from: 'channel'; label: string }
  | { from: 'payload'; id: (payload: P) => string };

export async function resolveIncident<P>(
  deps: ListenerDeps,
  source: IncidentSource<P>,
  payload: P,
  channel: string | undefined,
): Promise<Incident> {
  if (source.from === 'channel') return deps.incidents.requireForChannel(channel ?? '', source.label);
  const claimed = source.id(payload);
  const own = channel ? await deps.incidents.findForChannel(channel) : undefined;
  if (own && own.id !== claimed) throw new IncidentMismatchError(claimed, own.id);
  return own ?? deps.incidents.require(claimed);
}
