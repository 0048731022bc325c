/** Fills an empty workspace from a seed: people, groups, channels and back-dated messages. */
import type { SeedMessage, WorkspaceSeed } from '../seed.js';
import type { Workspace } from './workspace.js';

export function applySeed(ws: Workspace, seed: WorkspaceSeed): void {
  ws.addUser({ ...seed.bot, is_bot: true, app_id: seed.team.appId });
  for (const user of seed.users) ws.addUser(user);
  for (const group of seed.usergroups) ws.addUsergroup({ ...group, users: [...group.users] });
  for (const channel of seed.channels) ws.addChannel({ ...channel, members: [...channel.members] });
  const now = Date.now();
  const ordered = [...seed.messages].sort((a, b) => b.ago - a.ago);
  for (const message of ordered) seedOne(ws, message, now);
}

function seedOne(ws: Workspace, message: SeedMessage, now: number): void {
  const user = ws.users.get(message.user);
  ws.addMessage(
    {
      ts: ws.nextTs(new Date(now - message.ago * 1000)),
      channel: message.channel,
      user: message.user,
      text: message.text,
      ...(user?.bot_id ? { bot_id: user.bot_id, app_id: user.app_id } : {}),
    },
    { quiet: true },
  );
}
