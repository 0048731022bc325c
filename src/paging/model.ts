import type { Severity } from '../incidents/model.js';

/**
 * The pager port: what Quell asks of PagerDuty, Opsgenie or any other pager. A page is about one
 * incident, named by its dedup key, so a resent trigger adds to the same alert and a resolve closes
 * it. Adapters (pagerduty.ts, opsgenie.ts) translate it into their vendor's documented request.
 */
export type PageAction = 'trigger' | 'acknowledge' | 'resolve';
export const PAGE_ACTIONS: readonly PageAction[] = ['trigger', 'acknowledge', 'resolve'];

export interface Page {
  action: PageAction;
  /** The same for every page about one incident (`quell-INC-12`). */
  dedupKey: string;
  /** One line: "[SEV1] INC-12: Agent deleted shared mailbox". */
  summary: string;
  severity: Severity;
  /** Where responders go: the incident's Slack channel. */
  link?: { href: string; text: string };
  /** What a responder reads first: incident id, status, agent facts, why this page (declare, step 2). */
  details: Readonly<Record<string, string>>;
  /** When what is paged happened (the declaration, the step). */
  at: string;
  /** Why now, for the acknowledge/resolve note ("resolved in Slack by the restart gate"). */
  note?: string;
}

export interface PageReceipt {
  /** The vendor's own reference: PagerDuty's dedup_key, Opsgenie's requestId. */
  reference: string;
  /** The vendor's answer, e.g. "Event processed", "Request will be processed". */
  message: string;
}

export type PagerKind = 'pagerduty' | 'opsgenie';

export interface Pager {
  /** The config name (`paging.pagers.<name>`). */
  readonly name: string;
  readonly kind: PagerKind;
  /**
   * Sends one page, one attempt. Throws RetryLaterError (429, 5xx, timeout, network) or
   * PagerRefusedError (the vendor refused the request: bad key, invalid event), never a secret.
   */
  send(page: Page, signal?: AbortSignal): Promise<PageReceipt>;
}

/** The label a vendor shows for a kind, in timeline lines. */
export const PAGER_LABELS: Record<PagerKind, string> = { pagerduty: 'PagerDuty', opsgenie: 'Opsgenie' };
