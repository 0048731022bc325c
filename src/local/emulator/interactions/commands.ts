/** A person types: text in Slack's wire format, slash commands delivered as Slack sends them. */
import type { DeliveryResult } from '../delivery.js';
import type { SlackEmulator } from '../emulator.js';
import { applyResponse } from '../response-urls.js';

/** Turns what a person typed into Slack's wire format: escaped, with @/# mentions as ids. */
export function encodeTyped(slack: SlackEmulator, text: string, style: 'message' | 'command'): string {
  let out = text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  out = out.replace(/(^|[\s(])@([\w.-]+)/g, (match, lead: string, handle: string) => {
    const lower = handle.toLowerCase();
    const user = [...slack.workspace.users.values()].find(
      (u) => u.name === lower || u.display_name.toLowerCase() === lower,
    );
    if (user) return `${lead}${style === 'command' ? `<@${user.id}|${user.name}>` : `<@${user.id}>`}`;
    const group = [...slack.workspace.usergroups.values()].find((g) => g.handle === lower);
    if (group) return `${lead}<!subteam^${group.id}|@${group.handle}>`;
    if (lower === 'here' || lower === 'channel') return `${lead}<!${lower}>`;
    return match;
  });
  out = out.replace(/(^|[\s(])#([a-z0-9_-]+)/g, (match, lead: string, name: string) => {
    const channel = slack.workspace.channelByName(name);
    if (!channel) return match;
    return `${lead}${style === 'command' ? `<#${channel.id}|${channel.name}>` : `<#${channel.id}>`}`;
  });
  return out;
}

/** A person types `/command text` in a channel. Returns the app's acknowledgement. */
export async function sendCommand(
  slack: SlackEmulator,
  input: {
    user: string;
    channel: string;
    text: string;
    command?: string;
    threadTs?: string;
  },
): Promise<DeliveryResult & { known: boolean }> {
  const user = slack.requireUser(input.user);
  const channel = slack.requireChannel(input.channel);
  const name = input.command ?? '/incident';
  const command = slack.manifest.commands.find((c) => c.command === name);
  if (!command) {
    slack.slackbotSays(
      user.id,
      channel.id,
      `\`${name}\` is not a valid command. In Slack, all messages that start with the "/" character are interpreted as commands.\nIf you are trying to send a message and not run a command, try preceding the "/" with an empty space.`,
    );
    return { status: 0, body: '', known: false };
  }
  const text = command.should_escape ? encodeTyped(slack, input.text, 'command') : input.text;
  const responseUrl = slack.issueResponseUrl({
    user: user.id,
    channel: channel.id,
    kind: 'command',
    command: name,
    commandText: input.text,
    ...(input.threadTs ? { threadTs: input.threadTs } : {}),
  });
  const result = await slack.deliverForm('slash_command', {
    token: slack.verificationToken,
    team_id: slack.workspace.team.id,
    team_domain: slack.workspace.team.domain,
    channel_id: channel.id,
    channel_name: channel.is_im ? 'directmessage' : channel.name,
    user_id: user.id,
    user_name: user.name,
    command: name,
    text,
    api_app_id: slack.workspace.team.appId,
    is_enterprise_install: 'false',
    response_url: responseUrl,
    trigger_id: slack.issueTrigger(user.id),
  });
  if (result.error) {
    slack.slackbotSays(user.id, channel.id, `${name} failed with the error "${result.error}"`);
  } else if (result.body.trim()) {
    const payload = result.json ?? { text: result.body };
    const target = slack.responseTargets.get(responseUrl.slice(`${slack.baseUrl}/response/`.length))!;
    applyResponse(slack, target, payload);
  }
  return { ...result, known: true };
}
