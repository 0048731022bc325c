/**
 * A target refused or failed. `retryable` carries the retry semantics: a 4xx is the target's
 * considered answer and is not retried; 5xx, 429, timeouts and network errors are.
 */
export class TargetError extends Error {
  constructor(
    message: string,
    readonly details: {
      status?: number;
      retryable: boolean;
      attempts: number;
      /** The target's own error text, redacted. */
      targetMessage?: string;
      timedOut?: boolean;
    },
  ) {
    super(message);
    this.name = 'TargetError';
  }
}
