import type { Logger } from 'pino';
import { z } from 'zod';
import type { ChatPort } from '../chat/port.js';
import { INCIDENT_CATEGORIES, type IncidentCategory } from './categories.js';
import { type Incident, SEVERITIES, type Severity } from './model.js';

/**
 * Private incidents. Security, privacy and data-exposure incidents are run in private channels:
 * who knows what, and when, is itself sensitive while they are live. A private incident's channel
 * is private, its announcement says only that one exists, its severity and who leads it, and the
 * App Home and talking points show it only to the members of its channel.
 */

/** `incidents.privateByDefault`: what is private unless the declarer says `--public`. */
export const privateByDefaultSchema = z
  .strictObject({
    severities: z.array(z.enum(SEVERITIES)).default([]),
    categories: z.array(z.enum(INCIDENT_CATEGORIES)).default(['security', 'privacy']),
  })
  .prefault({});
export type PrivateByDefault = z.infer<typeof privateByDefaultSchema>;

/** Whether a new incident is private: the declarer's word first, then the configured defaults. */
export function isPrivateIncident(
  defaults: PrivateByDefault,
  input: { private?: boolean; severity: Severity; category?: IncidentCategory },
): boolean {
  if (input.private !== undefined) return input.private;
  return (
    defaults.severities.includes(input.severity) ||
    (input.category !== undefined && defaults.categories.includes(input.category))
  );
}

/** Slack gives apps no way to turn a live public channel private; this is what Quell says instead. */
export const NO_PRIVATE_CONVERSION =
  'Slack offers apps no way to make a live public channel private, so this channel stays public (its history too).';

/**
 * Who may see which incident outside its channel (App Home, talking points): everyone sees public
 * incidents, only its channel's members a private one. A membership lookup that fails hides the
 * incident (fail closed) and is logged.
 */
export class IncidentVisibility {
  constructor(private readonly deps: { chat: Pick<ChatPort, 'channelMembers'>; logger: Logger }) {}

  async canSee(incident: Incident, user: string): Promise<boolean> {
    if (!incident.private) return true;
    if (!incident.channelId) return false;
    try {
      return (await this.deps.chat.channelMembers(incident.channelId)).includes(user);
    } catch (error) {
      this.deps.logger.warn(
        { err: error, incident: incident.id },
        'could not read a private channel’s members',
      );
      return false;
    }
  }

  /** The incidents `user` may see, in the order given. */
  async visibleTo<T extends { incident: Incident }>(entries: readonly T[], user: string): Promise<T[]> {
    const seen = await Promise.all(entries.map((e) => this.canSee(e.incident, user)));
    return entries.filter((_, i) => seen[i]);
  }
}
