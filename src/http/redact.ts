/**
 * Secrets reach containment adapters and forensic collectors by slot name, resolved from environment
 * variables named in the config. Everything that leaves a run (results, audit, timeline, logs,
 * Slack) goes through a redactor that replaces every secret value, and a few encodings of it, with
 * the slot's name.
 */
export type SecretValues = Readonly<Record<string, string>>;

/** Secrets shorter than this are not searched for: they would redact ordinary words. */
const MIN_SECRET_LENGTH = 4;

export function redactor(secrets: SecretValues): (text: string) => string {
  const replacements: [string, string][] = [];
  for (const [slot, value] of Object.entries(secrets)) {
    if (value.length < MIN_SECRET_LENGTH) continue;
    const label = `[secret:${slot}]`;
    for (const variant of new Set([value, encodeURIComponent(value), Buffer.from(value).toString('base64')]))
      replacements.push([variant, label]);
    // a URL password appears on its own inside redis:// URLs and similar
    const password = urlPassword(value);
    if (password && password.length >= MIN_SECRET_LENGTH) replacements.push([password, label]);
  }
  // longest first, so a value containing another is replaced whole
  replacements.sort((a, b) => b[0].length - a[0].length);
  return (text: string) => replacements.reduce((out, [find, label]) => out.split(find).join(label), text);
}

/**
 * A request signature (`x-quell-signature`, `x-hub-signature-256`, ...) is no secret but works like
 * one: a dry run's audit that kept it would hold a request anyone could replay against the target.
 */
export const SIGNATURE_REDACTED = '[signature redacted]';
const SIGNATURE_HEADER = /signature/i;

/**
 * Applies a redactor to every string inside a JSON-like value (planned requests, results, audit
 * entries), and replaces the value of any signature header whole.
 */
export function redactDeep<T>(value: T, redact: (text: string) => string): T {
  if (typeof value === 'string') return redact(value) as T;
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, redact)) as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value))
      out[redact(key)] =
        typeof v === 'string' && SIGNATURE_HEADER.test(key) ? SIGNATURE_REDACTED : redactDeep(v, redact);
    return out as T;
  }
  return value;
}

function urlPassword(value: string): string | undefined {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return undefined;
  try {
    const password = new URL(value).password;
    return password ? decodeURIComponent(password) : undefined;
  } catch {
    return undefined;
  }
}
