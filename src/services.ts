import type { Redis } from 'ioredis';
import type { ChatPort } from './chat/port.js';
import type { Clock } from './clock.js';
import { checkAudiencesAgainstTemplates } from './comms/check.js';
import { CommsService } from './comms/service.js';
import { CommsStore, commsKeys } from './comms/store.js';
import { loadTemplateLibrary, type TemplateLibrary } from './comms/templates.js';
import type { QuellConfig } from './config/schema.js';
import { buildContainmentRegistry } from './containment/registry.js';
import { ContainmentService } from './containment/service.js';
import { ContainmentStore } from './containment/store.js';
import { AutoArchive } from './evidence/auto-archive.js';
import { createEvidenceStorage } from './evidence/index.js';
import { RevisionLog } from './evidence/revisions.js';
import { EvidenceService } from './evidence/service.js';
import { verifyBundle } from './evidence/manifest.js';
import { evidenceSourcesFrom, timelineEvidenceSources } from './evidence/sources.js';
import { RefusalLog } from './incidents/authorize-refusals.js';
import { WorkspaceIdentity } from './incidents/authorize-workspace.js';
import { RulePermissions } from './incidents/permissions.js';
import { IncidentService } from './incidents/service.js';
import { IncidentStore } from './incidents/store.js';
import { JobRuntime } from './jobs/index.js';
import type { Logger } from './logging/logger.js';
import { RedisConnections } from './redis/connection.js';
import { redisKeys } from './redis/keys.js';
import { Reminders } from './reminders/index.js';
import { reminderKeys } from './reminders/keys.js';
import { PostGuard } from './reminders/post-guard.js';
import {
  actionOverdueHandler,
  actionOverdueJob,
  CorrectiveActions,
  type EvidenceVerifier,
  loadPostmortemTemplate,
  InventoryStore,
  type Resolution,
  ResolutionService,
  ResolutionStore,
  RollbackInventory,
} from './resolution/index.js';
import { commsViews } from './slack/blocks/comms.js';
import { containmentViews } from './slack/blocks/containment.js';
import { incidentViews } from './slack/blocks/incident.js';
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
  /** Slack requests whose work continues after the reply: durable jobs, stored before the reply. */
  requests: DurableRequests;
  /** The job runtime: every job type is registered here; `startWorkers` runs its lanes. */
  jobs: JobRuntime;
  /** Every Redis connection beyond the request path's comes from here. */
  connections: RedisConnections;
  /** Who may do what: every domain service asks it (incidents/permissions.ts). */
  permissions: RulePermissions;
  /** Refusals outside an incident (and the record of those inside), for operators and tests. */
  refusals: RefusalLog;
  /** The workspace this Quell serves: config `workspace:`, else learned from auth.test at start-up. */
  workspace: WorkspaceIdentity;
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
  /** The served workspace; default from the config's `workspace:` section (start-up learns the rest). */
  workspace?: WorkspaceIdentity;
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
  const report = await verifyBundle(bundle.location, bundle.manifestSha256);
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
  const jobs = new JobRuntime({ connections, keyPrefix: prefix, config: config.jobs, logger });

  // ── Build, in dependency order. No constructor subscribes, registers or injects anything. ──
  const store = new IncidentStore(redis, redisKeys(prefix));
  const workspace = inputs.workspace ?? new WorkspaceIdentity(config.workspace);
  const refusals = new RefusalLog({ store, redis, prefix, clock, logger });
  const permissions = new RulePermissions({ chat, logger, config, clock, refusals, workspace });
  const incidents = new IncidentService({
    store,
    chat,
    views: incidentViews(config),
    config,
    clock,
    logger,
    permissions,
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
  });
  const inventoryStore = new InventoryStore(redis, prefix);
  const evidence = new EvidenceService({
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
    },
    clock,
    logger,
  });
  const reminders = new Reminders({
    config,
    logger,
    clock,
    redis,
    store,
    incidents,
    views: reminderViews(config),
  });
  const requests = new DurableRequests({ jobs, logger });
  const resolutionStore = new ResolutionStore(redis, prefix);
  const actions = new CorrectiveActions({
    store: resolutionStore,
    incidentStore: store,
    incidents,
    queue: reminders.queue,
    clock,
    logger,
  });
  const resolutionViewsForConfig = resolutionViews(config);
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
  // 1. Each incident change re-plans its update prompts.
  incidents.subscribe(reminders.scheduleOnChange);
  // 2. Resolving an incident drafts its postmortem (when configured).
  if (config.resolution.postmortem.onResolve)
    incidents.subscribe((change) => resolution.onIncidentChange(change));
  // 2b. A new fact in the record (a control, a bundle, an action, the root cause) refreshes the checklist.
  incidents.subscribe((change) => resolution.onRecordChange(change));
  // 3. Overdue corrective actions are reminded on the reminder queue and its workers; registered
  //    before any worker starts, and re-added from their own records whenever the queue reconciles.
  reminders.handleJob(
    actionOverdueJob.name,
    actionOverdueHandler({
      actions,
      incidentStore: store,
      incidents,
      chat,
      views: resolutionViewsForConfig,
      guard: new PostGuard(redis, reminderKeys(prefix)),
      clock,
    }),
    { reconcile: () => actions.reconcile() },
  );
  // 4. Archive-on-resolve is wired by startWorkers, in the process that runs the archive worker.
  // 5. Slack requests' promised work runs as durable jobs (the boundary stores them before replying).
  jobs.register(requests.job);

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
    requests,
    jobs,
    connections,
    permissions,
    refusals,
    workspace,
  };
}

export interface WorkerOptions {
  /** The reminder worker's chat: a background client that fails fast on 429/5xx so BullMQ retries. */
  reminderChat: ChatPort;
  /** Run the update-reminder worker here (default true). */
  reminders?: boolean;
  /** Run the archive-on-resolve worker here (default true). */
  evidence?: boolean;
}

export interface Workers {
  /** Finishes the running jobs and stops taking new ones. */
  close(): Promise<void>;
}

/** Starts this process's background workers, and wires the subscriptions that need them. */
export async function startWorkers(services: Services, options: WorkerOptions): Promise<Workers> {
  const { config, logger, redis, incidents, evidence } = services;
  const reminderWorker =
    options.reminders === false
      ? undefined
      : await services.reminders.startWorker({ chat: options.reminderChat });
  const autoArchive =
    options.evidence === false
      ? undefined
      : await AutoArchive.start({ redis, config, logger, incidents, evidence });
  // 4. Resolving an incident enqueues its archive (when configured), from the process whose worker runs it.
  if (autoArchive && config.evidence.archiveOnResolve)
    incidents.subscribe((change) => autoArchive.onChange(change));
  await services.jobs.startWorkers();
  return {
    async close() {
      await services.jobs.stop();
      await reminderWorker?.close();
      await autoArchive?.close();
    },
  };
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
