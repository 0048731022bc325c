/** response_url: up to 5 responses within 30 minutes, applied as Slack does (ephemeral, in_channel, replace, delete). */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SlackEmulator } from './emulator.js';
import { parseBody, readBody, sendJson } from './http/body.js';
import { blockProblems as validateBlocks } from './validate/index.js';
import type { EmuMessage, Json } from './workspace.js';

export interface ResponseTarget {
  user: string;
  channel: string;
  kind: 'command' | 'interaction';
  command?: string;
  commandText?: string;
  messageTs?: string;
  ephemeralId?: string;
  threadTs?: string;
  uses: number;
  issuedAt: number;
  echoed?: boolean;
}

const RESPONSE_URL_USES = 5;
const RESPONSE_URL_TTL_MS = 30 * 60 * 1000;

export function issueResponseUrl(
  slack: SlackEmulator,
  target: Omit<ResponseTarget, 'uses' | 'issuedAt'>,
): string {
  const id = `${slack.workspace.team.id}/${randomBytes(4).toString('hex')}/${randomBytes(12).toString('hex')}`;
  slack.responseTargets.set(id, { ...target, uses: 0, issuedAt: Date.now() });
  return `${slack.baseUrl}/response/${id}`;
}

/** What Slack does with a message sent to a response_url (or in an acknowledgement). */
export function applyResponse(
  slack: SlackEmulator,
  target: ResponseTarget,
  payload: Json,
): { ok: boolean; error?: string; response_metadata?: { messages: string[] } } {
  const text = typeof payload.text === 'string' ? payload.text : '';
  const blocks = Array.isArray(payload.blocks) ? (payload.blocks as Json[]) : undefined;
  const problems = blocks ? validateBlocks(blocks, 'message') : [];
  if (problems.length) {
    // the app is told what was refused; the person sees nothing, as in Slack
    slack.options.logger?.warn({ problems }, 'Quell sent invalid blocks to a response_url');
    return { ok: false, error: 'invalid_blocks', response_metadata: { messages: problems } };
  }
  const channel = slack.workspace.channels.get(target.channel);
  if (!channel) return { ok: false, error: 'channel_not_found' };
  const original = target.ephemeralId
    ? slack.workspace.ephemerals.find((e) => e.id === target.ephemeralId)
    : target.messageTs
      ? slack.workspace.message(channel.id, target.messageTs)
      : undefined;
  if (payload.delete_original === true || payload.delete_original === 'true') {
    if (target.ephemeralId) slack.workspace.removeEphemeral(target.ephemeralId);
    else if (original) slack.api.deleteMessage(original as EmuMessage);
    return { ok: true };
  }
  if (!text && !blocks) return { ok: false, error: 'no_text' };
  if ((payload.replace_original === true || payload.replace_original === 'true') && original) {
    if (target.ephemeralId) {
      Object.assign(original, { text, blocks });
      slack.workspace.emit('change', { kind: 'ephemeral', user: target.user, channel: channel.id });
    } else
      slack.api.editMessage(original as EmuMessage, slack.bot.id, { text, ...(blocks ? { blocks } : {}) });
    return { ok: true };
  }
  const threadTs = (payload.thread_ts as string | undefined) ?? target.threadTs;
  if (payload.response_type === 'in_channel') {
    if (target.kind === 'command' && target.command && !target.echoed) {
      target.echoed = true;
      slack.api.post(channel, slack.workspace.users.get(target.user)!, {
        text: `${target.command} ${target.commandText ?? ''}`.trim(),
        ...(threadTs ? { thread_ts: threadTs } : {}),
      });
    }
    slack.api.post(channel, slack.bot, {
      text,
      ...(blocks ? { blocks } : {}),
      ...(threadTs ? { thread_ts: threadTs } : {}),
    });
    return { ok: true };
  }
  slack.workspace.addEphemeral({
    channel: channel.id,
    user: target.user,
    from: 'app',
    text,
    ...(blocks ? { blocks } : {}),
    ...(threadTs ? { thread_ts: threadTs } : {}),
  });
  return { ok: true };
}

export async function handleResponseUrl(
  slack: SlackEmulator,
  id: string,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const body = await readBody(req);
  const target = slack.responseTargets.get(id);
  if (!target || Date.now() - target.issuedAt > RESPONSE_URL_TTL_MS || target.uses >= RESPONSE_URL_USES) {
    return sendJson(res, 404, { ok: false, error: 'expired_url' });
  }
  target.uses += 1;
  let payload: Json;
  try {
    payload = parseBody(body, req.headers['content-type']) as Json;
    if (typeof payload.payload === 'string') payload = JSON.parse(payload.payload) as Json;
  } catch {
    return sendJson(res, 400, { ok: false, error: 'invalid_payload' });
  }
  const outcome = applyResponse(slack, target, payload);
  sendJson(res, outcome.ok ? 200 : 400, outcome);
}
