import { z } from 'zod';
import { defineCollector, fillTemplate } from '../contract.js';

/**
 * `http`: a generic GET of a configured URL template, for in-house audit logs. The template may use
 * `{from}`, `{to}`, `{from.unix}`, `{to.unix}` and `{agent.<fact>}`; the `token` secret is sent as
 * `Authorization: <scheme> <token>`. When `next` names a field of the JSON answer holding the next
 * page's URL (or a cursor appended as `cursorParam`), pages are followed until it is empty.
 */
const settingsSchema = z.strictObject({
  url: z.url(),
  authScheme: z.string().default('Bearer'),
  /** Dot path of the next page's URL or cursor in the answer, e.g. `meta.next`. */
  next: z.string().optional(),
  /** When `next` holds a cursor, the query parameter it goes into. */
  cursorParam: z.string().optional(),
  /** Dot path of the records array, to count them (default: the answer itself when it is an array). */
  items: z.string().optional(),
  maxPages: z.number().int().min(1).max(10_000).default(100),
});
type Settings = z.output<typeof settingsSchema>;

const at = (value: unknown, path: string | undefined): unknown =>
  path
    ? path
        .split('.')
        .reduce<unknown>(
          (v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined),
          value,
        )
    : value;

export const httpCollector = defineCollector<Settings>({
  id: 'http',
  summary: 'A configured URL (in-house audit log), fetched with GET',
  docs: 'https://www.rfc-editor.org/rfc/rfc9110#name-get',
  settingsSchema,
  secrets: { required: [], optional: ['token'] },
  plan: ({ settings, window, agent }) => [
    { method: 'GET', url: fillTemplate(settings.url, window, agent), what: 'the configured URL' },
  ],
  async collect({ settings, window, agent, secrets, http, out }) {
    let url: string | undefined = fillTemplate(settings.url, window, agent);
    const headers: Record<string, string> = secrets.token
      ? { authorization: `${settings.authScheme} ${secrets.token}` }
      : {};
    for (let n = 1; url && n <= settings.maxPages; n++) {
      const res: { data: unknown } = await http.request(
        { method: 'GET', url, headers, idempotent: true },
        z.unknown(),
      );
      const body = typeof res.data === 'string' ? res.data : JSON.stringify(res.data);
      await out.page(
        `response.page-${String(n).padStart(4, '0')}.${typeof res.data === 'string' ? 'txt' : 'json'}`,
        body,
        { method: 'GET', url, what: `page ${n}` },
      );
      const items = at(res.data, settings.items);
      if (!out.count(Array.isArray(items) ? items.length : 1)) return;
      const next: unknown = settings.next ? at(res.data, settings.next) : undefined;
      if (typeof next !== 'string' || !next) return;
      if (settings.cursorParam) {
        const u: URL = new URL(url);
        u.searchParams.set(settings.cursorParam, next);
        url = u.toString();
      } else url = new URL(next, url).toString();
      if (n === settings.maxPages)
        out.gap('pages after the last one read', `maxPages (${settings.maxPages}) reached`);
    }
  },
});
