/**
 * People's text, made safe for Quell to echo: the one escaping function.
 *
 * Slack turns `<…>` control sequences into markup: `<!channel>`, `<!here>`, `<!everyone>` and
 * `<!subteam^S…>` ping whole channels and groups, `<@U…>` pings a person, `<https://evil|docs>` is a
 * link whose target is hidden behind its label. A title, note or agent fact that carries one would
 * make Quell, not the person, ping or mislead everybody. `safeText` rewrites every such sequence to
 * what it stands for in plain words: "@channel", "@Alice Chen" (the label a mention carries, see
 * `labelMentions`), "@incident-responders", "docs (https://evil.example)", "#general". Nothing
 * else changes: braces, Liquid tags and emoji stay as typed.
 *
 * Quell's own mentions (role holders, commander pings, channel links) are built separately by the
 * Block Kit builders and never pass through here, so they stay live.
 */

export type SafeTextFormat =
  /** For mrkdwn text objects and `text` fallbacks: &, < and > escaped as Slack requires. */
  | 'mrkdwn'
  /**
   * For plain_text objects, topics, and domain text that a renderer escapes later (timeline event
   * text): sequences neutralised, the rest left as typed.
   */
  | 'plain';

/**
 * A Slack control sequence: `<@…>`, `<#…>`, `<!…>`, or a link `<scheme:…>`. Anything else between
 * angle brackets ("a <3 b>") is ordinary text.
 */
const CONTROL_SEQUENCE = /<([@#!][^<>]*|[a-zA-Z][a-zA-Z0-9+.-]*:[^<>]*)>/g;

/** Quell's word for a special mention, shown instead of pinging. */
const SPECIAL_MENTIONS: Record<string, string> = {
  channel: '@channel',
  here: '@here',
  everyone: '@everyone',
  group: '@group',
};

export function safeText(text: string, format: SafeTextFormat = 'mrkdwn'): string {
  // Slack delivers typed &, < and > escaped; a form delivers them raw. Decode first so both look
  // the same, and so "&lt;!channel&gt;" cannot turn into a ping after someone else decodes it.
  let out = decodeEntities(text);
  // Replacing a sequence may complete another around it ("<<!here>!channel>"): repeat until none.
  for (let pass = 0; pass < 20; pass++) {
    const next = out.replace(CONTROL_SEQUENCE, (_all, inner: string) => neutralise(inner));
    if (next === out) break;
    out = next;
  }
  return format === 'mrkdwn' ? escapeMarkup(out) : out;
}

/** True when the text holds a sequence that would ping or hide a link if Quell echoed it raw. */
export function findLiveMarkup(text: string): string[] {
  return [...decodeEntities(text).matchAll(CONTROL_SEQUENCE)].map((m) => m[0]);
}

/** &, < and > as Slack mrkdwn needs them. */
export function escapeMarkup(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function decodeEntities(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/** One control sequence's inside, as plain words (never containing < or >). */
function neutralise(inner: string): string {
  const [target = '', ...rest] = inner.split('|');
  const label = rest.join('|').trim();
  if (target.startsWith('@')) return `@${label.replace(/^@/, '') || target.slice(1)}`;
  if (target.startsWith('#')) return `#${label.replace(/^#/, '') || target.slice(1)}`;
  if (target.startsWith('!')) {
    const name = target.slice(1);
    if (name.startsWith('subteam^')) return `@${label.replace(/^@/, '') || 'usergroup'}`;
    if (name.startsWith('date^')) return label || 'a date';
    return SPECIAL_MENTIONS[name] ?? (label ? label : `@${name}`);
  }
  // a link: its URL always shows, so nobody clicks a label that hides where it goes
  return label && label !== target ? `${label} (${target})` : target;
}

/** A person's display name by user id, or undefined when it cannot be found. */
export type NameLookup = (user: string) => Promise<string | undefined>;

/**
 * Gives every bare user mention in people's text the person's name as its label
 * (`<@U123>` → `<@U123|Alice Chen>`), so `safeText` can show "@Alice Chen" without a lookup.
 * Used where text enters the domain; a failed lookup leaves the mention bare ("@U123").
 */
export async function labelMentions(text: string, lookup: NameLookup): Promise<string> {
  const bare = [...new Set([...text.matchAll(/<@([UW][A-Z0-9]+)>/g)].map((m) => m[1]!))];
  if (bare.length === 0) return text;
  const names = new Map<string, string>();
  await Promise.all(
    bare.slice(0, 20).map(async (id) => {
      const name = await lookup(id).catch(() => undefined);
      if (name) names.set(id, name.replace(/[<>|]/g, ''));
    }),
  );
  return text.replace(/<@([UW][A-Z0-9]+)>/g, (all, id: string) => {
    const name = names.get(id);
    return name ? `<@${id}|${name}>` : all;
  });
}
