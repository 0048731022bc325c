import type { QuellConfig } from '../config/schema.js';
import type { EmuChannel, EmuUser, EmuUsergroup, TeamInfo } from './emulator/workspace.js';

/**
 * The seeded local workspace: a few people, Quell's bot user, a misbehaving helpdesk agent (the
 * kind of bot Quell exists for), #general, #announcements, #support and a @responders group.
 */

export interface SeedMessage {
  channel: string;
  user: string;
  text: string;
  /** Seconds before start-up, so the history looks lived in. */
  ago: number;
}

export interface WorkspaceSeed {
  team: TeamInfo;
  /** Quell's own bot user. */
  bot: Partial<EmuUser> & { id: string; name: string; bot_id: string };
  users: (Partial<EmuUser> & { id: string; name: string })[];
  channels: (Partial<EmuChannel> & { id: string; name: string; creator: string; members: string[] })[];
  usergroups: EmuUsergroup[];
  messages: SeedMessage[];
}

export const LOCAL_IDS = {
  team: 'T0LOCAL',
  app: 'A0QUELL',
  bot: 'U0QUELL',
  botId: 'B0QUELL',
  alice: 'U0ALICE',
  bob: 'U0BOB',
  carmen: 'U0CARMEN',
  dev: 'U0DEV',
  erin: 'U0ERIN',
  helpdeskAgent: 'U0HELPBOT',
  general: 'C0GENERAL',
  announcements: 'C0ANNOUNCE',
  support: 'C0SUPPORT',
  responders: 'S0RESPOND',
} as const;

const I = LOCAL_IDS;
const people = [I.alice, I.bob, I.carmen, I.dev, I.erin];

export const LOCAL_SEED: WorkspaceSeed = {
  team: { id: I.team, name: 'Quell Local', domain: 'quell-local', appId: I.app },
  bot: {
    id: I.bot,
    name: 'quell',
    real_name: 'Quell',
    display_name: 'Quell',
    is_bot: true,
    bot_id: I.botId,
    app_id: I.app,
    color: '3b1f4a',
  },
  users: [
    {
      id: I.alice,
      name: 'alice',
      real_name: 'Alice Chen',
      display_name: 'Alice',
      title: 'AI platform lead',
      email: 'alice@quell.local',
      is_admin: true,
      color: '9b3b8f',
    },
    {
      id: I.bob,
      name: 'bob',
      real_name: 'Bob Okafor',
      display_name: 'Bob',
      title: 'Site reliability engineer',
      email: 'bob@quell.local',
      color: '2b7a78',
    },
    {
      id: I.carmen,
      name: 'carmen',
      real_name: 'Carmen Díaz',
      display_name: 'Carmen',
      title: 'Security engineer',
      email: 'carmen@quell.local',
      color: 'c46d1b',
    },
    {
      id: I.dev,
      name: 'dev',
      real_name: 'Dev Patel',
      display_name: 'Dev',
      title: 'Support lead',
      email: 'dev@quell.local',
      color: '3569b5',
    },
    {
      id: I.erin,
      name: 'erin',
      real_name: 'Erin Walsh',
      display_name: 'Erin',
      title: 'Communications',
      email: 'erin@quell.local',
      color: 'b5355b',
    },
    {
      id: I.helpdeskAgent,
      name: 'helpdesk-agent',
      real_name: 'Helpdesk Agent',
      display_name: 'Helpdesk Agent',
      is_bot: true,
      bot_id: 'B0HELPBOT',
      app_id: 'A0HELPBOT',
      color: '6b6b6b',
    },
  ],
  channels: [
    {
      id: I.general,
      name: 'general',
      creator: I.alice,
      is_general: true,
      members: [...people],
      topic: { value: 'Company-wide chatter', creator: I.alice, last_set: 0 },
      purpose: { value: 'Everyone is here.', creator: I.alice, last_set: 0 },
    },
    {
      id: I.announcements,
      name: 'announcements',
      creator: I.alice,
      members: [...people, I.bot],
      topic: { value: 'Incident announcements from Quell', creator: I.alice, last_set: 0 },
      purpose: { value: 'Where new incidents are announced.', creator: I.alice, last_set: 0 },
    },
    {
      id: I.support,
      name: 'support',
      creator: I.dev,
      members: [I.alice, I.bob, I.dev, I.erin, I.helpdeskAgent, I.bot],
      topic: { value: 'Customer support escalations', creator: I.dev, last_set: 0 },
      purpose: { value: 'Support team and the helpdesk agent.', creator: I.dev, last_set: 0 },
    },
  ],
  usergroups: [
    {
      id: I.responders,
      handle: 'responders',
      name: 'Incident responders',
      description: 'People paged into every incident channel',
      users: [I.alice, I.bob, I.carmen],
    },
  ],
  messages: [
    {
      channel: I.general,
      user: I.alice,
      text: 'Drill on Thursday: we rehearse an agent incident end to end.',
      ago: 7200,
    },
    {
      channel: I.support,
      user: I.dev,
      text: 'Morning! Queue is quiet, the helpdesk agent is handling refunds under $50 as agreed.',
      ago: 5400,
    },
    {
      channel: I.support,
      user: I.helpdeskAgent,
      text: 'Processed refund of $4,200.00 for ticket #8812 and closed 38 related tickets as duplicates.',
      ago: 900,
    },
    {
      channel: I.support,
      user: I.erin,
      text: 'Two customers just replied asking why their open tickets were closed. Is the agent allowed to do that?',
      ago: 600,
    },
    {
      channel: I.support,
      user: I.dev,
      text: 'It is not. That refund is way over its limit too. Should we declare an incident?',
      ago: 420,
    },
  ],
};

/**
 * Quell's config for the local workspace: the seeded announcement channel and responders group,
 * unless the config file already names channels and people that exist here.
 */
export function localConfig(
  config: QuellConfig,
  seed: WorkspaceSeed = LOCAL_SEED,
  warn: (message: string) => void = () => {},
): QuellConfig {
  const channelIds = new Set(seed.channels.map((c) => c.id));
  const userIds = new Set(seed.users.map((u) => u.id));
  const groupIds = new Set(seed.usergroups.map((g) => g.id));
  const announcement = seed.channels.find((c) => c.name === 'announcements')?.id;
  const channels = { ...config.channels };
  if (!channels.announcement || !channelIds.has(channels.announcement)) {
    if (channels.announcement)
      warn(
        `announcement channel ${channels.announcement} is not in the local workspace; using #announcements`,
      );
    channels.announcement = announcement;
  }
  const responders = { ...config.responders };
  const knownPeople = responders.users.filter((u) => userIds.has(u));
  const knownGroups = responders.usergroups.filter((g) => groupIds.has(g));
  if (knownPeople.length === 0 && knownGroups.length === 0) {
    if (responders.users.length || responders.usergroups.length)
      warn('configured responders are not in the local workspace; using @responders');
    responders.users = [];
    responders.usergroups = seed.usergroups.map((g) => g.id).slice(0, 1);
  }
  return { ...config, channels, responders };
}
