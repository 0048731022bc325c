/** chat.scheduleMessage's messages: timers that post them when due. */
import type { SlackEmulator } from './emulator.js';

export function armScheduled(slack: SlackEmulator, id: string): void {
  const scheduled = slack.workspace.scheduled.get(id);
  if (!scheduled) return;
  const delay = Math.max(0, scheduled.post_at * 1000 - Date.now());
  // setTimeout cannot wait longer than ~24.8 days; re-arm in steps
  const timer = setTimeout(
    () => {
      slack.scheduledTimers.delete(id);
      if (scheduled.post_at * 1000 > Date.now()) armScheduled(slack, id);
      else postScheduled(slack, id);
    },
    Math.min(delay, 2 ** 31 - 1),
  );
  timer.unref();
  slack.scheduledTimers.set(id, timer);
}

export function postScheduled(slack: SlackEmulator, id: string): void {
  const scheduled = slack.workspace.scheduled.get(id);
  if (!scheduled) return;
  slack.workspace.scheduled.delete(id);
  const channel = slack.workspace.channels.get(scheduled.channel);
  const author = slack.workspace.users.get(scheduled.user);
  if (!channel || !author || channel.is_archived) return;
  slack.api.post(channel, author, {
    text: scheduled.text,
    ...(scheduled.blocks ? { blocks: scheduled.blocks } : {}),
    ...(scheduled.thread_ts ? { thread_ts: scheduled.thread_ts } : {}),
  });
}

/** Posts every scheduled message due at `at` (default now) without waiting for timers. */
export function runDueScheduled(slack: SlackEmulator, at: Date = new Date()): number {
  const due = [...slack.workspace.scheduled.values()].filter((s) => s.post_at * 1000 <= at.getTime());
  for (const scheduled of due) {
    clearTimeout(slack.scheduledTimers.get(scheduled.id));
    slack.scheduledTimers.delete(scheduled.id);
    postScheduled(slack, scheduled.id);
  }
  return due.length;
}
