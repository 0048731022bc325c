import { Liquid, type Template } from 'liquidjs';
import { ConfigError } from '../config/errors.js';
import type { AgentField } from '../incidents/model.js';
import type { AlertRule } from './config.js';
import type { NormalizedAlert } from './model.js';

/**
 * Rules decide what an alert becomes: the first rule whose `sources` include the alert's source and
 * whose every `match` entry matches (labels, then annotations, then the format's fields; `*` means
 * "present") wins. Its title and agent facts are Liquid templates over the alert, parsed at start-up
 * so a broken template stops Quell with the rule's id, never at 3 a.m. on the first alert.
 */

export interface MatchedRule {
  rule: AlertRule;
  title: string;
  agent: Partial<Record<AgentField, string>>;
}

interface CompiledRule {
  rule: AlertRule;
  title: Template[];
  agent: [AgentField, Template[]][];
}

const MAX_TITLE = 120;

export class AlertRules {
  private readonly liquid = engine();
  private readonly compiled: CompiledRule[];

  constructor(rules: readonly AlertRule[]) {
    this.compiled = rules.map((rule, i) => ({
      rule,
      title: this.parse(rule.title, `intake.rules[${i}] (${rule.id}).title`),
      agent: Object.entries(rule.agent)
        .filter((entry): entry is [AgentField, string] => typeof entry[1] === 'string')
        .map(([field, text]) => [field, this.parse(text, `intake.rules[${i}] (${rule.id}).agent.${field}`)]),
    }));
  }

  get rules(): readonly AlertRule[] {
    return this.compiled.map((c) => c.rule);
  }

  /** The first rule for this alert, rendered; undefined when none matches. */
  match(source: string, alert: NormalizedAlert): MatchedRule | undefined {
    const found = this.compiled.find((c) => matches(c.rule, source, alert));
    if (!found) return undefined;
    const scope = {
      source,
      labels: alert.labels,
      annotations: alert.annotations,
      fields: alert.fields,
      summary: alert.summary,
      fingerprint: alert.fingerprint,
    };
    const title =
      oneLine(this.liquid.renderSync(found.title, scope)) || oneLine(alert.summary) || found.rule.id;
    const agent: Partial<Record<AgentField, string>> = {};
    for (const [field, template] of found.agent) {
      const value = oneLine(this.liquid.renderSync(template, scope));
      if (value) agent[field] = value.slice(0, 200);
    }
    return { rule: found.rule, title: title.slice(0, MAX_TITLE), agent };
  }

  private parse(text: string, where: string): Template[] {
    try {
      return this.liquid.parse(text);
    } catch (error) {
      throw new ConfigError(`${where}: ${(error as Error).message}`);
    }
  }
}

function matches(rule: AlertRule, source: string, alert: NormalizedAlert): boolean {
  if (rule.sources && !rule.sources.includes(source)) return false;
  return Object.entries(rule.match).every(([key, wanted]) => {
    const value = alert.labels[key] ?? alert.annotations[key] ?? alert.fields[key];
    if (value === undefined) return false;
    return wanted.includes('*') || wanted.includes(value);
  });
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** Liquid without file access (no include/render/layout), own properties only. */
function engine(): Liquid {
  const liquid = new Liquid({ strictFilters: true, ownPropertyOnly: true, jsTruthy: true });
  for (const tag of ['include', 'render', 'layout', 'block']) delete liquid.tags[tag];
  return liquid;
}
