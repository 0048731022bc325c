import type { ChatMessage, ChatPort } from '../chat/port.js';
import type { Clock } from '../clock.js';
import type { RunState } from './archive-state.js';
import type { ArchiveProgress, EvidencePresenter } from './presenter.js';
import type { TranscriptExport } from './transcript-export.js';

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

export function readSoFar(run: RunState): number {
  const c = run.checkpoint?.counts;
  return c ? c.messages + c.threadReplies + c.threadBroadcasts : 0;
}

/**
 * How many messages in all, and how long is left at Slack's pace: history is read newest first,
 * so the share of the window already covered is (latest − oldest read) / (latest − declared).
 */
export function estimate(
  checkpoint: { latestTs: string; oldestTs?: string; counts: TranscriptExport['counts']; done: boolean },
  windowStartMs: number,
  callsPerMinute: number,
  historyPageSize: number,
): { estimatedTotal?: number; etaMs?: number } {
  const read =
    checkpoint.counts.messages + checkpoint.counts.threadReplies + checkpoint.counts.threadBroadcasts;
  if (checkpoint.done) return { estimatedTotal: read, etaMs: 0 };
  if (!checkpoint.oldestTs) return {};
  const latest = Number(checkpoint.latestTs.split('.')[0]) * 1000;
  const oldest = Number(checkpoint.oldestTs.split('.')[0]) * 1000;
  const covered = (latest - oldest) / Math.max(1, latest - Math.min(windowStartMs, oldest));
  if (covered <= 0) return {};
  const total = Math.round(read / Math.min(1, covered));
  const callsSoFar = checkpoint.counts.historyCalls + checkpoint.counts.repliesCalls;
  const callsLeft = Math.max(
    Math.ceil((total - read) / historyPageSize),
    Math.round(callsSoFar / covered - callsSoFar),
  );
  return { estimatedTotal: total, etaMs: (callsLeft / callsPerMinute) * 60_000 };
}
