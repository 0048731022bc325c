import type { Logger } from 'pino';
import { type ChatPort, chatErrorCode, type SharedFile } from '../chat/port.js';
import type { BundleReservation } from './storage/port.js';

/**
 * Shares the readable transcript (when small enough to upload) and the manifest in the channel,
 * with the command that checks them. A failure is reported in the outcome, never fatal: the bundle
 * is stored regardless.
 */
export async function shareInChannel(options: {
  chat: Pick<ChatPort, 'shareFiles'>;
  logger: Logger;
  channelId: string;
  incidentId: string;
  reservation: BundleReservation;
  manifestSha256: string;
  manifestBytes: Buffer;
  /** null: over `evidence.uploadMaxBytes`, kept in the bundle only. */
  transcript: Buffer | null;
  signed: boolean;
}): Promise<{ fileIds: string[]; error?: string }> {
  const { incidentId: id, reservation } = options;
  const base = `${id}-evidence-v${reservation.version}`;
  const files: SharedFile[] = [
    ...(options.transcript
      ? [
          {
            filename: `${base}-transcript.md`,
            title: `${id} transcript (v${reservation.version})`,
            content: options.transcript,
          },
        ]
      : []),
    {
      filename: `${base}-manifest.json`,
      title: `${id} evidence manifest (v${reservation.version})`,
      content: options.manifestBytes,
    },
  ];
  try {
    const { fileIds } = await options.chat.shareFiles(
      options.channelId,
      files,
      [
        `:lock: Evidence bundle v${reservation.version} of ${id}: ${options.transcript ? 'transcript and manifest' : 'the manifest (the transcript is too large to upload here; it is in the bundle)'}.`,
        `Check it with \`quell evidence verify ${reservation.location} --expect ${options.manifestSha256}${options.signed ? ' --public-key <published key>' : ''}\`.`,
      ].join('\n'),
    );
    return { fileIds };
  } catch (error) {
    options.logger.warn({ err: error, incident: id }, 'evidence upload to the channel failed');
    return { fileIds: [], error: chatErrorCode(error) };
  }
}
