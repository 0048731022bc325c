/**
 * Collectors share the containment adapters' HTTP core (timeouts, bounded retries honouring
 * Retry-After / X-Ratelimit-Reset, 4xx not retried, every error redacted) from the neutral src/http,
 * so collecting loads no containment code and none of its vendor SDKs.
 */
export { DEFAULT_HTTP_OPTIONS, HttpClient, type HttpOptions, type HttpRequestSpec } from '../http/client.js';
export { redactor } from '../http/redact.js';
export { TargetError } from '../http/target-error.js';
