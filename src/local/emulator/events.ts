/** The Events API: workspace events become event_callback deliveries (signed HTTP or Socket Mode) when subscribed. */
import { type DeliveryResult, deliver } from './delivery.js';
import type { SlackEmulator } from './emulator.js';
import { channelType } from './web-api/index.js';
import { type Json, randomId } from './workspace.js';

export function subscribed(slack: SlackEmulator, type: string): boolean {
  return slack.manifest.botEvents.includes(type);
}

/** Delivers an Events API event_callback to Quell, signed, as JSON. */
export async function deliverEvent(
  slack: SlackEmulator,
  event: Json,
  options: { retryNum?: number } = {},
): Promise<DeliveryResult> {
  const envelope = {
    token: slack.verificationToken,
    team_id: slack.workspace.team.id,
    context_team_id: slack.workspace.team.id,
    api_app_id: slack.workspace.team.appId,
    event,
    type: 'event_callback',
    event_id: randomId('Ev'),
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [
      {
        enterprise_id: null,
        team_id: slack.workspace.team.id,
        user_id: slack.bot.id,
        is_bot: true,
        is_enterprise_install: false,
      },
    ],
    is_ext_shared_channel: false,
  };
  const result =
    slack.transport === 'socket'
      ? await slack.deliverEnvelope('events_api', envelope, {
          ...(options.retryNum ? { retryAttempt: options.retryNum } : {}),
        })
      : await deliver(slack.requestUrl, JSON.stringify(envelope), {
          signingSecret: slack.signingSecret,
          contentType: 'application/json',
          timeoutMs: slack.options.ackTimeoutMs ?? 3_000,
          ...(options.retryNum ? { retryNum: options.retryNum } : {}),
        });
  slack.deliveries.push({
    kind: `event:${String(event.type)}`,
    at: Date.now(),
    status: result.status,
    error: result.error,
  });
  return result;
}

/** Workspace events become Events API deliveries when the manifest subscribes to them. */
export function onWorkspaceEvent(slack: SlackEmulator, event: Json): void {
  let subscription = String(event.type);
  const channelId = (event.channel as string | undefined) ?? (event.channel_id as string | undefined);
  const channel = typeof channelId === 'string' ? slack.workspace.channels.get(channelId) : undefined;
  if (event.type === 'message') {
    if (!channel) return;
    subscription = `message.${channelType(channel) === 'channel' ? 'channels' : channelType(channel) === 'group' ? 'groups' : 'im'}`;
  }
  if (!subscribed(slack, subscription)) return;
  if (channel && !channel.members.includes(slack.bot.id) && subscription !== 'member_joined_channel') return;
  void deliverEvent(slack, event).catch((error: unknown) =>
    slack.options.logger?.warn({ err: error }, 'event delivery failed'),
  );
}
