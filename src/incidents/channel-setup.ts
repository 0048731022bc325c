import type { Logger } from 'pino';
import { type ChannelRef, ChatError, type ChatPort, chatErrorCode } from '../chat/port.js';
import type { Clock } from '../clock.js';
import type { QuellConfig } from '../config/schema.js';
import { QuellError } from '../errors.js';
import { crashPoint } from '../jobs/crash-points.js';
import { safeText } from '../text/safe-text.js';
import { IncidentAnnouncements } from './announcements.js';
import { channelNameFor, withSuffix } from './channel-name.js';
import { type Incident, isAutomationActor } from './model.js';
import type { IncidentPresenter } from './presenter.js';
import { findEarlierPost, SetupProgress } from './setup-progress.js';
import type { IncidentStore } from './store.js';
import { SYSTEM_ACTOR, type TimelineEvent, type TimelineKind } from './timeline.js';

/** Channel names are tried with a suffix (-2, -3, ...) this many times before giving up. */
const MAX_NAME_ATTEMPTS = 20;

/** The channel topic: what a responder glancing at the channel header needs. */
export function topicOf(incident: Incident, config: QuellConfig): string {
  const drill = incident.drill ? '[DRILL] ' : '';
  const label = config.severities[incident.severity].label;
  // the title is people's text: a topic must not ping or hide a link (src/text/safe-text.ts)
  return `${drill}${label} · ${incident.status} · ${safeText(incident.title, 'plain')}`.slice(0, 250);
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
 *
 * Every step is recorded (SetupProgress), so `open` run again for the same incident (a job resumed
 * on another replica after a crash) continues from the step it reached: the channel it created is
 * found by the name it recorded before creating it, and a post it made (summary, announcement) is
 * found in the channel before posting again. One channel, one pinned summary, one announcement.
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

  /** Posts the announcement and keeps where it is (the thread and text follow the incident). */
  private get announcements(): IncidentAnnouncements {
    return new IncidentAnnouncements(this.deps);
  }

  /** Creates (or, resumed, finishes) the channel. Every step after creation is best effort and reported. */
  async open(
    incident: Incident,
    input: { declaredBy: string; announce?: boolean },
  ): Promise<{ incident: Incident; failures: string[] }> {
    const { chat, config, store, views } = this.deps;
    const progress = new SetupProgress(store, 'declare-step', incident.id);
    const failures: string[] = [];
    let current = incident;
    if (!current.channelId) current = await this.channelStep(current, progress);
    const channelId = current.channelId!;

    const step = async (name: string, run: () => Promise<unknown>) => {
      try {
        await run();
      } catch (error) {
        failures.push(`${name}: ${chatErrorCode(error)}`);
        this.deps.logger.warn({ err: error, incident: incident.id, step: name }, 'declare step failed');
      }
    };

    // topic and purpose are set again on a resume: the same text twice changes nothing
    const drillTag = incident.drill ? '[DRILL] ' : '';
    await step('set topic', () => chat.setTopic(channelId, topicOf(current, this.deps.config)));
    await step('set purpose', () =>
      chat.setPurpose(
        channelId,
        `${drillTag}Incident ${incident.id}: ${safeText(incident.title, 'plain')}`.slice(0, 250),
      ),
    );
    if (!(await progress.done('invite'))) {
      // an alert rule declares as an automation actor: nobody to invite
      const declarer = isAutomationActor(input.declaredBy) ? [] : [input.declaredBy];
      const invitees = new Set<string>([...declarer, ...config.responders.users]);
      for (const group of config.responders.usergroups) {
        await step(`read user group ${group}`, async () => {
          for (const member of await chat.usergroupMembers(group)) invitees.add(member);
        });
      }
      await step('invite responders', async () => {
        const refused = await chat.inviteUsers(channelId, [...invitees]);
        for (const { user, error } of refused) failures.push(`invite <@${user}>: ${error}`);
      });
      crashPoint('declare.invite');
      await progress.mark('invite');
    }
    if (!current.summaryTs)
      await step('post summary', async () => {
        const ts = await this.postOnce(progress, 'summary', channelId, () => views.summary(current));
        crashPoint('declare.summary');
        current = (
          await store.update(incident.id, (c) => ({ incident: { ...c, summaryTs: ts }, event: null }))
        ).incident;
      });
    const summaryTs = current.summaryTs;
    if (summaryTs && !(await progress.done('pin')))
      await step('pin summary', async () => {
        await chat.pinMessage(channelId, summaryTs).catch((error: unknown) => {
          // a resumed pin of a message an earlier run pinned
          if (!(error instanceof ChatError && error.code === 'already_pinned')) throw error;
        });
        crashPoint('declare.pin');
        await progress.mark('pin');
      });
    const announcementChannel = config.channels.announcement;
    if (
      announcementChannel &&
      input.announce !== false &&
      !incident.drill &&
      !(await progress.done('announce'))
    )
      await step('announce', async () => {
        const ts = await this.postOnce(progress, 'announce', announcementChannel, () =>
          views.announcement(current),
        );
        // the announcement follows the incident (announcements.ts): keep where it is
        current = await this.announcements.remember(current, { channel: announcementChannel, ts });
        crashPoint('declare.announce');
        await progress.mark('announce');
      });
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
        chat.postMessage(channelId, views.setupFailures(current, failures)),
      );
    }
    return { incident: current, failures };
  }

  /** The channel step: create (or find what an earlier run created) and link it. Required. */
  private async channelStep(incident: Incident, progress: SetupProgress): Promise<Incident> {
    const { store } = this.deps;
    let channel: ChannelRef;
    try {
      channel = await this.createUniqueChannel(incident, progress);
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
    crashPoint('declare.channel');
    await store.linkChannel(channel.id, incident.id);
    return (
      await store.update(incident.id, (c) => ({
        incident: { ...c, channelId: channel.id, channelName: channel.name },
        event: null,
      }))
    ).incident;
  }

  /**
   * Posts a message once across re-runs: the intent is recorded first; a re-run that finds it looks
   * for the message an earlier run may have posted, and posts only when there is none.
   */
  private async postOnce(
    progress: SetupProgress,
    step: string,
    channel: string,
    message: () => ReturnType<IncidentPresenter['summary']>,
  ): Promise<string> {
    // Slack's ts are wall-clock time, so the intent records the wall clock, not the (test) clock
    const intent = await progress.intend(step, String(Date.now()));
    const rendered = message();
    if (intent.earlier) {
      const earlier = await findEarlierPost(this.deps.chat, channel, rendered.text, Number(intent.value));
      if (earlier) return earlier;
    }
    const { ts } = await this.deps.chat.postMessage(channel, rendered);
    return ts;
  }

  /**
   * Creates the channel under the first free name. Each name is recorded before it is tried, so a
   * re-run whose recorded name is taken looks that channel up: it is the one the earlier run made
   * (unless another incident holds it), and is used instead of creating a second one.
   */
  private async createUniqueChannel(incident: Incident, progress: SetupProgress): Promise<ChannelRef> {
    const { config, chat, store } = this.deps;
    const base = channelNameFor(config.channels.namePattern, {
      id: incident.id,
      title: incident.title,
      severity: incident.severity,
      declaredAt: new Date(incident.createdAt),
      timezone: config.incidents.timezone,
    });
    const recorded = await progress.intend('channel', '1');
    for (let attempt = Number(recorded.value) || 1; attempt <= MAX_NAME_ATTEMPTS; attempt++) {
      const name = attempt === 1 ? base : withSuffix(base, attempt);
      const resumed = recorded.earlier && attempt === Number(recorded.value);
      if (!resumed) await progress.reintend('channel', String(attempt));
      try {
        return await chat.createChannel(name, { isPrivate: incident.private === true });
      } catch (error) {
        if (!(error instanceof ChatError && error.code === 'name_taken')) throw error;
        if (resumed) {
          const earlier = await chat.findChannel(name);
          if (earlier && !(await store.findByChannel(earlier.id))) return earlier;
        }
      }
    }
    throw new ChatError('conversations.create', 'name_taken');
  }
}
