/**
 * Collectors share the containment adapters' HTTP core (timeouts, bounded retries honouring
 * Retry-After / X-Ratelimit-Reset, 4xx not retried, every error redacted), through its public entry.
 */
export {
  DEFAULT_HTTP_OPTIONS,
  HttpClient,
  type HttpOptions,
  type HttpRequestSpec,
  redactor,
  TargetError,
} from '../containment/index.js';
