/**
 * RFC 8785 JSON Canonicalization Scheme (JCS): the one byte form of a JSON value that a verifier in
 * any language can recompute. Object members are sorted by their names' UTF-16 code units (what
 * JavaScript's default string comparison does), numbers are written as ECMAScript's
 * Number.prototype.toString writes them (the RFC adopts it), strings with JSON.stringify's minimal
 * escapes (the RFC's rules), no whitespace anywhere.
 *
 * Only JSON values are accepted: NaN, Infinity, lone surrogates, undefined, functions, bigints and
 * non-plain objects are refused (the RFC forbids the first ones; the rest have no JSON form).
 * Object members whose value is `undefined` are left out, as JSON.stringify would.
 */
export class CanonicalJsonError extends Error {
  constructor(path: string, what: string) {
    super(`cannot canonicalize ${path || 'the value'}: ${what}`);
    this.name = 'CanonicalJsonError';
  }
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function canonicalJson(value: unknown): string {
  return write(value, '');
}

export function canonicalJsonBytes(value: unknown): Buffer {
  return Buffer.from(canonicalJson(value), 'utf8');
}

function write(value: unknown, path: string): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new CanonicalJsonError(path, `${value} is not a JSON number`);
      // ES Number.prototype.toString, except that -0 is written 0 (RFC 8785 §3.2.2.3)
      return Object.is(value, -0) ? '0' : String(value);
    case 'string':
      if (LONE_SURROGATE.test(value)) throw new CanonicalJsonError(path, 'a string holds a lone surrogate');
      return JSON.stringify(value);
    case 'object':
      break;
    default:
      throw new CanonicalJsonError(path, `${typeof value} has no JSON form`);
  }
  if (Array.isArray(value))
    return `[${value.map((item, i) => (item === undefined ? 'null' : write(item, `${path}[${i}]`))).join(',')}]`;
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null)
    throw new CanonicalJsonError(
      path,
      `a ${proto?.constructor?.name ?? 'non-plain'} object has no JSON form`,
    );
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  // default sort = UTF-16 code unit order, exactly what RFC 8785 §3.2.3 asks for
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries
    .map(([key, v]) => {
      if (LONE_SURROGATE.test(key))
        throw new CanonicalJsonError(path, 'a member name holds a lone surrogate');
      return `${JSON.stringify(key)}:${write(v, `${path}.${key}`)}`;
    })
    .join(',')}}`;
}
