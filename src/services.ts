import type { Redis } from 'ioredis';
import { ApiTokens, restApiRoutes, TokenAwarePermissions } from './api/index.js';
import type { ChatPort } from './chat/port.js';
import type { Clock } from './clock.js';
import { checkAudiencesAgainstTemplates } from './comms/check.js';
import { CommsService } from './comms/service.js';
import { CommsStore, commsKeys } from './comms/store.js';
import { loadTemplateLibrary, type TemplateLibrary } from './comms/templates.js';
import type { QuellConfig } from './config/schema.js';
import { buildContainmentRegistry } from './containment/registry.js';
import { ContainmentService } from './containment/service.js';
import { ContainmentStore, containmentKeys } from './containment/store.js';
import { archiveOnResolve, archiveOnResolveJob } from './evidence/auto-archive.js';
import {
  createEvidenceStorage,
  type EvidenceReads,
  type EvidenceSink,
  evidenceExtras,
} from './evidence/index.js';
import { RevisionLog } from './evidence/revisions.js';
import { EvidenceService } from './evidence/service.js';
import { evidenceSourcesFrom, timelineEvidenceSources } from './evidence/sources.js';
import { verifyBundle } from './evidence/verify.js';
import { collectJob, createForensicsService, type ForensicsService } from './forensics/index.js';
import type { ApiRoute } from './http-api/router.js';
import { RefusalLog } from './incidents/authorize-refusals.js';
import { WorkspaceIdentity } from './incidents/authorize-workspace.js';
import type { RulePermissions } from './incidents/permissions.js';
import { changeRedeliveryJob, redeliveryOf } from './incidents/redelivery.js';
import { Retention, type RetentionPart } from './incidents/retention.js';
import { IncidentService } from './incidents/service.js';
import { IncidentStore } from './incidents/store.js';
import { SummaryRenderer, summaryRefreshJob, summaryRetryPayload } from './incidents/summary-render.js';
import { SYSTEM_ACTOR } from './incidents/timeline.js';
import { createIntake } from './intake/index.js';
import {
  type GiveUp,
  type JobDefinition,
  JobRuntime,
  LANES,
  type LaneName,
  PostGuard,
} from './jobs/index.js';
import type { Logger } from './logging/logger.js';
import { ObligationService } from './obligations/index.js';
import { createPaging, type Paging, type SlackUserDirectory, slackChannelLink } from './paging/index.js';
import { RedisConnections } from './redis/connection.js';
import { redisKeys } from './redis/keys.js';
import { resolveReplicaAcks } from './redis/replication.js';
import { Reminders } from './reminders/index.js';
import { reminderKeys } from './reminders/keys.js';
import {
  CorrectiveActions,
  type EvidenceVerifier,
  InventoryStore,
  loadPostmortemTemplate,
  type Resolution,
  ResolutionService,
  ResolutionStore,
  RollbackInventory,
} from './resolution/index.js';
import { resolutionKeys } from './resolution/store.js';
import { commsViews } from './slack/blocks/comms.js';
import { containmentViews } from './slack/blocks/containment.js';
import { evidenceViews } from './slack/blocks/evidence.js';
import { forensicsViews } from './slack/blocks/forensics.js';
import { incidentViews } from './slack/blocks/incident.js';
import { intakeViews } from './slack/blocks/intake.js';
import { obligationViews } from './slack/blocks/obligations.js';
import { reminderViews } from './slack/blocks/reminders.js';
import { resolutionViews } from './slack/blocks/resolution.js';
import { DurableRequests } from './slack/boundary/durable.js';

/**
 * The composition root. `createServices` builds every service in dependency order with plain
 * constructors, then wires them in one block: who follows incident changes, which jobs run on the
 * reminder queue, who holds the resolve key. `startWorkers` starts the background workers of this
 * process and wires what depends on them. Nothing else subscribes, registers or injects.
 */

/** Everything main, the runtime and the workers hold. Listeners get the narrower `ListenerDeps`. */
export interface Services {
  config: QuellConfig;
  logger: Logger;
  clock: Clock;
  redis: Redis;
  chat: ChatPort;
  store: IncidentStore;
  incidents: IncidentService;
  /** Audience comms: template drafts, lint, versions, approvals, publishing, talking points. */
  comms: CommsService;
  /** Update-cadence reminders: structured updates, snoozes, the prompt schedule and its worker. */
  reminders: Reminders;
  evidence: EvidenceService;
  /** Containment actions and playbooks: authorize, confirm, execute, verify, audit, undo. */
  containment: ContainmentService;
  /** Restart gate, postmortem draft and corrective actions (with their overdue reminders). */
  resolution: Resolution;
  /** Notification clocks (GDPR Art. 33, EU AI Act Art. 73...): deadlines, reminders, reports, waivers. */
  obligations: ObligationService;
  /** Slack requests whose work continues after the reply: durable jobs, stored before the reply. */
  requests: DurableRequests;
  /** The job runtime: every job type is registered here; `startWorkers` runs its lanes. */
  jobs: JobRuntime;
  /** Every Redis connection beyond the request path's comes from here. */
  connections: RedisConnections;
  /** Forensic collectors: the agent's own trail into the evidence bundle. */
  forensics: ForensicsService;
  /** Who may do what: every domain service asks it (incidents/permissions.ts). */
  permissions: RulePermissions;
  /** Refusals outside an incident (and the record of those inside), for operators and tests. */
  refusals: RefusalLog;
  /** The workspace this Quell serves: config `workspace:`, else learned from auth.test at start-up. */
  workspace: WorkspaceIdentity;
  /** Pages to PagerDuty / Opsgenie (declare, escalation steps, resolve) and "the on-call" (src/paging). */
  paging: Paging;
  /** The one retention mechanism: resolved incidents leave Redis once a verified bundle holds them. */
  retention: Retention;
  /**
   * Quell's non-Slack HTTP routes (`/api/*`): the runtime mounts them on the receiver's port (HTTP
   * mode) or the ops listener's (Socket Mode). A feature adds its routes to the list below.
   */
  httpRoutes: readonly ApiRoute[];
}

/** What Slack listeners may use is declared by the boundary (src/slack/boundary/deps.ts). */
export type { ListenerDeps } from './slack/boundary/deps.js';

export interface ServiceInputs {
  config: QuellConfig;
  logger: Logger;
  clock: Clock;
  redis: Redis;
  chat: ChatPort;
  /** What jobs post with: fail-fast (no in-client retries), per-call timeout. Default: `chat`. */
  backgroundChat?: ChatPort;
  /** The connection factory; default one built on `redis`. */
  connections?: RedisConnections;
  /**
   * Where the secrets the config file names (containment adapters, S3 evidence storage) are read
   * from: main passes the process environment, tests pass exactly what they need. None by default.
   */
  secrets?: NodeJS.ProcessEnv;
  /** Pins, bookmarks and file bytes for the evidence bundle (the Web API's, from runtime.ts). */
  evidenceReads?: Partial<EvidenceReads>;
  /** The served workspace; default from the config's `workspace:` section (start-up learns the rest). */
  workspace?: WorkspaceIdentity;
  /** users.lookupByEmail, naming PagerDuty's on-call in Slack (the runtime's Web API); none by default. */
  directory?: SlackUserDirectory;
}

/**
 * "Evidence archived" means a bundle whose stored files still match its manifest: a local bundle is
 * re-hashed; another store's is named as not checkable here (`quell evidence verify` after download).
 */
const verifyStoredBundle: EvidenceVerifier = async (bundle) => {
  if (bundle.storage !== 'local')
    return {
      unverifiable: `bundles in ${bundle.storage || 'this'} storage are checked with \`quell evidence verify\` after download`,
    };
  const report = await verifyBundle(bundle.location, { expectedManifestSha256: bundle.manifestSha256 });
  if (report.ok) return { ok: true };
  const problems = [
    ...report.problems,
    ...report.changed.map((p) => `${p} changed`),
    ...report.removed.map((p) => `${p} missing`),
    ...report.added.map((p) => `${p} added`),
  ];
  return { ok: false, problem: problems.slice(0, 3).join('; ') || 'does not match its manifest' };
};

export function createServices({
  config,
  logger,
  clock,
  redis,
  chat,
  secrets = {},
  ...inputs
}: ServiceInputs): Services {
  const prefix = config.redis.keyPrefix;
  const connections = inputs.connections ?? new RedisConnections(redis);
  // what a failover must not lose waits for a replica first (auto: on Sentinel and Cluster)
  const replicaAcks = resolveReplicaAcks(config.redis.replicaAcks, redis);
  const jobs = new JobRuntime({
    replicaAcks,
    connections,
    keyPrefix: prefix,
    config: config.jobs,
    logger,
    now: () => clock.now().getTime(),
    // a job type without its own give-up entry still tells the incident's timeline
    onGiveUp: (definition, payload, giveUp) => recordJobFailure(incidents, definition, payload, giveUp),
  });
  // what every job posts with: fail-fast, so the runtime's backoff does the retrying
  const backgroundChat = inputs.backgroundChat ?? chat;

  // ── Build, in dependency order. No constructor subscribes, registers or injects anything. ──
  const store = new IncidentStore(redis, redisKeys(prefix), replicaAcks);
  const workspace = inputs.workspace ?? new WorkspaceIdentity(config.workspace);
  const refusals = new RefusalLog({ store, redis, prefix, clock, logger });
  // REST API tokens are actors too: the permission model decides them by their configured standing
  const apiTokens = new ApiTokens(config.api, secrets);
  const permissions = new TokenAwarePermissions(
    { chat, logger, config, clock, refusals, workspace },
    apiTokens,
  );
  const views = incidentViews(config);
  // the pinned summary in version order; a failed render is re-done by a background job
  const summaryRenderer = (summaryChat: ChatPort, retry: boolean): SummaryRenderer =>
    new SummaryRenderer({
      redis,
      keyPrefix: prefix,
      load: (id) => store.require(id),
      chat: summaryChat,
      views,
      logger,
      ...(retry
        ? {
            retryLater: (id: string) =>
              jobs.enqueue(summaryJob, summaryRetryPayload(id, clock.now().getTime()), { delayMs: 5_000 }),
          }
        : {}),
    });
  const backgroundSummaries = summaryRenderer(backgroundChat, false);
  const summaryJob = summaryRefreshJob(() => backgroundSummaries);
  const incidents = new IncidentService({
    store,
    chat,
    views,
    config,
    clock,
    logger,
    permissions,
    summaries: summaryRenderer(chat, true),
  });
  const comms = new CommsService({
    store,
    incidents,
    comms: new CommsStore(redis, commsKeys(prefix)),
    templates: loadCheckedCommsTemplates(config, logger),
    chat,
    views: commsViews(),
    config,
    clock,
    logger,
    permissions,
  });
  const containment = new ContainmentService({
    // start-up fails (ConfigError) when a secret the config names is not set
    registry: buildContainmentRegistry(config.containment, secrets),
    store: new ContainmentStore(redis, prefix),
    incidentStore: store,
    incidents,
    chat,
    views: containmentViews(),
    clock,
    logger,
    responders: config.responders,
    permissions,
    jobs,
  });
  const inventoryStore = new InventoryStore(redis, prefix);
  // collectors run as jobs: they post progress with the background chat; secrets come from `secrets`
  const forensics = createForensicsService({
    config,
    incidents,
    store,
    chat: backgroundChat,
    clock,
    logger,
    views: forensicsViews(),
    env: secrets,
  });
  const evidenceDeps = {
    // run checkpoints (resume after a crash) and the manifest signing key named in the config
    ...evidenceExtras(config, secrets, redis),
    presenter: evidenceViews(),
    ...(inputs.evidenceReads ? { reads: inputs.evidenceReads } : {}),
    config: config.evidence,
    chat,
    incidents,
    store,
    storage: createEvidenceStorage(config, secrets),
    revisions: new RevisionLog(redis, prefix),
    // the bundle's containment audit and comms versions come from those services' own records
    sources: {
      ...timelineEvidenceSources((id) => incidents.timeline(id)),
      ...evidenceSourcesFrom({ comms, containment }),
      rollbackInventory: (id: string) => inventoryStore.list(id),
      obligations: async (id: string) => (await store.require(id)).obligations ?? [],
      forensics: (id: string, sink: EvidenceSink) => forensics.writeIntoBundle(id, sink),
    },
    clock,
    logger,
  };
  const evidence = new EvidenceService(evidenceDeps);
  // the archive job reads history and uploads with the background chat, like every job
  const archiveJob = archiveOnResolveJob({
    evidence: new EvidenceService({ ...evidenceDeps, chat: backgroundChat }),
    incidents,
  });
  // pages go out as jobs with the keys the config names; "the on-call" needs the Slack directory
  const paging = createPaging({
    config: config.paging,
    secrets,
    incidents,
    jobs,
    clock,
    logger,
    ...(inputs.directory ? { directory: inputs.directory } : {}),
    severityLabel: (incident) => config.severities[incident.severity].label,
    channelLink: (incident) => slackChannelLink(incident, workspace.current?.teamIds[0]),
  });
  const reminders = new Reminders({
    config,
    logger,
    clock,
    redis,
    store,
    incidents,
    views: reminderViews(config),
    jobs,
    chat: backgroundChat,
    replicaAcks,
    // an escalation ladder step pages (paging.atEscalationSteps); the step's key dedupes the page
    onEscalationStep: async (incidentId, step) =>
      paging.service.onEscalationStep(await store.require(incidentId), step),
  });
  const obligations = new ObligationService({
    config,
    incidents,
    store,
    permissions,
    jobs,
    chat: backgroundChat,
    // the same marks as update prompts (one key layout for "posted once")
    guard: new PostGuard(redis, reminderKeys(prefix).postGuard, { replicaAcks }),
    views: obligationViews(),
    clock,
    logger,
  });
  const requests = new DurableRequests({ jobs, logger });
  const resolutionStore = new ResolutionStore(redis, prefix);
  const resolutionViewsForConfig = resolutionViews(config);
  const actions = new CorrectiveActions({
    store: resolutionStore,
    incidentStore: store,
    incidents,
    jobs,
    chat: backgroundChat,
    views: resolutionViewsForConfig,
    // the same marks as update prompts (one key layout for "posted once")
    guard: new PostGuard(redis, reminderKeys(prefix).postGuard, { replicaAcks }),
    clock,
    logger,
  });
  const inventory = new RollbackInventory({
    store: inventoryStore,
    incidents,
    chat,
    views: resolutionViewsForConfig,
    clock,
    logger,
  });
  const resolution = new ResolutionService({
    config,
    store: resolutionStore,
    incidentStore: store,
    incidents,
    containment,
    comms,
    actions,
    inventory,
    verifyEvidence: verifyStoredBundle,
    chat,
    views: resolutionViewsForConfig,
    // loaded now, so a broken template stops start-up with its file and line
    template: loadPostmortemTemplate(config.resolution.postmortem.template),
    // The restart gate holds the only resolve key: from here on no other path resolves an incident.
    resolveKey: incidents.guardResolution(),
    clock,
    logger,
    permissions,
  });

  // ── Wiring: every subscription and job registration, in the order they run. ──
  // 0. A change some subscribers failed on is handed to them again by a durable job.
  const redeliveryJob = changeRedeliveryJob((change, names) => incidents.redeliver(change, names));
  jobs.register(redeliveryJob as JobDefinition);
  incidents.useRedelivery(async (change, names) => {
    await jobs.enqueue(redeliveryJob, redeliveryOf(change, names));
  });
  // 1. Each incident change re-plans its update prompts.
  incidents.subscribe('reminders', reminders.scheduleOnChange);
  // the announcement's thread and text follow severity, status, commander, privacy and resolution
  incidents.subscribe('announcement', incidents.announcements.follow);
  // 2. Resolving an incident drafts its postmortem (when configured).
  if (config.resolution.postmortem.onResolve)
    incidents.subscribe('postmortem-draft', (change) => resolution.onIncidentChange(change));
  // 2b. A new fact in the record (a control, a bundle, an action, the root cause) refreshes the checklist.
  incidents.subscribe('restart-checklist', (change) => resolution.onRecordChange(change));
  // 3. Every job type, registered before any worker starts: reminders (prompt, escalation,
  //    reconciliation) and overdue corrective actions on the background lane, archives on the long lane.
  jobs.register(...reminders.jobTypes, ...actions.jobTypes, archiveJob as JobDefinition);
  //    A pinned summary whose render failed is rendered again, latest state, on the background lane.
  jobs.register(summaryJob as JobDefinition);
  //    Controls in force are verified again on the background lane while the incident is open.
  jobs.register(...containment.jobTypes);
  // 4. Resolving an incident enqueues its archive (when configured).
  if (config.evidence.archiveOnResolve)
    incidents.subscribe('archive-on-resolve', archiveOnResolve(jobs, archiveJob));
  //    `/incident archive` and its Retry button queue the same job.
  evidence.useArchiveQueue((payload) => jobs.enqueue(archiveJob, payload));
  // 4b. A declared incident that matches an obligation type gets a proposal; reminders and
  //     missed-deadline escalations of notification clocks run on the background lane.
  incidents.subscribe('obligations', obligations.onIncidentChange);
  jobs.register(...obligations.jobTypes);
  // 4c. Forensic collectors: a declaration runs those configured for its severity, a containment
  //     state change the "after" picture, `/incident collect` on demand; each run a long-lane job.
  const forensicsJob = collectJob(forensics);
  jobs.register(forensicsJob as JobDefinition);
  forensics.useQueue((payload, delayMs) => jobs.enqueue(forensicsJob, payload, delayMs ? { delayMs } : {}));
  incidents.subscribe('forensics', forensics.onIncidentChange);
  // 5. Slack requests' promised work runs as durable jobs (the boundary stores them before replying).
  jobs.register(requests.job);
  // 5a. Paging: a declaration (at a configured severity), a raise into one, containment, resolution
  //     and escalation ladder steps page every configured pager once each (interactive-lane jobs);
  //     a drill's page only records what would have been sent.
  incidents.subscribe('paging', paging.service.onIncidentChange);
  jobs.register(paging.job as JobDefinition);
  // 5b. Retention: resolved incidents (earlier, their revision text) leave Redis once a verified
  //     bundle holds them; the sweep is a background-lane job (started with the workers).
  const revisionText = new RevisionLog(redis, prefix);
  const retention = new Retention({
    store,
    config: config.retention,
    verifiedBundle: (id) => evidence.latestVerifiedBundle(id),
    parts: [
      {
        name: 'revision text',
        afterMs: config.evidence.revisionRetention,
        purge: (id) => revisionText.purge(id),
      },
      ...featureRetentionParts(redis, prefix),
    ],
    clock,
    logger,
  });
  jobs.register(retention.job as JobDefinition);

  // 6. Alert intake: POST /api/alerts/<source> queues each alert as a job; its jobs declare, count
  //    repeats, remind at the decision deadline and auto-run reversible containment. Start-up fails
  //    on a missing source secret, a broken template or an unknown playbook. A rule whose commander
  //    is the on-call asks `onCall` (src/intake/model.ts OnCallResolver, implemented by the pager).
  const intake = createIntake({
    config,
    redis,
    secrets,
    incidents,
    containment,
    chat: backgroundChat,
    views: intakeViews(),
    // "the on-call" of a rule: PagerDuty's on-calls, mapped to Slack by email (paging.onCall)
    ...(paging.onCallResolver ? { onCall: paging.onCallResolver } : {}),
    jobs,
    clock,
    logger,
  });
  jobs.register(...intake.jobTypes);

  // 7. Non-Slack HTTP routes, each authenticating its own callers (src/http-api/router.ts).
  //    The REST API (/api/v1/incidents) acts as its tokens through the same services and gate.
  const httpRoutes: ApiRoute[] = [
    ...intake.routes,
    ...restApiRoutes({
      config: config.api,
      tokens: apiTokens,
      refusals,
      redis,
      prefix,
      incidents,
      store,
      resolution,
      now: () => clock.now(),
      logger,
    }),
  ];

  return {
    config,
    logger,
    clock,
    redis,
    chat,
    store,
    incidents,
    comms,
    reminders,
    evidence,
    containment,
    resolution: { service: resolution, actions, inventory },
    obligations,
    requests,
    jobs,
    connections,
    forensics,
    permissions,
    refusals,
    workspace,
    httpRoutes,
    paging,
    retention,
  };
}

export interface WorkerOptions {
  /** Lanes this process works on (default all); a replica may leave the long lane to others. */
  lanes?: readonly LaneName[];
  /** Shown in Redis CLIENT LIST; default host-pid. */
  name?: string;
}

/**
 * Starts this process's job workers. Before taking jobs, the reconciliations put back any timer a
 * swallowed failure may have lost, and make sure their periodic runs exist (best effort: the
 * periodic run retries what fails). Stop them with `services.jobs.stop()`.
 */
export async function startWorkers(services: Services, options: WorkerOptions = {}): Promise<void> {
  const { config, reminders, resolution, jobs, logger } = services;
  const lanes = options.lanes ?? LANES;
  if (lanes.includes('background')) {
    await reminders.startReconciling();
    try {
      await resolution.actions.reconcile();
      await resolution.actions.scheduleReconciliation(config.reminders.reconcileEvery);
    } catch (error) {
      logger.warn(
        { err: error },
        'corrective-action reconciliation failed at start; the periodic run will retry',
      );
    }
    // the retention sweep's schedule (idempotent: every replica upserts the same one)
    if (config.retention.enabled) await jobs.every(services.retention.job, config.retention.sweepEvery, {});
  }
  await jobs.startWorkers({ lanes, ...(options.name ? { name: options.name } : {}) });
}

/** A job about an incident was given up and its type says nothing itself: the timeline says it. */
async function recordJobFailure(
  incidents: IncidentService,
  definition: JobDefinition,
  payload: unknown,
  { error, permanent, attempts }: GiveUp,
): Promise<void> {
  const incidentId = (payload as { incidentId?: unknown } | null)?.incidentId;
  if (typeof incidentId !== 'string') return;
  const why = permanent ? 'refused for good' : `${attempts} attempts failed`;
  await incidents.record(
    incidentId,
    SYSTEM_ACTOR,
    'job_failed',
    `could not finish ${definition.name} (${why}: ${error.message})`,
    { job: definition.name, error: error.message, permanent, attempts },
  );
}

/** Comms templates, loaded and checked now: a broken template stops start-up with its file and line. */
function loadCheckedCommsTemplates(config: QuellConfig, logger: Logger): TemplateLibrary {
  const templates = loadTemplateLibrary(config.comms.templatesDir);
  checkAudiencesAgainstTemplates(config, templates);
  const talkingPoints = config.comms.talkingPointsAudience;
  if (!templates.get(talkingPoints))
    logger.warn(
      { audience: talkingPoints, templatesDir: templates.dir },
      'no template for the talking-points audience: /comms talking-points will show none',
    );
  return templates;
}

/**
 * Other features' per-incident state that leaves Redis with a compacted incident (the retention
 * sweep purges them at `retention.compactAfter`, after the verified bundle that holds them: drafts
 * and approvals, the containment audit and runs, the restart gate's ticks). Built here, in the
 * composition root, from each feature's own key builders; every part's keys share the incident's
 * hash tag, so each purge is one DEL on one slot. Kept on purpose: corrective actions (they outlive
 * the incident, with their own overdue reminders) and keys that expire by themselves.
 */
function featureRetentionParts(redis: Redis, prefix: string): RetentionPart[] {
  const comms = commsKeys(prefix);
  const containment = containmentKeys(prefix);
  const resolution = resolutionKeys(prefix);
  return [
    {
      name: 'comms',
      async purge(id) {
        const drafts = await redis.lrange(comms.draftIds(id), 0, -1);
        await redis.del(
          comms.draftSequence(id),
          comms.draftIds(id),
          comms.log(id),
          comms.approved(id),
          ...drafts.flatMap((d) => [comms.draft(id, d), comms.draftStatus(id, d), comms.versions(id, d)]),
        );
      },
    },
    {
      name: 'containment',
      async purge(id) {
        await redis.del(
          containment.audit(id),
          containment.runs(id),
          containment.runSequence(id),
          containment.playbookSequence(id),
        );
      },
    },
    {
      name: 'restart gate',
      async purge(id) {
        await redis.del(
          resolution.gateTicks(id),
          resolution.gateMessage(id),
          resolution.gateOverrides(id),
          resolution.verifiedBundles(id),
        );
      },
    },
  ];
}
