import type { Logger } from '../logging/logger.js';
import { metrics } from './metrics.js';

/** Slack's answers that mean the token itself is bad (not that Slack is away). */
const REJECTIONS = new Set([
  'invalid_auth',
  'not_authed',
  'token_revoked',
  'token_expired',
  'account_inactive',
  'missing_scope',
]);

export interface SlackAuthCheckOptions {
  botToken: string;
  /** Web API base URL with its trailing slash (default https://slack.com/api/). */
  slackApiUrl?: string;
  logger: Logger;
  /** Between checks (default 60 s). */
  intervalMs?: number;
  /** One check's budget (default 5 s). */
  timeoutMs?: number;
}

/**
 * Proves the bot token in the background (auth.test every minute) so `/readyz` reads the last
 * verdict instead of calling Slack: a Slack outage must not make every replica unready at once.
 * Unready only before the first pass, or once Slack has rejected the token; timeouts and 5xx keep
 * the last verdict (their age is the `quell_slack_auth_check_age_seconds` gauge).
 */
export class SlackAuthCheck {
  private lastOkAt: number | undefined;
  private rejected: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;

  constructor(private readonly options: SlackAuthCheckOptions) {}

  start(): void {
    void this.check();
    this.timer = setInterval(() => void this.check(), this.options.intervalMs ?? 60_000);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** The verdict readiness uses; `detail` says why when not ok. */
  status(): { ok: boolean; detail?: string } {
    metrics.slackAuthAge(this.lastOkAt === undefined ? undefined : Date.now() - this.lastOkAt);
    if (this.rejected) return { ok: false, detail: `Slack rejected the bot token (${this.rejected})` };
    if (this.lastOkAt === undefined) return { ok: false, detail: 'the bot token has not been verified yet' };
    return { ok: true };
  }

  check(): Promise<void> {
    this.inFlight ??= this.run().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  private async run(): Promise<void> {
    const base = this.options.slackApiUrl ?? 'https://slack.com/api/';
    try {
      const response = await fetch(`${base}auth.test`, {
        method: 'POST',
        headers: { authorization: `Bearer ${this.options.botToken}` },
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 5_000),
      });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const body = (await response.json()) as { ok?: boolean; error?: string };
      metrics.slackCall('auth.test', body.ok ? 'ok' : 'error');
      if (body.ok) {
        this.lastOkAt = Date.now();
        this.rejected = undefined;
      } else if (body.error && REJECTIONS.has(body.error)) {
        if (!this.rejected) this.options.logger.error({ error: body.error }, 'Slack rejected the bot token');
        this.rejected = body.error;
      }
    } catch (error) {
      // Slack unreachable or slow: not a verdict on the token, so readiness keeps the last one
      metrics.slackCall('auth.test', 'error');
      this.options.logger.warn({ err: error }, 'Slack auth check did not complete');
    }
  }
}
