import type { AnyCollector } from '../contract.js';
import { agentPermissionsCollector } from './agent-permissions.js';
import { bullmqCollector } from './bullmq.js';
import { httpCollector } from './http.js';
import { kubernetesCollector } from './kubernetes.js';
import { langfuseCollector } from './langfuse.js';
import { litellmCollector } from './litellm.js';
import { otelTracesCollector } from './otel-traces.js';

/** Every built-in collector by id: the one place a new source is registered. */
export const BUILT_IN_COLLECTORS: ReadonlyMap<string, AnyCollector> = new Map<string, AnyCollector>(
  [
    litellmCollector,
    langfuseCollector,
    otelTracesCollector,
    kubernetesCollector,
    bullmqCollector,
    httpCollector,
    agentPermissionsCollector,
  ].map((c) => [c.id, c]),
);
