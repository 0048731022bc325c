/**
 * Block Kit and legacy attachments as plain text, so the readable transcript shows what a bot
 * actually displayed (an agent's bot can change its blocks while leaving `text` alone).
 */
type Json = Record<string, unknown>;

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const textOf = (t: unknown): string => (t && typeof t === 'object' ? str((t as Json).text) : str(t));

function richElements(elements: unknown): string {
  if (!Array.isArray(elements)) return '';
  return elements
    .map((e: Json) => {
      switch (e.type) {
        case 'text':
          return str(e.text);
        case 'link':
          return e.text ? `${str(e.text)} (${str(e.url)})` : str(e.url);
        case 'user':
          return `<@${str(e.user_id)}>`;
        case 'channel':
          return `<#${str(e.channel_id)}>`;
        case 'usergroup':
          return `<!subteam^${str(e.usergroup_id)}>`;
        case 'broadcast':
          return `@${str(e.range)}`;
        case 'emoji':
          return `:${str(e.name)}:`;
        case 'date':
          return str(e.fallback) || String(e.timestamp ?? '');
        case 'rich_text_section':
        case 'rich_text_preformatted':
        case 'rich_text_quote':
          return richElements(e.elements);
        case 'rich_text_list':
          return (
            (e.elements as Json[] | undefined)
              ?.map((item) => `• ${richElements(item.elements)}`)
              .join('\n') ?? ''
          );
        default:
          return '';
      }
    })
    .join('');
}

function elementText(e: Json): string {
  switch (e.type) {
    case 'button':
      return `[button: ${textOf(e.text)}${e.url ? ` → ${str(e.url)}` : ''}]`;
    case 'image':
      return `[image: ${str(e.alt_text)}]`;
    case 'mrkdwn':
    case 'plain_text':
      return str(e.text);
    default:
      return textOf(e.text) || textOf(e.placeholder)
        ? `[${str(e.type)}: ${textOf(e.text) || textOf(e.placeholder)}]`
        : '';
  }
}

/** One line (or a few) per block; blocks with no visible text give nothing. */
export function blocksToText(blocks: unknown): string[] {
  if (!Array.isArray(blocks)) return [];
  const lines: string[] = [];
  for (const block of blocks as Json[]) {
    switch (block.type) {
      case 'header':
      case 'section': {
        const text = textOf(block.text);
        if (text) lines.push(text);
        for (const field of (block.fields as Json[] | undefined) ?? []) lines.push(textOf(field));
        if (block.accessory) {
          const a = elementText(block.accessory as Json);
          if (a) lines.push(a);
        }
        break;
      }
      case 'context':
      case 'actions': {
        const parts = ((block.elements as Json[] | undefined) ?? []).map(elementText).filter(Boolean);
        if (parts.length) lines.push(parts.join(' · '));
        break;
      }
      case 'rich_text': {
        const text = richElements(block.elements);
        if (text) lines.push(text);
        break;
      }
      case 'image':
        lines.push(`[image: ${str(block.alt_text)}${block.title ? ` · ${textOf(block.title)}` : ''}]`);
        break;
      case 'markdown':
        if (block.text) lines.push(str(block.text));
        break;
      case 'divider':
        break;
      default: {
        const text = textOf(block.text);
        if (text) lines.push(text);
      }
    }
  }
  return lines.flatMap((line) => line.split('\n')).filter((line) => line.trim() !== '');
}

/** A legacy attachment's visible parts, one per line. */
export function attachmentToText(attachment: Json): string[] {
  const lines: string[] = [];
  for (const key of ['pretext', 'author_name', 'title', 'text'] as const)
    if (attachment[key]) lines.push(str(attachment[key]));
  for (const field of (attachment.fields as Json[] | undefined) ?? [])
    lines.push(`${str(field.title)}: ${str(field.value)}`);
  lines.push(...blocksToText(attachment.blocks));
  if (attachment.footer) lines.push(str(attachment.footer));
  if (lines.length === 0 && attachment.fallback) lines.push(str(attachment.fallback));
  const link = attachment.title_link ?? attachment.from_url ?? attachment.original_url;
  if (link) lines.push(`<${str(link)}>`);
  return lines.flatMap((line) => line.split('\n')).filter((line) => line.trim() !== '');
}
