import type { KnownBlock } from '@slack/types';
import { doneText, type EvidencePresenter, failedText, progressText } from '../../evidence/index.js';
import { ACTIONS } from '../ids.js';
import { plain, section } from './format.js';

/**
 * The archive's one message in the channel: progress (edited in place), then the result, or what
 * failed and why; once Quell gives up, a Retry button (value: the incident id).
 */
export function evidenceViews(): EvidencePresenter {
  return {
    progress: (p) => {
      const text = progressText(p);
      return { text, blocks: [section(text)] };
    },
    done: (d) => {
      const text = doneText(d);
      return { text, blocks: [section(text)] };
    },
    failed: (f) => {
      const text = failedText(f);
      const blocks: KnownBlock[] = [section(text)];
      if (f.retryValue)
        blocks.push({
          type: 'actions',
          block_id: 'evidence_archive_failed',
          elements: [
            {
              type: 'button',
              action_id: ACTIONS.evidenceRetry,
              text: plain('Retry the archive', 75),
              style: 'primary',
              value: f.retryValue,
            },
          ],
        });
      return { text, blocks };
    },
  };
}
