/** Bot scopes that let a method run (any one of them), from Slack's method reference. */
export const METHOD_SCOPES: Record<string, readonly string[]> = {
  'bookmarks.add': ['bookmarks:write'],
  'bookmarks.list': ['bookmarks:read'],
  'bookmarks.remove': ['bookmarks:write'],
  'chat.delete': ['chat:write'],
  'chat.deleteScheduledMessage': ['chat:write'],
  'chat.postEphemeral': ['chat:write'],
  'chat.postMessage': ['chat:write'],
  'chat.scheduleMessage': ['chat:write'],
  'chat.update': ['chat:write'],
  'conversations.archive': ['channels:manage', 'channels:write', 'groups:write'],
  'conversations.create': ['channels:manage', 'channels:write', 'groups:write'],
  'conversations.history': ['channels:history', 'groups:history', 'im:history', 'mpim:history'],
  'conversations.info': ['channels:read', 'groups:read', 'im:read', 'mpim:read'],
  'conversations.invite': ['channels:manage', 'channels:write.invites', 'groups:write', 'channels:write'],
  'conversations.join': ['channels:join'],
  'conversations.list': ['channels:read', 'groups:read', 'im:read', 'mpim:read'],
  'conversations.members': ['channels:read', 'groups:read', 'im:read', 'mpim:read'],
  'conversations.replies': ['channels:history', 'groups:history', 'im:history', 'mpim:history'],
  'conversations.setPurpose': ['channels:manage', 'channels:write.topic', 'groups:write', 'channels:write'],
  'conversations.setTopic': ['channels:manage', 'channels:write.topic', 'groups:write', 'channels:write'],
  'files.completeUploadExternal': ['files:write'],
  'files.getUploadURLExternal': ['files:write'],
  'files.info': ['files:read'],
  'pins.add': ['pins:write'],
  'pins.list': ['pins:read'],
  'pins.remove': ['pins:write'],
  'reactions.add': ['reactions:write'],
  'reactions.get': ['reactions:read'],
  'reactions.remove': ['reactions:write'],
  'usergroups.list': ['usergroups:read'],
  'usergroups.users.list': ['usergroups:read'],
  'users.info': ['users:read'],
  'users.list': ['users:read'],
  'users.lookupByEmail': ['users:read.email'],
};

/** The scopes a method accepts (Slack's X-Accepted-OAuth-Scopes header). */
export function acceptedScopes(method: string): readonly string[] {
  return METHOD_SCOPES[method] ?? [];
}

type ConversationFamily = 'channels' | 'groups' | 'im' | 'mpim';
const FAMILIES: readonly string[] = ['channels', 'groups', 'im', 'mpim'];

/**
 * The scopes that let a method run on one kind of conversation. Slack checks the family of the
 * conversation: `channels:history` reads a public channel, a private one needs `groups:history`,
 * and creating with `is_private` needs `groups:write`. Scopes of no family (chat:write) always count.
 */
export function scopesFor(method: string, family: ConversationFamily | undefined): readonly string[] {
  const all = METHOD_SCOPES[method] ?? [];
  if (!family) return all;
  return all.filter((scope) => {
    const prefix = scope.split(':')[0]!;
    return !FAMILIES.includes(prefix) || prefix === family;
  });
}

export function conversationFamily(channel: {
  is_private: boolean;
  is_im: boolean;
  is_mpim?: boolean;
}): ConversationFamily {
  if (channel.is_im) return 'im';
  if (channel.is_mpim) return 'mpim';
  return channel.is_private ? 'groups' : 'channels';
}
