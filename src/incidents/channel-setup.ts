import type { Logger } from 'pino';
import { ChatError, type ChatPort, chatErrorCode } from '../chat/port.js';
import type { Clock } from '../clock.js';
import type { QuellConfig } from '../config/schema.js';
import { QuellError } from '../errors.js';
import { channelNameFor, withSuffix } from './channel-name.js';
import type { Incident } from './model.js';
import type { IncidentPresenter } from './presenter.js';
import type { IncidentStore } from './store.js';
import { SYSTEM_ACTOR, type TimelineEvent, type TimelineKind } from './timeline.js';

/** Channel names are tried with a suffix (-2, -3, ...) this many times before giving up. */
const MAX_NAME_ATTEMPTS = 20;

/** The channel topic: what a responder glancing at the channel header needs. */
export function topicOf(incident: Incident, config: QuellConfig): string {
  const drill = incident.drill ? '[DRILL] ' : '';
  const label = config.severities[incident.severity].label;
  return `${drill}${label} · ${incident.status} · ${incident.title}`.slice(0, 250);
}

export function timelineEvent(
  clock: Clock,
  incident: Incident,
  actor: string,
  kind: TimelineKind,
  text: string,
  data: Record<string, unknown>,
): TimelineEvent {
  return { incidentId: incident.id, at: clock.now().toISOString(), actor, kind, text, data };
}

/**
 * A declared incident's channel: create it (a unique name from `channels.namePattern`), set topic
 * and purpose, invite the declarer and the responders, post and pin the summary, announce it.
 * Only creation is required; every later step is best effort, reported in the channel and on the
 * timeline.
 */
export class IncidentChannelSetup {
  constructor(
    private readonly deps: {
      store: IncidentStore;
      chat: ChatPort;
      views: IncidentPresenter;
      config: QuellConfig;
      clock: Clock;
      logger: Logger;
    },
  ) {}

  /** Creates and prepares the channel. Every step after creation is best effort and reported. */
  async open(
    incident: Incident,
    input: { declaredBy: string; announce?: boolean },
  ): Promise<{ incident: Incident; failures: string[] }> {
    const { chat, config, store, views } = this.deps;
    const failures: string[] = [];
    let channel: Awaited<ReturnType<ChatPort['createChannel']>>;
    try {
      channel = await this.createUniqueChannel(incident);
    } catch (error) {
      const reason = chatErrorCode(error);
      await store.appendTimeline(
        timelineEvent(
          this.deps.clock,
          incident,
          SYSTEM_ACTOR,
          'setup_failed',
          `could not create the incident channel: ${reason}`,
          {
            step: 'create channel',
            error: reason,
          },
        ),
      );
      throw new QuellError(
        'channel_create_failed',
        `${incident.id} is recorded, but Slack refused to create its channel (${reason}). Check the app's channels:manage scope and try \`/incident declare\` again.`,
        { cause: error },
      );
    }
    await store.linkChannel(channel.id, incident.id);
    let current = (
      await store.update(incident.id, (c) => ({
        incident: { ...c, channelId: channel.id, channelName: channel.name },
        event: null,
      }))
    ).incident;

    const step = async (name: string, run: () => Promise<unknown>) => {
      try {
        await run();
      } catch (error) {
        failures.push(`${name}: ${chatErrorCode(error)}`);
        this.deps.logger.warn({ err: error, incident: incident.id, step: name }, 'declare step failed');
      }
    };

    const drillTag = incident.drill ? '[DRILL] ' : '';
    await step('set topic', () => chat.setTopic(channel.id, topicOf(incident, this.deps.config)));
    await step('set purpose', () =>
      chat.setPurpose(channel.id, `${drillTag}Incident ${incident.id}: ${incident.title}`.slice(0, 250)),
    );
    const invitees = new Set<string>([input.declaredBy, ...config.responders.users]);
    for (const group of config.responders.usergroups) {
      await step(`read user group ${group}`, async () => {
        for (const member of await chat.usergroupMembers(group)) invitees.add(member);
      });
    }
    await step('invite responders', async () => {
      const refused = await chat.inviteUsers(channel.id, [...invitees]);
      for (const { user, error } of refused) failures.push(`invite <@${user}>: ${error}`);
    });
    await step('post summary', async () => {
      const { ts } = await chat.postMessage(channel.id, views.summary(current));
      current = (await store.update(incident.id, (c) => ({ incident: { ...c, summaryTs: ts }, event: null })))
        .incident;
      await chat.pinMessage(channel.id, ts);
    });
    const announcementChannel = config.channels.announcement;
    if (announcementChannel && input.announce !== false && !incident.drill) {
      await step('announce', () => chat.postMessage(announcementChannel, views.announcement(current)));
    }
    if (failures.length > 0) {
      await store.appendTimeline(
        timelineEvent(
          this.deps.clock,
          incident,
          SYSTEM_ACTOR,
          'setup_failed',
          `some set-up steps failed: ${failures.join('; ')}`,
          {
            failures,
          },
        ),
      );
      await step('report failures', () =>
        chat.postMessage(channel.id, views.setupFailures(current, failures)),
      );
    }
    return { incident: current, failures };
  }

  private async createUniqueChannel(incident: Incident) {
    const { config, chat } = this.deps;
    const base = channelNameFor(config.channels.namePattern, {
      id: incident.id,
      title: incident.title,
      severity: incident.severity,
      declaredAt: new Date(incident.createdAt),
      timezone: config.incidents.timezone,
    });
    for (let attempt = 1; attempt <= MAX_NAME_ATTEMPTS; attempt++) {
      const name = attempt === 1 ? base : withSuffix(base, attempt);
      try {
        return await chat.createChannel(name);
      } catch (error) {
        if (!(error instanceof ChatError && error.code === 'name_taken')) throw error;
      }
    }
    throw new ChatError('conversations.create', 'name_taken');
  }
}
