import type { Services } from '../../services.js';

/**
 * What a Slack listener may use: domain services, config, logger, clock and the durable request
 * queue (the boundary's, for work promised after the reply).
 * Deliberately not Redis, the incident store or the chat port: listeners parse, call the domain
 * and answer; persistence and Slack writes are the domain's business.
 */
export type ListenerDeps = Pick<
  Services,
  | 'config'
  | 'logger'
  | 'clock'
  | 'incidents'
  | 'comms'
  | 'reminders'
  | 'evidence'
  | 'containment'
  | 'resolution'
  | 'obligations'
  | 'forensics'
  | 'requests'
>;
