import { createHash, randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import { ConfigError } from '../config/errors.js';
import type { QuellConfig } from '../config/schema.js';
import { ApiError, type ApiReply, type ApiRequest, readJson } from '../http-api/router.js';
import { jobIdOf } from '../jobs/index.js';
import { metrics } from '../ops/metrics.js';
import { authenticate } from './auth.js';
import { FORMATS } from './formats/index.js';
import type { AlertJobs, AlertPayload } from './jobs.js';
import type { NormalizedAlert } from './model.js';
import { AlertRules } from './rules.js';
import type { IntakeStore } from './store.js';

/**
 * The front door of alert intake: `POST /api/alerts/<source>`. In order: the source exists, the
 * sender proves who it is (its source's authentication), the body is that source's format, each
 * alert is matched to a rule, replays are refused, and each matched alert is queued as a durable job
 * (keyed by its idempotency key) BEFORE the 202 goes back. Nothing is declared here: the job does
 * it (jobs.ts), so an acknowledged alert survives a crash and a burst answers fast. Refusals say why
 * and change nothing; an alert no rule matches is logged and counted (quell_alerts_total).
 */

export interface IntakeReceiverDeps {
  config: QuellConfig;
  secrets: NodeJS.ProcessEnv;
  store: IntakeStore;
  jobs: AlertJobs;
  clock: Clock;
  logger: Logger;
  /** Real time for HMAC timestamps (they are the sender's clock, whatever clock the services use). */
  nowMs?: () => number;
}

export type AlertOutcome = 'accepted' | 'unmatched' | 'replayed';

export interface AlertResult {
  fingerprint: string;
  status: NormalizedAlert['status'];
  outcome: AlertOutcome;
  rule?: string;
}

export class AlertReceiver {
  readonly rules: AlertRules;
  private readonly secrets = new Map<string, string>();

  constructor(private readonly deps: IntakeReceiverDeps) {
    const { intake, containment } = deps.config;
    this.rules = new AlertRules(intake.rules);
    for (const [name, source] of Object.entries(intake.sources)) {
      const secret = deps.secrets[source.secretEnv];
      if (!secret)
        throw new ConfigError(
          `intake.sources.${name}.secretEnv: environment variable ${source.secretEnv} is not set (the ${source.auth === 'bearer' ? 'token' : 'signing secret'} of this source)`,
        );
      this.secrets.set(name, secret);
    }
    intake.rules.forEach((rule, i) => {
      if (rule.playbook && !containment.playbooks[rule.playbook])
        throw new ConfigError(
          `intake.rules[${i}] (${rule.id}).playbook: no containment playbook "${rule.playbook}" (containment.playbooks)`,
        );
    });
  }

  /** The route handler: every refusal is an ApiError with the reason the sender can act on. */
  async receive(request: ApiRequest): Promise<ApiReply> {
    const { config, logger } = this.deps;
    const name = request.params.source ?? '';
    const source = config.intake.sources[name];
    const secret = this.secrets.get(name);
    if (!source || !secret) throw new ApiError(404, `no alert source "${name.slice(0, 40)}" is configured`);
    const refuse = (status: number, reason: string, outcome: 'refused' | 'replayed' = 'refused'): never => {
      metrics.alert(name, outcome);
      // the reason never carries the secret or the presented credentials
      logger.warn({ source: name, reason }, 'refused an alert delivery');
      throw new ApiError(status, reason);
    };

    const verdict = authenticate({
      source,
      secret,
      header: request.header,
      query: request.query,
      rawBody: request.rawBody,
      nowMs: (this.deps.nowMs ?? Date.now)(),
      signatureWindowMs: config.intake.signatureWindow,
    });
    if (!verdict.ok) return refuse(401, verdict.reason);
    const signatureKey = verdict.signature ? sha(verdict.signature) : undefined;
    if (
      signatureKey &&
      !(await this.deps.store.firstDelivery('signature', signatureKey, 2 * config.intake.signatureWindow))
    )
      return refuse(401, 'replayed: this signature was already received', 'replayed');

    let alerts: NormalizedAlert[];
    try {
      const parsed = FORMATS[source.format](readJson(request));
      if (!parsed.ok) throw new ApiError(400, parsed.reason);
      alerts = parsed.alerts;
    } catch (error) {
      // a malformed body cannot be retried into validity: its signature mark stays spent
      return refuse(400, error instanceof ApiError ? error.reason : 'the body could not be read');
    }

    const results: AlertResult[] = [];
    for (const alert of alerts) results.push(await this.take(name, alert));
    const accepted = results.filter((r) => r.outcome === 'accepted').length;
    if (accepted === 0 && results.every((r) => r.outcome === 'replayed'))
      throw new ApiError(
        400,
        'replayed: every alert in this delivery was already received (same fingerprint, startsAt and status)',
        {
          results,
        },
      );
    return { status: 202, body: { accepted, results } };
  }

  /** One alert: matched, checked for replay, then queued durably (or counted as unmatched). */
  private async take(name: string, alert: NormalizedAlert): Promise<AlertResult> {
    const { store, jobs, config, logger, clock } = this.deps;
    const base = { fingerprint: alert.fingerprint, status: alert.status };
    const matched = this.rules.match(name, alert);
    if (!matched) {
      metrics.alert(name, 'unmatched');
      logger.info(
        {
          source: name,
          fingerprint: alert.fingerprint,
          status: alert.status,
          labels: Object.keys(alert.labels),
        },
        'alert matched no intake rule: nothing declared',
      );
      return { ...base, outcome: 'unmatched' };
    }
    // the idempotency key: the alert's own identity when the sender gives one (a repeat of it is a
    // replay), else this delivery (each one a fire of its own)
    const replayKey = alert.startsAt
      ? sha(`${name}\u0000${alert.fingerprint}\u0000${alert.startsAt}\u0000${alert.status}`)
      : undefined;
    if (replayKey && !(await store.firstDelivery('alert', replayKey, config.intake.replayWindow))) {
      metrics.alert(name, 'replayed');
      logger.info(
        { source: name, fingerprint: alert.fingerprint, startsAt: alert.startsAt },
        'replayed alert refused',
      );
      return { ...base, outcome: 'replayed', rule: matched.rule.id };
    }
    const payload: AlertPayload = {
      delivery: jobIdOf('alert', replayKey ?? randomUUID()),
      source: name,
      ruleId: matched.rule.id,
      title: matched.title,
      agent: matched.agent,
      alert,
      receivedAt: clock.now().toISOString(),
    };
    try {
      await jobs.accept(payload);
    } catch (error) {
      // not queued: the sender's retry must get through, so the replay mark goes
      if (replayKey) await store.forgetDelivery('alert', replayKey).catch(() => undefined);
      logger.error({ err: error, source: name, fingerprint: alert.fingerprint }, 'could not queue an alert');
      throw new ApiError(503, 'the alert could not be stored; retry');
    }
    metrics.alert(name, 'accepted');
    return { ...base, outcome: 'accepted', rule: matched.rule.id };
  }
}

function sha(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 32);
}
