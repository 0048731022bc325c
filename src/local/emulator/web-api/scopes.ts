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
