import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { analyzeSync, Liquid, type Template } from 'liquidjs';
import { isMap, LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { ConfigError } from '../config/errors.js';
import { destinationSchema } from './config.js';
import {
  closestField,
  FIELD_NAMES,
  type FieldValues,
  fieldValue,
  isEmptyValue,
  isKnownField,
  setFieldValue,
} from './fields.js';

/**
 * Comms templates: one `<audience>.liquid` file per audience in the templates folder, each starting
 * with YAML front matter between `---` lines. Liquid (liquidjs) because people who are not engineers
 * edit these: `{{ incident.title }}` and `{% if update.impact %}` read like the message they produce,
 * the library is actively maintained, ships its own types, runs on Node >= 16, and reports parse
 * errors and variable locations with line numbers. File-loading tags are switched off: a template is
 * one self-contained file.
 */
export const TEMPLATE_EXTENSION = '.liquid';

/** Marks an empty required field in a rendered draft; lint reports it and it blocks approval. */
export const missingMarker = (field: string) => `[[missing: ${field}]]`;
export const MISSING_MARKER_PATTERN = /\[\[missing: ([^\]]+)\]\]/g;

const frontMatterSchema = z.strictObject({
  audience: z.string().regex(/^[a-z][a-z0-9-]{0,39}$/, 'must be lower-case letters, digits and -'),
  /** Shown on the draft and in `/comms audiences`. */
  title: z.string().min(1).max(60),
  /** One line for `/comms audiences`: who reads it and what they need. */
  description: z.string().max(200).default(''),
  /** The message leaves the company (customers, regulators, the public): stricter lint rules apply. */
  external: z.boolean().default(false),
  /** Fields that must have a value; an empty one shows as [[missing: field]] and blocks approval. */
  required: z.array(z.string()).default([]),
  /** Where an approved message is published: a channel id, incident-channel, or none. */
  publish: destinationSchema.default('none'),
});
export type TemplateFrontMatter = z.output<typeof frontMatterSchema>;

export interface CommsTemplate extends TemplateFrontMatter {
  file: string;
  render(values: FieldValues): string;
}

/** One problem in one template file, with the line it is on. */
export interface TemplateProblem {
  file: string;
  line: number;
  message: string;
}

export class TemplateError extends ConfigError {
  constructor(readonly problems: readonly TemplateProblem[]) {
    super(
      `comms templates are invalid:\n${problems.map((p) => `  - ${p.file}:${p.line}: ${p.message}`).join('\n')}`,
    );
  }
}

export class TemplateLibrary {
  private readonly byAudience: Map<string, CommsTemplate>;

  constructor(
    readonly dir: string,
    templates: readonly CommsTemplate[],
  ) {
    this.byAudience = new Map(templates.map((t) => [t.audience, t]));
  }

  get(audience: string): CommsTemplate | undefined {
    return this.byAudience.get(audience);
  }

  list(): CommsTemplate[] {
    return [...this.byAudience.values()];
  }

  audiences(): string[] {
    return [...this.byAudience.keys()];
  }
}

function newEngine(): Liquid {
  const engine = new Liquid({ strictFilters: true, ownPropertyOnly: true, jsTruthy: true });
  // a template is one file; nothing may pull in other files from disk
  for (const tag of ['include', 'render', 'layout', 'block']) delete engine.tags[tag];
  return engine;
}

const FRONT_MATTER = /^---\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)/;

/** Parses and checks one template's text. Throws TemplateError listing every problem found. */
export function parseTemplate(text: string, file: string, engine = newEngine()): CommsTemplate {
  const match = FRONT_MATTER.exec(text);
  if (!match)
    throw new TemplateError([
      { file, line: 1, message: 'must start with front matter between --- lines (audience, title, publish)' },
    ]);
  const frontMatterText = match[1]!;
  const bodyStartLine = match[0].split('\n').length; // lines consumed by the front matter block
  const body = text.slice(match[0].length);
  const problems: TemplateProblem[] = [];

  const lineCounter = new LineCounter();
  const document = parseDocument(frontMatterText, { lineCounter });
  let frontMatter: TemplateFrontMatter | undefined;
  if (document.errors.length > 0) {
    for (const e of document.errors)
      problems.push({ file, line: 1 + (e.linePos?.[0]?.line ?? 1), message: e.message.split('\n')[0]! });
  } else {
    const parsed = frontMatterSchema.safeParse(document.toJS() ?? {});
    if (parsed.success) frontMatter = parsed.data;
    else
      for (const issue of parsed.error.issues) {
        const key = issue.code === 'unrecognized_keys' ? issue.keys[0] : issue.path[0];
        problems.push({
          file,
          line: 1 + frontMatterLine(document, lineCounter, key),
          message: `front matter ${issue.path.length ? `${issue.path.join('.')}: ` : ''}${issue.message}`,
        });
      }
  }

  let tokens: Template[] | undefined;
  try {
    tokens = engine.parse(body, file);
  } catch (error) {
    const { line, message } = liquidErrorPosition(error);
    problems.push({ file, line: bodyStartLine - 1 + line, message });
  }

  if (tokens) {
    const analysis = analyzeSync(tokens);
    for (const variables of Object.values(analysis.globals)) {
      for (const variable of variables) {
        const segments = variable.toArray().map((s) => (Array.isArray(s) ? '?' : s));
        if (isKnownField(segments)) continue;
        const name = variable.toString();
        const hint = closestField(name);
        problems.push({
          file,
          line: bodyStartLine + variable.location.row - 1,
          message: `unknown field "${name}"${hint ? ` (did you mean ${hint}?)` : ''}`,
        });
      }
    }
  }
  for (const field of frontMatter?.required ?? []) {
    if (!(FIELD_NAMES as string[]).includes(field)) {
      const hint = closestField(field);
      problems.push({
        file,
        line: 1 + frontMatterLine(document, lineCounter, 'required'),
        message: `required field "${field}" does not exist${hint ? ` (did you mean ${hint}?)` : ''}`,
      });
    }
  }

  if (problems.length > 0 || !frontMatter || !tokens) throw new TemplateError(problems);
  const parsedTokens = tokens;
  const meta = frontMatter;
  return {
    ...meta,
    file,
    render(values) {
      let view = values;
      const missing = meta.required.filter((f) => isEmptyValue(fieldValue(values, f)));
      if (missing.length > 0) {
        view = structuredClone(values);
        for (const field of missing) setFieldValue(view, field, missingMarker(field));
      }
      return tidy(String(engine.renderSync(parsedTokens, view)));
    },
  };
}

/** Loads every template in `dir`; all problems in all files are reported together. */
export function loadTemplateLibrary(dir: string): TemplateLibrary {
  const absolute = resolve(dir);
  let files: string[];
  try {
    files = readdirSync(absolute)
      .filter((f) => f.endsWith(TEMPLATE_EXTENSION))
      .sort();
  } catch (error) {
    throw new ConfigError(`comms templates folder ${dir} cannot be read (${(error as Error).message})`);
  }
  const engine = newEngine();
  const templates: CommsTemplate[] = [];
  const problems: TemplateProblem[] = [];
  for (const name of files) {
    const file = join(dir, name);
    try {
      const template = parseTemplate(readFileSync(join(absolute, name), 'utf8'), file, engine);
      const clash = templates.find((t) => t.audience === template.audience);
      if (clash)
        problems.push({
          file,
          line: 2,
          message: `audience "${template.audience}" is already used by ${clash.file}`,
        });
      else templates.push(template);
    } catch (error) {
      if (error instanceof TemplateError) problems.push(...error.problems);
      else throw error;
    }
  }
  if (problems.length > 0) throw new TemplateError(problems);
  return new TemplateLibrary(dir, templates);
}

/** Trailing spaces off, at most one blank line in a row, no leading/trailing blank lines. */
function tidy(text: string): string {
  return text
    .replace(/[ \t]+$/gm, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

function frontMatterLine(
  document: ReturnType<typeof parseDocument>,
  lineCounter: LineCounter,
  key: PropertyKey | undefined,
): number {
  if (key !== undefined && isMap(document.contents)) {
    const pair = document.contents.items.find(
      (p) => String((p.key as { value?: unknown })?.value) === String(key),
    );
    const range = (pair?.key as { range?: [number] } | undefined)?.range;
    if (range) return lineCounter.linePos(range[0]).line;
  }
  return 1;
}

/** liquidjs errors end with ", file:<f>, line:<n>, col:<c>"; keep the message, take the line. */
function liquidErrorPosition(error: unknown): { line: number; message: string } {
  const text = (error as Error)?.message ?? String(error);
  const position = /,\s*(?:file:[^,]*,\s*)?line:(\d+),\s*col:(\d+)/.exec(text);
  const message = position ? text.slice(0, position.index) : text.split('\n')[0]!;
  return { line: position ? Number(position[1]) : 1, message };
}
