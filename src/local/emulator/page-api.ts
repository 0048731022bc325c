/** /ui/api/*: the page's API, what a person sees and does, as JSON. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Container, SlackEmulator } from './emulator.js';
import { parseBody, readBody, sendJson } from './http/body.js';
import { pageTokenOf, unauthorizedPageCall } from './http/page-guard.js';
import { SlackApiError } from './web-api/index.js';
import type { Json } from './workspace.js';

export async function handlePageApi(
  slack: SlackEmulator,
  route: string,
  url: URL,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  // a state-changing call needs this run's page token: another site's page cannot send it
  const refused = unauthorizedPageCall(req, route, pageTokenOf(slack));
  if (refused) return sendJson(res, 403, { ok: false, error: 'forbidden', detail: refused });
  const input = (req.method === 'POST' ? parseBody(await readBody(req), 'application/json') : {}) as Json;
  const as = String(input.as ?? url.searchParams.get('as') ?? '');
  try {
    const result = await pageAction(slack, route, url, input, as);
    sendJson(res, 200, { ok: true, ...result });
  } catch (error) {
    const code = error instanceof SlackApiError ? error.code : (error as Error).message;
    sendJson(res, 200, { ok: false, error: code });
  }
}

export async function pageAction(
  slack: SlackEmulator,
  route: string,
  url: URL,
  input: Json,
  as: string,
): Promise<Json> {
  const ws = slack.workspace;
  const str = (name: string) => String(input[name] ?? url.searchParams.get(name) ?? '');
  switch (route) {
    case 'workspace':
      return {
        // only this page can read it (same origin); it sends it back on every change
        pageToken: pageTokenOf(slack),
        team: ws.team,
        bot: { id: slack.bot.id, name: slack.manifest.botName },
        users: [...ws.users.values()],
        usergroups: [...ws.usergroups.values()],
        channels: slack.channels().map((c) => ({
          id: c.id,
          name: c.name,
          is_private: c.is_private,
          is_im: c.is_im,
          im_user: c.im_user,
          is_archived: c.is_archived,
          is_general: c.is_general,
          members: c.members,
          topic: c.topic.value,
          purpose: c.purpose.value,
          created: c.created,
          latest: ws.timeline(c.id).at(-1)?.ts ?? null,
        })),
        commands: slack.manifest.commands,
        shortcuts: slack.manifest.shortcuts,
        homeEnabled: true,
      };
    case 'channel': {
      const channel = slack.requireChannel(str('channel'));
      const timeline = ws.timeline(channel.id);
      const limit = Math.min(Number(url.searchParams.get('limit') ?? 200), 1000);
      const shown = timeline.slice(-limit);
      return {
        channel: { ...slack.api.conversation(channel, as, true), members: channel.members },
        messages: shown.map((m) => slack.api.messageObject(m)),
        older: timeline.length - shown.length,
        pins: channel.pins.map((p) => ({
          ...p,
          message: ws.message(channel.id, p.ts)
            ? slack.api.messageObject(ws.message(channel.id, p.ts)!)
            : null,
        })),
        bookmarks: channel.bookmarks,
        ephemerals: slack.ephemerals({ user: as, channel: channel.id }),
        scheduled: [...ws.scheduled.values()].filter((s) => s.channel === channel.id).length,
      };
    }
    case 'thread':
      return {
        messages: slack.thread(str('channel'), str('ts')),
        ephemerals: slack
          .ephemerals({ user: as, channel: str('channel') })
          .filter((e) => e.thread_ts === str('ts')),
      };
    case 'views': {
      const stack = (ws.modalStacks.get(as) ?? []).map((id) => ws.views.get(id)!);
      return {
        stack: stack.map((v) => ({ ...slack.api.viewObject(v), errors: v.errors ?? null })),
        home: slack.home(as) ?? null,
      };
    }
    case 'send': {
      const text = str('text');
      const channel = str('channel');
      const threadTs = str('thread_ts') || undefined;
      const slash = /^\/(\S+)\s*([\s\S]*)$/.exec(text);
      if (slash) {
        const result = await slack.sendCommand({
          user: as,
          channel,
          command: `/${slash[1]}`,
          text: slash[2]!.trim(),
          ...(threadTs ? { threadTs } : {}),
        });
        return { command: true, status: result.status, error: result.error ?? null };
      }
      const message = slack.postAsUser({
        user: as,
        channel,
        text: text.replace(/^ \//, '/'),
        ...(threadTs ? { threadTs } : {}),
      });
      return { ts: message.ts };
    }
    case 'action': {
      const result = await slack.clickAction({
        user: as,
        container: input.container as Container,
        actionId: str('action_id'),
        ...(input.block_id ? { blockId: str('block_id') } : {}),
        ...(input.selected_value !== undefined ? { selectedValue: str('selected_value') } : {}),
        ...(Array.isArray(input.selected_values)
          ? { selectedValues: input.selected_values as string[] }
          : {}),
        ...(input.selected_date ? { selectedDate: str('selected_date') } : {}),
        ...(input.selected_time ? { selectedTime: str('selected_time') } : {}),
        ...(input.selected_date_time !== undefined
          ? { selectedDateTime: Number(input.selected_date_time) }
          : {}),
        ...(input.selected_user ? { selectedUser: str('selected_user') } : {}),
        ...(input.value !== undefined ? { value: str('value') } : {}),
        ...(input.values ? { values: input.values as Record<string, Record<string, Json>> } : {}),
      });
      return { status: result.status, error: result.error ?? null };
    }
    case 'view/submit': {
      const outcome = await slack.submitView({
        user: as,
        viewId: str('view_id'),
        values: (input.values as Record<string, Record<string, Json>>) ?? {},
      });
      return { closed: outcome.closed, errors: outcome.errors ?? null };
    }
    case 'view/close':
      await slack.closeView({ user: as });
      return {};
    case 'shortcut': {
      const callbackId = str('callback_id');
      const shortcut = slack.manifest.shortcuts.find((s) => s.callback_id === callbackId);
      if (!shortcut) throw new Error('unknown_shortcut');
      const result =
        shortcut.type === 'message'
          ? await slack.messageShortcut({ user: as, channel: str('channel'), ts: str('ts'), callbackId })
          : await slack.globalShortcut({ user: as, callbackId });
      if (result.error)
        slack.slackbotSays(
          as,
          str('channel') || ws.imWith(slack.bot.id, as).id,
          `${shortcut.name} failed with the error "${result.error}"`,
        );
      return { status: result.status, error: result.error ?? null };
    }
    case 'message/edit':
      slack.editAsUser({ user: as, channel: str('channel'), ts: str('ts'), text: str('text') });
      return {};
    case 'message/delete':
      slack.deleteAsUser({ user: as, channel: str('channel'), ts: str('ts') });
      return {};
    case 'ephemeral/dismiss':
      slack.dismissEphemeral(str('id'));
      return {};
    case 'react':
      slack.reactAsUser({ user: as, channel: str('channel'), ts: str('ts'), name: str('name') });
      return {};
    case 'join':
      slack.joinAsUser({ user: as, channel: str('channel') });
      return {};
    case 'home': {
      const im = ws.imWith(slack.bot.id, as);
      await slack.openHome(as);
      return { im: im.id };
    }
    default:
      throw new Error('unknown_route');
  }
}
