import type { Logger } from 'pino';
import type { ChatPort } from '../chat/port.js';
import type { Incident } from '../incidents/model.js';
import type { CommsApprovers } from './approvers.js';
import type { CommsDraft } from './model.js';
import type { CommsPresenter, DraftView } from './presenter.js';
import type { CommsPublisher } from './publishing.js';

/** The draft's message in the incident channel: what it shows (destination, approvers, decision). */
export class DraftMessages {
  constructor(
    private readonly deps: {
      chat: ChatPort;
      views: CommsPresenter;
      logger: Logger;
      publisher: CommsPublisher;
      approvers: CommsApprovers;
    },
  ) {}

  view(
    incident: Incident,
    draft: CommsDraft,
    decision?: DraftView['decision'],
    publication?: DraftView['publication'],
  ): DraftView {
    return {
      incident,
      draft,
      destination: this.deps.publisher.destinationFor(draft.audience, incident),
      approvers: this.deps.approvers.for(draft.audience),
      ...(decision ? { decision } : {}),
      ...(publication ? { publication } : {}),
    };
  }

  /** Re-renders the posted draft message; the stored draft is the record, so a failure is only logged. */
  async refresh(
    incident: Incident,
    draft: CommsDraft,
    decision?: DraftView['decision'],
    publication?: DraftView['publication'],
  ): Promise<void> {
    if (!draft.message) return;
    try {
      await this.deps.chat.updateMessage(
        draft.message.channel,
        draft.message.ts,
        this.deps.views.draft(this.view(incident, draft, decision, publication)),
      );
    } catch (error) {
      // the stored draft is the record; a stale chat message is only cosmetic
      this.deps.logger.warn(
        { err: error, incident: incident.id, draft: draft.id },
        'draft message refresh failed',
      );
    }
  }
}
