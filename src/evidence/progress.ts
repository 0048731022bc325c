import type { ChatMessage, ChatPort } from '../chat/port.js';
import type { Clock } from '../clock.js';
import type { ArchiveProgress, EvidencePresenter } from './presenter.js';

/**
 * The one message in the channel that says how an archive is going: posted once, then edited in
 * place (at most every `everyMs`), replaced by the result or the failure. A failure to post or edit
 * progress never fails the archive.
 */
export class ProgressMessage {
  private lastShownAt = 0;

  constructor(
    private readonly options: {
      chat: Pick<ChatPort, 'postMessage' | 'updateMessage'>;
      channel: string;
      presenter: EvidencePresenter;
      clock: Clock;
      everyMs: number;
      ts?: string | undefined;
      onPosted?: (ts: string) => Promise<void>;
    },
  ) {}

  async show(progress: ArchiveProgress, force = false): Promise<void> {
    const now = this.options.clock.now().getTime();
    if (!force && now - this.lastShownAt < this.options.everyMs) return;
    this.lastShownAt = now;
    await this.replace(this.options.presenter.progress(progress)).catch(() => undefined);
  }

  async replace(message: ChatMessage): Promise<void> {
    const { chat, channel } = this.options;
    if (this.options.ts) {
      await chat.updateMessage(channel, this.options.ts, message);
      return;
    }
    const { ts } = await chat.postMessage(channel, message);
    this.options.ts = ts;
    await this.options.onPosted?.(ts);
  }
}
