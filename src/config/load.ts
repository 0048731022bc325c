import { existsSync, readFileSync } from 'node:fs';
import { isMap, LineCounter, parseDocument } from 'yaml';
import { ConfigError } from './errors.js';
import { formatIssues } from './issues.js';
import { type QuellConfig, quellConfigSchema } from './schema.js';

export { ConfigError };

/**
 * Reads and validates the config file. A missing file at the default path means "all defaults";
 * a missing file the operator named explicitly is an error, because they meant a file.
 */
export function loadConfigFile(path: string, { required }: { required: boolean }): QuellConfig {
  if (!existsSync(path)) {
    if (required) throw new ConfigError(`Config file ${path} does not exist (set by QUELL_CONFIG).`);
    return parseConfig({}, path);
  }
  return parseConfigText(readFileSync(path, 'utf8'), path);
}

export function parseConfigText(text: string, source: string): QuellConfig {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: true });
  if (document.errors.length > 0) {
    const details = document.errors.map((e) => `  - ${e.message.split('\n')[0]}`).join('\n');
    throw new ConfigError(`${source} is not valid YAML:\n${details}`);
  }
  const raw = document.toJS() ?? {};
  if (typeof raw !== 'object' || Array.isArray(raw))
    throw new ConfigError(`${source}: the top level must be a mapping`);
  return parseConfig(raw, source, (path) => lineOf(document, lineCounter, path));
}

function parseConfig(
  raw: unknown,
  source: string,
  lineOf?: (path: PropertyKey[]) => number | undefined,
): QuellConfig {
  const result = quellConfigSchema.safeParse(raw);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => {
    // an unknown key is reported on its parent; point at the key itself
    const path = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0] ?? ''] : issue.path;
    const line = lineOf?.(path);
    return line ? { ...issue, message: `${issue.message} (line ${line})` } : issue;
  });
  throw new ConfigError(`${source} is invalid:\n${formatIssues(issues)}`);
}

function lineOf(
  document: ReturnType<typeof parseDocument>,
  lineCounter: LineCounter,
  path: PropertyKey[],
): number | undefined {
  for (let depth = path.length; depth > 0; depth--) {
    const node = document.getIn(path.slice(0, depth), true) as { range?: [number] } | undefined;
    if (node && typeof node === 'object' && node.range) return lineCounter.linePos(node.range[0]).line;
    // a key that exists with a mapping value: point at the mapping
    const parent = depth > 1 ? document.getIn(path.slice(0, depth - 1), true) : document.contents;
    if (isMap(parent)) {
      const pair = parent.items.find(
        (p) => String((p.key as { value?: unknown })?.value) === String(path[depth - 1]),
      );
      const range = (pair?.key as { range?: [number] } | undefined)?.range;
      if (range) return lineCounter.linePos(range[0]).line;
    }
  }
  return undefined;
}
