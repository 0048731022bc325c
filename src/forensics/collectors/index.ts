import type { AnyCollector } from '../contract.js';
import { agentPermissionsCollector } from './agent-permissions.js';
import { bullmqCollector } from './bullmq.js';
import { httpCollector } from './http.js';
import { kubernetesCollector } from './kubernetes.js';
import { langfuseCollector } from './langfuse.js';
import { litellmCollector } from './litellm.js';
import { otelTracesCollector } from './otel-traces.js';
import { tempoCollector, tempoSecretIssues } from './tempo.js';

/** Every built-in collector by id: the one place a new source is registered. */
export const BUILT_IN_COLLECTORS: ReadonlyMap<string, AnyCollector> = new Map<string, AnyCollector>(
  [
    litellmCollector,
    langfuseCollector,
    otelTracesCollector,
    tempoCollector,
    kubernetesCollector,
    bullmqCollector,
    httpCollector,
    agentPermissionsCollector,
  ].map((c) => [c.id, c]),
);

/**
 * Secret slots that a collector's settings make necessary or rule out, beyond its fixed required
 * ones (Tempo: basic auth needs `username` and `password`, and is not combined with a token).
 * The config check runs them on the parsed settings and the mapped slot names.
 */
export type SecretSlotCheck = (
  // biome-ignore lint/suspicious/noExplicitAny: each check reads its own collector's parsed settings
  settings: any,
  mapped: readonly string[],
) => { slot: string; message: string }[];

export const SECRET_SLOT_CHECKS: ReadonlyMap<string, SecretSlotCheck> = new Map([
  [tempoCollector.id, tempoSecretIssues as SecretSlotCheck],
]);
