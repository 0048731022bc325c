import { z } from 'zod';
import type { IncidentService } from '../incidents/service.js';
import { SYSTEM_ACTOR } from '../incidents/timeline.js';
import { defineJob, type JobDefinition, jobIdOf, type RetryPolicy } from '../jobs/index.js';
import { PAGE_ACTIONS, PAGER_LABELS, type Pager } from './model.js';
import { buildPage, type PageContext, type PageReason, reasonText } from './pages.js';

/**
 * One page to one pager is one durable job, keyed by incident, pager, action and reason: a declare
 * retried by Slack, a resumed declare, or a ladder step told twice after a crash all map to the
 * same job, so each page is sent once. 429 and 5xx are retried with the runtime's backoff (about
 * half an hour of tries); a refusal (bad key, invalid event) is given up at once and the timeline
 * says to page by hand.
 */
const PAGE_RETRY: RetryPolicy = { attempts: 20, baseMs: 1_000, maxMs: 2 * 60_000 };

const reasonSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('declared') }),
  z.object({ kind: z.literal('raised'), severity: z.string() }),
  z.object({ kind: z.literal('reopened'), at: z.string() }),
  z.object({ kind: z.literal('step'), index: z.number().int().min(0), key: z.string().min(1) }),
  z.object({ kind: z.literal('contained') }),
  z.object({ kind: z.literal('resolved'), at: z.string() }),
]);

export const pagePayloadSchema = z.object({
  incidentId: z.string().min(1),
  pager: z.string().min(1),
  action: z.enum(PAGE_ACTIONS as ['trigger', 'acknowledge', 'resolve']),
  reason: reasonSchema,
  /** A drill: record what would have been paged, send nothing. */
  drill: z.boolean().default(false),
});
export type PagePayload = z.output<typeof pagePayloadSchema>;

function reasonKey(reason: PageReason): string {
  switch (reason.kind) {
    case 'raised':
      return `raised-${reason.severity}`;
    case 'reopened':
    case 'resolved':
      return `${reason.kind}-${Date.parse(reason.at)}`;
    case 'step':
      return `step-${reason.key}`;
    default:
      return reason.kind;
  }
}

export interface PageJobDeps {
  pagers: ReadonlyMap<string, Pager>;
  incidents: Pick<IncidentService, 'require' | 'record' | 'timeline'>;
  context: PageContext;
  now: () => Date;
}

export function pageJob(deps: PageJobDeps): JobDefinition<PagePayload> {
  const label = (pager: Pager) => `${PAGER_LABELS[pager.kind]} (${pager.name})`;
  return defineJob({
    name: 'page',
    lane: 'interactive',
    payload: pagePayloadSchema,
    jobId: (p) => jobIdOf('page', p.incidentId, p.pager, p.action, reasonKey(p.reason)),
    retry: PAGE_RETRY,
    handle: async (p, ctx) => {
      const pager = deps.pagers.get(p.pager);
      // the pager was removed from the config since the job was queued: nothing to send to
      if (!pager) return { skipped: 'pager no longer configured' };
      const incident = await deps.incidents.require(p.incidentId);
      if (p.drill) {
        await deps.incidents.record(
          incident.id,
          SYSTEM_ACTOR,
          'page_skipped',
          `drill: did not page ${label(pager)} (a real incident would have: ${reasonText(p.reason)})`,
          { pager: pager.name, kind: pager.kind, action: p.action, reason: p.reason, drill: true },
        );
        return { skipped: 'drill' };
      }
      // resolved before the page left: paging now would wake someone for nothing
      if (p.action === 'trigger' && incident.status === 'resolved') return { skipped: 'already resolved' };
      // acknowledge and resolve only follow a page this pager was sent
      if (p.action !== 'trigger' && !(await wasTriggered(deps, incident.id, pager.name)))
        return { skipped: 'never paged' };
      const page = buildPage(incident, p.action, p.reason, deps.context, deps.now().toISOString());
      const receipt = await pager.send(page, ctx.signal);
      const verb = {
        trigger: 'paged',
        acknowledge: 'acknowledged the page on',
        resolve: 'resolved the page on',
      }[p.action];
      await deps.incidents.record(
        incident.id,
        SYSTEM_ACTOR,
        'page_sent',
        `${verb} ${label(pager)}: ${reasonText(p.reason)}`,
        {
          pager: pager.name,
          kind: pager.kind,
          action: p.action,
          reason: p.reason,
          dedupKey: page.dedupKey,
          reference: receipt.reference,
          answer: receipt.message,
        },
      );
      return receipt;
    },
    onGiveUp: async (p, { error, permanent, attempts }) => {
      const pager = deps.pagers.get(p.pager);
      const who = pager ? label(pager) : p.pager;
      const why = permanent ? error.message : `${attempts} attempts failed, the last: ${error.message}`;
      await deps.incidents.record(
        p.incidentId,
        SYSTEM_ACTOR,
        'page_failed',
        `could not ${p.action === 'trigger' ? 'page' : `${p.action} the page on`} ${who} (${why})${p.action === 'trigger' ? ': page the on-call by hand' : ''}`,
        { pager: p.pager, action: p.action, reason: p.reason, error: error.message, permanent, attempts },
      );
    },
  });
}

async function wasTriggered(
  deps: Pick<PageJobDeps, 'incidents'>,
  incidentId: string,
  pager: string,
): Promise<boolean> {
  const timeline = await deps.incidents.timeline(incidentId);
  return timeline.some(
    (event) => event.kind === 'page_sent' && event.data.pager === pager && event.data.action === 'trigger',
  );
}
