import { type DestinationStream, type Logger, pino } from 'pino';

/** Token shapes that must never reach a log line, whatever field they hide in. */
const SECRET_PATTERNS: readonly RegExp[] = [
  /xox[abposr]-[A-Za-z0-9-]+/g, // Slack bot/user/config tokens
  /xapp-[A-Za-z0-9-]+/g, // Slack app-level tokens
  /\bsk-[A-Za-z0-9_-]{16,}/g, // OpenAI / Anthropic / LiteLLM style keys
  /\bgh[pousr]_[A-Za-z0-9]{20,}/g, // GitHub tokens
  /\bBearer\s+[A-Za-z0-9._~+/=-]{8,}/gi,
];

const REDACTED_PATHS = [
  'token',
  '*.token',
  'password',
  '*.password',
  'secret',
  '*.secret',
  'authorization',
  '*.authorization',
  '*.headers.authorization',
  '*.headers["x-slack-signature"]',
  'signingSecret',
  '*.signingSecret',
  'botToken',
  'appToken',
];

export function maskSecrets(text: string): string {
  return SECRET_PATTERNS.reduce((out, pattern) => out.replace(pattern, '[REDACTED]'), text);
}

/**
 * JSON logs with secrets removed twice over: known secret fields are censored by path, and every
 * serialized line is scrubbed of token-shaped strings (an error message can carry a URL with a key).
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const scrubbed: DestinationStream = {
    write: (line: string) => (destination ?? process.stdout).write(maskSecrets(line)),
  };
  return pino(
    { level, redact: { paths: REDACTED_PATHS, censor: '[REDACTED]' }, base: { app: 'quell' } },
    scrubbed,
  );
}

export type { Logger };
