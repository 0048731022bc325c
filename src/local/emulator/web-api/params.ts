import type { EmuUser, Json } from '../workspace.js';

/**
 * The Web API's vocabulary: a method reads Params (Slack's form strings or JSON values) and throws
 * SlackApiError for `{ ok: false, error }` answers.
 */

export class SlackApiError extends Error {
  constructor(
    readonly code: string,
    readonly extra: Json = {},
  ) {
    super(code);
  }
}

/** Request parameters as Slack reads them: form strings or JSON values. */
export class Params {
  constructor(readonly raw: Record<string, unknown>) {}

  str(name: string): string | undefined {
    const value = this.raw[name];
    if (value === undefined || value === null) return undefined;
    return typeof value === 'string'
      ? value
      : typeof value === 'object'
        ? JSON.stringify(value)
        : String(value);
  }

  bool(name: string): boolean {
    const value = this.raw[name];
    return value === true || value === 'true' || value === '1' || value === 1;
  }

  int(name: string, fallback: number): number {
    const value = this.raw[name];
    if (value === undefined || value === '') return fallback;
    const n = Number(value);
    return Number.isFinite(n) ? Math.trunc(n) : Number.NaN;
  }

  /** A JSON-valued argument (blocks, view, files): a JSON string in forms, a value in JSON bodies. */
  json(name: string, errorCode: string): unknown {
    const value = this.raw[name];
    if (value === undefined || value === null || value === '') return undefined;
    if (typeof value !== 'string') return value;
    try {
      return JSON.parse(value);
    } catch {
      throw new SlackApiError(errorCode);
    }
  }
}

export interface Trigger {
  id: string;
  user: string;
  issuedAt: number;
  exchanged: boolean;
}

export interface WebApiHooks {
  /** Public base URL of the emulator (permalinks, upload URLs, file downloads). */
  baseUrl(): string;
  trigger(id: string): Trigger | undefined;
  /** A message event happened in a channel (posted, changed, deleted, joined...). */
  messageEvent(event: Json): void;
  /** Scopes granted to the app; undefined turns scope checks off. */
  scopes(): readonly string[] | undefined;
}

export type MethodHandler = (params: Params, caller: EmuUser) => Json | Promise<Json>;
