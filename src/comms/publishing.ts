import type { Logger } from 'pino';
import { type ChatPort, chatErrorCode } from '../chat/port.js';
import type { Clock } from '../clock.js';
import type { QuellConfig } from '../config/schema.js';
import type { Incident } from '../incidents/model.js';
import type { IncidentService } from '../incidents/service.js';
import type { ApprovedMessage, CommsDraft, CommsLogEntry } from './model.js';
import type { CommsPresenter, ResolvedDestination } from './presenter.js';
import type { CommsStore } from './store.js';
import type { TemplateLibrary } from './templates.js';

export type Publication = Extract<CommsLogEntry, { kind: 'published' | 'publish_failed' }>;

/**
 * Publishing an approved message to its audience's destination (config, else the template's
 * `publish`), never outside the incident channel in a drill; the outcome is logged and put on the
 * timeline whether Slack accepted the post or not.
 */
export class CommsPublisher {
  constructor(
    private readonly deps: {
      templates: TemplateLibrary;
      config: QuellConfig;
      chat: ChatPort;
      views: CommsPresenter;
      comms: CommsStore;
      incidents: Pick<IncidentService, 'record'>;
      clock: Clock;
      logger: Logger;
    },
  ) {}

  destinationFor(audience: string, incident: Incident): ResolvedDestination {
    const template = this.deps.templates.get(audience);
    const configured = this.deps.config.comms.audiences[audience]?.destination ?? template?.publish ?? 'none';
    if (configured === 'none') return { kind: 'none' };
    if (configured === 'incident-channel')
      return incident.channelId ? { kind: 'channel', channel: incident.channelId } : { kind: 'none' };
    return { kind: 'channel', channel: configured };
  }

  async publish(
    incident: Incident,
    draft: CommsDraft,
    approved: ApprovedMessage,
  ): Promise<Publication | undefined> {
    const destination = this.destinationFor(draft.audience, incident);
    if (destination.kind === 'none') return undefined;
    // a drill never reaches anyone outside its own channel
    const redirected = incident.drill && destination.channel !== incident.channelId;
    const channel = redirected ? incident.channelId : destination.channel;
    if (!channel) return undefined;
    const message = this.deps.views.publication({
      incident,
      draft,
      approved,
      ...(redirected ? { drillInsteadOf: destination } : {}),
    });
    const common = {
      draftId: draft.id,
      audience: draft.audience,
      version: approved.version,
      sha256: approved.sha256,
      actor: approved.approvedBy,
      channel,
    };
    let entry: Publication;
    try {
      const { ts } = await this.deps.chat.postMessage(channel, message);
      entry = {
        kind: 'published',
        ...common,
        at: this.deps.clock.now().toISOString(),
        ts,
        drill: incident.drill,
      };
      await this.deps.comms.appendLog(incident.id, entry);
      await this.deps.incidents.record(
        incident.id,
        approved.approvedBy,
        'comms_published',
        `published the ${draft.title.toLowerCase()} v${approved.version} to <#${channel}>${redirected ? ' (drill: kept in the incident channel)' : ''}`,
        {
          ...common,
          ts,
          drill: incident.drill,
          ...(redirected ? { intendedChannel: destination.channel } : {}),
        },
      );
    } catch (error) {
      const reason = chatErrorCode(error);
      this.deps.logger.warn({ err: error, incident: incident.id, channel }, 'comms publish failed');
      entry = { kind: 'publish_failed', ...common, at: this.deps.clock.now().toISOString(), error: reason };
      await this.deps.comms.appendLog(incident.id, entry);
      await this.deps.incidents.record(
        incident.id,
        approved.approvedBy,
        'comms_publish_failed',
        `could not publish the ${draft.title.toLowerCase()} v${approved.version} to <#${channel}>: ${reason}`,
        { ...common, error: reason },
      );
    }
    return entry;
  }
}
