import type { Logger } from 'pino';
import { ChatError, type ChatPort, chatErrorCode } from '../chat/port.js';
import type { Clock } from '../clock.js';
import type { QuellConfig } from '../config/schema.js';
import { QuellError, UsageError } from '../errors.js';
import { channelNameFor, MAX_CHANNEL_NAME_LENGTH, withSuffix } from './channel-name.js';
import { timelineEvent, topicOf } from './channel-setup.js';
import type { Incident } from './model.js';
import type { IncidentPresenter } from './presenter.js';
import type { IncidentStore } from './store.js';
import type { TimelineEvent } from './timeline.js';

/**
 * Slack gives apps no way to make a live public channel private. What Quell offers instead: a
 * private follow-up channel. The incident moves there (new private channel, its people invited,
 * the live summary pinned there), the public channel stops being the incident's (commands there
 * no longer act on it) and is told, without naming the new channel, whom to ask; from then on the
 * incident is private (announcement, App Home, talking points).
 */
export interface PrivateFollowUpDeps {
  store: IncidentStore;
  chat: ChatPort;
  views: Pick<IncidentPresenter, 'summary' | 'movedToPrivate'>;
  config: QuellConfig;
  clock: Clock;
  logger: Logger;
}

const MAX_NAME_ATTEMPTS = 20;
const SUFFIX = '-private';

export class PrivateFollowUp {
  constructor(private readonly deps: PrivateFollowUpDeps) {}

  async open(
    incidentId: string,
    actor: string,
  ): Promise<{ before: Incident; incident: Incident; event: TimelineEvent; failures: string[] }> {
    const { store, chat, config, views } = this.deps;
    const current = await store.require(incidentId);
    if (current.private) throw new UsageError(`${current.id} is already private.`);
    const publicChannel = current.channelId;
    if (!publicChannel) throw new UsageError(`${current.id} has no channel to follow up from.`);
    const channel = await this.createPrivateChannel(current);
    const failures: string[] = [];
    const step = async (name: string, run: () => Promise<unknown>) => {
      try {
        await run();
      } catch (error) {
        failures.push(`${name}: ${chatErrorCode(error)}`);
        this.deps.logger.warn(
          { err: error, incident: current.id, step: name },
          'private follow-up step failed',
        );
      }
    };

    await store.linkChannel(channel.id, current.id);
    const { before, incident, event } = await store.update(current.id, (c) => {
      const moved: Incident = {
        ...c,
        private: true,
        channelId: channel.id,
        channelName: channel.name,
        summaryTs: undefined,
        previousChannelIds: [...(c.previousChannelIds ?? []), publicChannel],
        updatedAt: this.deps.clock.now().toISOString(),
      };
      return {
        incident: moved,
        event: timelineEvent(
          this.deps.clock,
          moved,
          actor,
          'privacy_changed',
          'moved the incident to a private follow-up channel',
          { from: 'public', to: 'private', previousChannel: publicChannel, channel: channel.id },
        ),
      };
    });
    // the public channel is no longer the incident's: commands there stop acting on it
    await store.unlinkChannel(publicChannel, current.id);

    const invitees = new Set<string>([actor, ...Object.values(incident.roles), ...config.responders.users]);
    for (const group of config.responders.usergroups)
      await step(`read user group ${group}`, async () => {
        for (const member of await chat.usergroupMembers(group)) invitees.add(member);
      });
    await step('invite', async () => {
      for (const { user, error } of await chat.inviteUsers(channel.id, [...invitees]))
        failures.push(`invite <@${user}>: ${error}`);
    });
    await step('set topic', () => chat.setTopic(channel.id, topicOf(incident, config)));
    let latest = incident;
    await step('post summary', async () => {
      const { ts } = await chat.postMessage(channel.id, views.summary(incident));
      latest = (await store.update(incident.id, (c) => ({ incident: { ...c, summaryTs: ts }, event: null })))
        .incident;
      await chat.pinMessage(channel.id, ts);
    });
    await step('tell the public channel', () =>
      chat.postMessage(publicChannel, views.movedToPrivate(latest)),
    );
    return { before, incident: latest, event: event!, failures };
  }

  private async createPrivateChannel(incident: Incident) {
    const { config, chat } = this.deps;
    const base = channelNameFor(config.channels.namePattern, {
      id: incident.id,
      title: incident.title,
      severity: incident.severity,
      declaredAt: new Date(incident.createdAt),
      timezone: config.incidents.timezone,
    });
    const name = `${base.slice(0, MAX_CHANNEL_NAME_LENGTH - SUFFIX.length).replace(/-+$/, '')}${SUFFIX}`;
    for (let attempt = 1; attempt <= MAX_NAME_ATTEMPTS; attempt++) {
      try {
        return await chat.createChannel(attempt === 1 ? name : withSuffix(name, attempt), {
          isPrivate: true,
        });
      } catch (error) {
        if (error instanceof ChatError && error.code === 'name_taken') continue;
        throw new QuellError(
          'channel_create_failed',
          `Slack refused to create the private channel (${chatErrorCode(error)}). Check the app's groups:write scope.`,
          { cause: error },
        );
      }
    }
    throw new QuellError('channel_create_failed', 'Every private channel name Quell tried is taken.');
  }
}
