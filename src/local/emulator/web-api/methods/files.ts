/** files.* (upload v2: getUploadURLExternal, completeUploadExternal, info). */

import { blockProblems as validateBlocks } from '../../validate/index.js';
import { type EmuFile, type Json, randomId } from '../../workspace.js';
import type { WebApi } from '../api.js';
import { type MethodHandler, Params, SlackApiError } from '../params.js';

export function filesMethods(api: WebApi): Record<string, MethodHandler> {
  const ws = api.ws;
  return {
    'files.getUploadURLExternal': (p, caller) => {
      const filename = p.str('filename');
      const length = p.int('length', 0);
      if (!filename || !length || Number.isNaN(length) || length < 1)
        throw new SlackApiError('missing_argument');
      const file: EmuFile = {
        id: randomId('F'),
        name: filename,
        title: filename,
        length,
        user: caller.id,
        created: ws.now(),
        mimetype: mimeType(filename),
        uploaded: false,
        completed: false,
        channels: [],
      };
      ws.files.set(file.id, file);
      return { upload_url: `${api.hooks.baseUrl()}/upload/v1/${file.id}`, file_id: file.id };
    },

    'files.completeUploadExternal': (p, caller) => {
      const entries = p.json('files', 'invalid_arguments');
      if (!Array.isArray(entries) || entries.length === 0)
        throw new SlackApiError('invalid_arguments', {
          response_metadata: { messages: ['[ERROR] missing required field: files'] },
        });
      const files = entries.map((entry) => {
        const file = ws.files.get(String((entry as Json).id));
        if (!file?.uploaded || file.user !== caller.id) throw new SlackApiError('file_not_found');
        if ((entry as Json).title) file.title = String((entry as Json).title);
        return file;
      });
      const channelId = p.str('channel_id') ?? p.str('channels')?.split(',')[0];
      if (channelId) {
        const channel = api.channel(new Params({ channel: channelId }), caller);
        api.requireOpen(channel);
        api.requireMember(channel, caller);
        const blocks = p.json('blocks', 'invalid_blocks') as Json[] | undefined;
        const errors = blocks ? validateBlocks(blocks, 'message') : [];
        if (errors.length)
          throw new SlackApiError('invalid_blocks', { response_metadata: { messages: errors } });
        const threadTs = api.threadParent(channel, p.str('thread_ts'));
        for (const file of files) file.channels.push(channel.id);
        api.post(channel, caller, {
          text: p.str('initial_comment') ?? '',
          files: files.map((f) => f.id),
          ...(blocks ? { blocks } : {}),
          ...(threadTs ? { thread_ts: threadTs } : {}),
        });
      }
      for (const file of files) file.completed = true;
      return { files: files.map((f) => ({ ...api.fileObject(f), id: f.id, title: f.title })) };
    },

    'files.info': (p) => {
      const file = ws.files.get(p.str('file') ?? '');
      if (!file?.completed) throw new SlackApiError('file_not_found');
      return { file: api.fileObject(file), comments: [], response_metadata: { next_cursor: '' } };
    },
  };
}

function mimeType(name: string): string {
  const ext = name.split('.').pop()?.toLowerCase();
  const types: Record<string, string> = {
    json: 'application/json',
    txt: 'text/plain',
    md: 'text/markdown',
    csv: 'text/csv',
    zip: 'application/zip',
    gz: 'application/gzip',
    tgz: 'application/gzip',
    pdf: 'application/pdf',
    png: 'image/png',
    jpg: 'image/jpeg',
    html: 'text/html',
  };
  return types[ext ?? ''] ?? 'application/octet-stream';
}
