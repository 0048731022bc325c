import type { Logger } from 'pino';
import type { ChatPort } from '../chat/port.js';
import type { Clock } from '../clock.js';
import { UsageError } from '../errors.js';
import type { EvidenceSink } from '../evidence/index.js';
import type { Incident } from '../incidents/model.js';
import type { IncidentChange, IncidentService } from '../incidents/service.js';
import type { IncidentStore } from '../incidents/store.js';
import { SYSTEM_ACTOR } from '../incidents/timeline.js';
import { mergeAgentTimeline, type TimelineEntry, timelineJsonl, timelineMarkdown } from './agent-timeline.js';
import type { ForensicsConfig } from './config.js';
import type { CollectWindow } from './contract.js';
import { type ForensicsPresenter, plainForensicsPresenter, runOutcomeText } from './presenter.js';
import type { ForensicsRegistry } from './registry.js';
import { type RunSummary, runCollector } from './run.js';
import type { ForensicsStaging } from './staging.js';

/** A queued collection (the collect job's payload). */
export interface CollectJobPayload {
  incidentId: string;
  collector: string;
  trigger: 'declared' | 'containment' | 'command' | 'recollect';
  actor: string;
  /** The request's idempotency key (trigger id, event time...): letters, digits, `_ . -`. */
  requestKey: string;
  /** `--since`: the window's start, overriding "started at" / the look-back. */
  since?: string;
}

export interface ForensicsServiceDeps {
  config: ForensicsConfig;
  registry: ForensicsRegistry;
  staging: ForensicsStaging;
  incidents: IncidentService;
  store: IncidentStore;
  chat: ChatPort;
  clock: Clock;
  logger: Logger;
  views?: ForensicsPresenter;
  /** Waits between retries; tests shorten it. */
  sleep?: (ms: number) => Promise<void>;
}

const CONTAINMENT_STATE_KINDS = new Set([
  'containment_verified',
  'containment_undone',
  'containment_reapplied',
]);

/**
 * Preserves the agent's own trail: runs configured collectors as durable jobs (on declare, after
 * containment changes state, on demand), reports each run in the channel and on the timeline, and
 * hands the runs to the evidence bundle. Drills only plan: no request reaches any collector's target.
 */
export class ForensicsService {
  private enqueue?: (payload: CollectJobPayload, delayMs?: number) => Promise<string>;
  private readonly views: ForensicsPresenter;

  constructor(private readonly deps: ForensicsServiceDeps) {
    this.views = deps.views ?? plainForensicsPresenter;
  }

  /** services.ts wires how a collection is queued (the collect job on the long lane). */
  useQueue(enqueue: (payload: CollectJobPayload, delayMs?: number) => Promise<string>): void {
    this.enqueue = enqueue;
  }

  get collectorNames(): string[] {
    return this.deps.registry.names;
  }

  /** `/incident collect [collector] [--since …]`: checks permission and names, then queues the runs. */
  async requestCollect(
    incidentId: string,
    actor: string,
    requestKey: string,
    options: { collector?: string; since?: string } = {},
  ): Promise<{ incident: Incident; collectors: string[] }> {
    const incident = await this.deps.store.require(incidentId);
    await this.deps.incidents.permissions.authorize(actor, 'forensics.collect', incident);
    const names = this.deps.registry.names;
    if (names.length === 0)
      throw new UsageError(
        'No forensic collectors are configured (forensics.collectors in the config file).',
      );
    if (options.collector && !this.deps.registry.get(options.collector))
      throw new UsageError(
        `There is no collector "${options.collector}"; configured: ${names.join(', ')}.`,
        '/incident collect [collector] [--since 2h|<ISO time>]',
      );
    if (options.since && Number.isNaN(Date.parse(options.since)))
      throw new UsageError(
        `"${options.since}" is not a time.`,
        '/incident collect [collector] [--since 2h|<ISO time>]',
      );
    const chosen = options.collector ? [options.collector] : names;
    for (const collector of chosen)
      await this.queue({
        incidentId,
        collector,
        trigger: 'command',
        actor,
        requestKey,
        ...(options.since ? { since: options.since } : {}),
      });
    return { incident, collectors: chosen };
  }

  /** Subscriber: a declaration runs the collectors configured for its severity; containment, the "after" picture. */
  readonly onIncidentChange = async ({ before, incident, event }: IncidentChange): Promise<void> => {
    const key = `${event.kind}-${Date.parse(event.at)}`;
    if (before === null && event.kind === 'declared') {
      for (const c of this.deps.registry.collectors.values())
        if (c.auto.includes(incident.severity))
          await this.queue({
            incidentId: incident.id,
            collector: c.name,
            trigger: 'declared',
            actor: SYSTEM_ACTOR,
            requestKey: key,
          });
      return;
    }
    if (CONTAINMENT_STATE_KINDS.has(event.kind) && event.data.dryRun !== true)
      for (const c of this.deps.registry.collectors.values())
        if (c.afterContainment)
          await this.queue({
            incidentId: incident.id,
            collector: c.name,
            trigger: 'containment',
            actor: SYSTEM_ACTOR,
            requestKey: key,
          });
  };

  private async queue(payload: CollectJobPayload, delayMs?: number): Promise<void> {
    if (!this.enqueue)
      throw new Error('collections cannot be queued: the collect job is not wired (services.ts)');
    await this.enqueue(payload, delayMs);
  }

  /** The incident's window: `--since`, else "started at", else the look-back before the declaration; ends now. */
  windowOf(incident: Incident, since?: string): CollectWindow {
    const to = this.deps.clock.now();
    const from = since
      ? new Date(since)
      : incident.startedAt
        ? new Date(incident.startedAt)
        : new Date(Date.parse(incident.createdAt) - this.deps.config.lookBack);
    return { from: new Date(Math.min(from.getTime(), to.getTime())), to };
  }

  /** The collect job's work: one run of one collector (a drill posts the plan and sends nothing). */
  async run(payload: CollectJobPayload, runId: string): Promise<RunSummary | undefined> {
    const { store, incidents, chat, clock, logger } = this.deps;
    const incident = await store.require(payload.incidentId);
    const resolved = this.deps.registry.get(payload.collector);
    if (!resolved) {
      logger.warn({ collector: payload.collector }, 'collector no longer configured; run skipped');
      return undefined;
    }
    const window = this.windowOf(incident, payload.since);
    if (incident.drill) return this.plan(incident, resolved.name, window);
    const channel = incident.channelId;
    const started = channel
      ? await chat
          .postMessage(
            channel,
            this.views.started({
              incidentId: incident.id,
              name: resolved.name,
              summary: resolved.collector.summary,
              trigger: payload.trigger,
              from: window.from.toISOString(),
            }),
          )
          .catch((error) => {
            logger.warn({ err: error }, 'forensics progress message failed');
            return undefined;
          })
      : undefined;
    const summary = await runCollector({
      resolved,
      directory: this.deps.staging.directory(incident.id),
      run: runId,
      trigger: payload.trigger,
      window,
      agent: incident.agent,
      timeoutMs: this.deps.config.timeout,
      now: () => clock.now(),
      ...(this.deps.sleep ? { sleep: this.deps.sleep } : {}),
    });
    await incidents.record(
      incident.id,
      payload.actor,
      summary.error ? 'forensics_failed' : 'forensics_collected',
      runOutcomeText(summary),
      {
        collector: resolved.name,
        kind: resolved.collector.id,
        run: runId,
        records: summary.records,
        files: summary.files,
        truncated: summary.truncated,
        gaps: summary.gaps,
        notes: summary.notes,
        ...(summary.error ? { error: summary.error } : {}),
      },
    );
    if (channel) {
      const message = this.views.finished(summary);
      if (started)
        await chat
          .updateMessage(channel, started.ts, message)
          .catch(() => chat.postMessage(channel, message));
      else await chat.postMessage(channel, message).catch(() => {});
    }
    if (summary.recollectAfterMs && payload.trigger !== 'recollect')
      await this.queue(
        { ...payload, trigger: 'recollect', requestKey: `${payload.requestKey}-again` },
        summary.recollectAfterMs,
      );
    return summary;
  }

  private async plan(incident: Incident, name: string, window: CollectWindow): Promise<undefined> {
    const resolved = this.deps.registry.get(name)!;
    const requests = resolved.collector.plan({
      settings: resolved.settings,
      secrets: {},
      window,
      agent: incident.agent,
      maxRecords: resolved.maxRecords,
    });
    await this.deps.incidents.record(
      incident.id,
      SYSTEM_ACTOR,
      'forensics_planned',
      `drill: ${name} would fetch ${requests.length} request${requests.length === 1 ? '' : 's'}; nothing sent`,
      { collector: name, requests },
    );
    if (incident.channelId)
      await this.deps.chat.postMessage(
        incident.channelId,
        this.views.planned({ incidentId: incident.id, plans: [{ name, requests }] }),
      );
    return undefined;
  }

  async agentTimeline(incidentId: string): Promise<TimelineEntry[]> {
    return mergeAgentTimeline(await this.deps.staging.eventFiles(incidentId));
  }

  /** `/incident agent-timeline`: the last `limit` calls, for Slack. */
  async lastCalls(
    incidentId: string,
    actor: string,
    limit = 10,
  ): Promise<{ entries: TimelineEntry[]; total: number; firstUnauthorized?: string }> {
    await this.deps.store.require(incidentId);
    const all = await this.agentTimeline(incidentId);
    const first = await this.firstUnauthorized(incidentId);
    void actor;
    return {
      entries: all.slice(-limit),
      total: all.length,
      ...(first ? { firstUnauthorized: first.id } : {}),
    };
  }

  /** The "mark as first unauthorized action" button: checked, recorded on the timeline (and so in the postmortem). */
  async markFirstUnauthorized(incidentId: string, actor: string, entryId: string): Promise<TimelineEntry> {
    const incident = await this.deps.store.require(incidentId);
    await this.deps.incidents.permissions.authorize(actor, 'forensics.mark', incident);
    const entry = (await this.agentTimeline(incidentId)).find((e) => e.id === entryId);
    if (!entry)
      throw new UsageError(
        'That call is no longer in the agent timeline; run /incident agent-timeline again.',
      );
    await this.deps.incidents.record(
      incidentId,
      actor,
      'first_unauthorized_action',
      `first unauthorized action: ${entry.kind === 'tool_call' ? 'tool call' : 'model call'} ${entry.name} at ${entry.at} (${entry.source.collector})`,
      {
        entryId: entry.id,
        at: entry.at,
        name: entry.name,
        kind: entry.kind,
        correlation: entry.correlation,
        source: entry.source,
      },
    );
    return entry;
  }

  private async firstUnauthorized(incidentId: string): Promise<{ id: string } | undefined> {
    const events = await this.deps.incidents.timeline(incidentId);
    const marked = events.filter((e) => e.kind === 'first_unauthorized_action').at(-1);
    return marked ? { id: String(marked.data.entryId) } : undefined;
  }

  /** The evidence hook: every staged run, plus the merged agent timeline, into the bundle being built. */
  async writeIntoBundle(incidentId: string, sink: EvidenceSink): Promise<void> {
    await this.deps.staging.copyInto(incidentId, sink);
    const entries = await this.agentTimeline(incidentId);
    if (entries.length === 0) return;
    const first = await this.firstUnauthorized(incidentId);
    await sink.writeFile('agent-timeline', 'agent-timeline.jsonl', timelineJsonl(entries));
    await sink.writeFile(
      'agent-timeline',
      'agent-timeline.md',
      timelineMarkdown(incidentId, entries, first?.id),
    );
  }
}
