import { readFileSync } from 'node:fs';
import { analyzeSync, Liquid, type Template } from 'liquidjs';
import { ConfigError } from '../config/errors.js';

/**
 * The postmortem template: one Liquid file producing Markdown, the same engine and settings as the
 * comms templates (file-loading tags off, strict filters), checked against the field list below so
 * a misspelt field is an error with its file and line at start-up and in `quell config check`.
 */

/** Every field the postmortem template may use; lists give the fields of each item. */
export const POSTMORTEM_FIELDS = {
  incident: [
    'id',
    'title',
    'description',
    'severity',
    'status',
    'drill',
    'declaredAt',
    'startedAt',
    'impactWindow',
    'resolvedAt',
    'duration',
    'channel',
    'declaredBy',
  ],
  roles: ['commander', 'scribe', 'techLead', 'comms'],
  agent: ['name', 'version', 'model', 'promptHash', 'tools', 'environment'],
  impact: ['latest', 'containment', 'investigation'],
  rootCause: ['category', 'categoryLabel', 'summary', 'confirmed', 'confirmedAt', 'confirmedBy'],
  gate: ['passed', 'overridden', 'overrideBy', 'overrideAt', 'overrideReason', 'missingAtResolution'],
  containment: ['count', 'summary'],
  evidence: ['archived', 'version', 'location', 'manifestSha256', 'archivedAt'],
  inventory: ['count', 'reversed', 'accepted', 'pending'],
  comms: ['count'],
  /** The tool call a responder marked in the agent timeline (src/forensics). */
  firstUnauthorizedAction: [],
  generatedAt: [],
  timezone: [],
} as const;

export const POSTMORTEM_LISTS = {
  timeline: ['at', 'actor', 'kind', 'text'],
  'containment.actions': [
    'at',
    'actor',
    'event',
    'action',
    'adapter',
    'target',
    'outcome',
    'dryRun',
    'detail',
    'error',
  ],
  'comms.sent': ['at', 'audience', 'version', 'channel', 'approvedBy', 'drill', 'text'],
  'gate.items': ['id', 'label', 'required', 'evaluated', 'ticked', 'reason', 'by', 'at'],
  'inventory.objects': [
    'object',
    'system',
    'objectId',
    'change',
    'before',
    'after',
    'reversible',
    'state',
    'note',
    'disclosure',
    'recordedBy',
    'updatedAt',
  ],
  reactivation: ['stage', 'owner', 'criteria'],
  obligations: [
    'type',
    'name',
    'authority',
    'citation',
    'awareAt',
    'deadlineAt',
    'status',
    'initialAt',
    'initialBy',
    'submittedAt',
    'submittedBy',
    'reference',
    'onTime',
    'waivedBy',
    'waiverReason',
    'drill',
  ],
  actions: ['id', 'owner', 'due', 'text', 'status'],
} as const;

const LIST_PROPERTIES = ['size', 'first', 'last'];

function knownPaths(): Set<string> {
  const paths = new Set<string>();
  for (const [root, children] of Object.entries(POSTMORTEM_FIELDS)) {
    paths.add(root);
    for (const child of children) paths.add(`${root}.${child}`);
  }
  for (const [list, items] of Object.entries(POSTMORTEM_LISTS)) {
    const parts = list.split('.');
    for (let i = 1; i <= parts.length; i++) paths.add(parts.slice(0, i).join('.'));
    for (const property of LIST_PROPERTIES) paths.add(`${list}.${property}`);
    for (const end of ['first', 'last']) for (const item of items) paths.add(`${list}.${end}.${item}`);
  }
  return paths;
}
const KNOWN = knownPaths();

export interface PostmortemTemplate {
  file: string;
  render(values: Record<string, unknown>): string;
}

function engine(): Liquid {
  const liquid = new Liquid({ strictFilters: true, ownPropertyOnly: true, jsTruthy: true });
  for (const tag of ['include', 'render', 'layout', 'block']) delete liquid.tags[tag];
  return liquid;
}

/** Parses and checks the template text; throws ConfigError listing every problem with its line. */
export function parsePostmortemTemplate(text: string, file: string): PostmortemTemplate {
  const liquid = engine();
  let tokens: Template[];
  try {
    tokens = liquid.parse(text, file);
  } catch (error) {
    const message = (error as Error).message ?? String(error);
    const position = /line:(\d+)/.exec(message);
    throw new ConfigError(
      `postmortem template is invalid:\n  - ${file}:${position ? position[1] : 1}: ${message.split(',')[0]}`,
    );
  }
  const problems: string[] = [];
  for (const variables of Object.values(analyzeSync(tokens).globals)) {
    for (const variable of variables) {
      const path = variable
        .toArray()
        .filter((s): s is string => typeof s === 'string')
        .join('.');
      if (!KNOWN.has(path))
        problems.push(`  - ${file}:${variable.location.row}: unknown field "${variable.toString()}"`);
    }
  }
  if (problems.length) throw new ConfigError(`postmortem template is invalid:\n${problems.join('\n')}`);
  return {
    file,
    render: (values) =>
      String(liquid.renderSync(tokens, values))
        .replace(/[ \t]+$/gm, '')
        .replace(/\n{3,}/g, '\n\n')
        .trim()
        .concat('\n'),
  };
}

export function loadPostmortemTemplate(file: string): PostmortemTemplate {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`postmortem template ${file} cannot be read (${(error as Error).message})`);
  }
  return parsePostmortemTemplate(text, file);
}
