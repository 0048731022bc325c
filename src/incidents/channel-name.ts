/** Slack's channel naming rules: lowercase letters, digits, `-` and `_`, at most 80 characters. */
export const MAX_CHANNEL_NAME_LENGTH = 80;

export function slugify(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

export interface ChannelNameFacts {
  id: string;
  title: string;
  severity: string;
  declaredAt: Date;
  timezone: string;
}

/** Fills the configured pattern and makes the result a legal Slack channel name. */
export function channelNameFor(pattern: string, facts: ChannelNameFacts): string {
  const filled = pattern
    .replaceAll('{yyyymmdd}', dateStamp(facts.declaredAt, facts.timezone))
    .replaceAll('{id}', facts.id)
    .replaceAll('{sev}', facts.severity)
    .replaceAll('{slug}', slugify(facts.title) || 'incident');
  return trimToLength(sanitize(filled), MAX_CHANNEL_NAME_LENGTH);
}

/** The n-th alternative for a taken name (`-2`, `-3`, ...), still within 80 characters. */
export function withSuffix(name: string, n: number): string {
  const suffix = `-${n}`;
  return `${trimToLength(name, MAX_CHANNEL_NAME_LENGTH - suffix.length)}${suffix}`;
}

function sanitize(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^[-_]+|[-_]+$/g, '');
}

/** Cuts at a word boundary when one is near, so names do not end mid-word. */
function trimToLength(name: string, max: number): string {
  if (name.length <= max) return name;
  const cut = name.slice(0, max);
  const lastDash = cut.lastIndexOf('-');
  const trimmed = lastDash > max * 0.6 ? cut.slice(0, lastDash) : cut;
  return trimmed.replace(/[-_]+$/g, '');
}

function dateStamp(at: Date, timezone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: timezone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).formatToParts(at);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}${get('month')}${get('day')}`;
}
