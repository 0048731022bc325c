import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_IDS } from '../../../src/local/seed.js';
import { startLocalSlack } from '../../helpers/local-slack.js';

/**
 * The local page draws what Quell sends as Slack would (issue 14), in headless Debian Chromium:
 * mentions by name for an 11-character user id, `<!date…>` tokens in the viewer's time zone with
 * their fallback, `{ago}`, Slack's `&amp;` escaping, the datetimepicker of the update form, and
 * `/incident timeline`. Screenshots land in test-results/page/ (gitignored) for a person to look at.
 */

const CHROMIUM = '/usr/bin/chromium';
const SHOTS = join(process.cwd(), 'test-results', 'page');
const I = LOCAL_IDS;
/** An 11-character user id, as real workspaces have (the seeded ones are shorter). */
const PRIYA = 'U07PRIYA0RK';
/** 2026-03-14 15:04 UTC: 3:04 PM in London (GMT then), 12:04 AM on the 15th in Tokyo. */
const TICKED_AT = Date.UTC(2026, 2, 14, 15, 4) / 1000;

const date = (epoch: number, format: string, fallback: string) => `<!date^${epoch}^${format}|${fallback}>`;

describe('the local page renders what Quell sends as Slack does', () => {
  let local: Awaited<ReturnType<typeof startLocalSlack>>;
  let browser: BrowserContext;
  let page: Page;
  let profile: string;
  let channel: string;
  const pageErrors: string[] = [];

  /** Posts as Quell through the emulator's Web API, so its Block Kit validator checks the message. */
  async function postAsQuell(body: Record<string, unknown>): Promise<string> {
    const response = await fetch(`${local.slack.apiUrl}chat.postMessage`, {
      method: 'POST',
      headers: { authorization: `Bearer ${local.slack.botToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ channel, ...body }),
    });
    const result = (await response.json()) as { ok: boolean; ts?: string; error?: string };
    expect(result).toMatchObject({ ok: true });
    return result.ts ?? '';
  }

  const composer = () => page.getByRole('textbox', { name: 'Message', exact: true });
  const message = (ts: string) => page.locator(`#messages .message[data-ts="${ts}"]`);
  /** Keeps a screenshot; live updates may redraw the element meanwhile, so a detached one is retried. */
  async function shoot(target: Locator, name: string) {
    for (let attempt = 1; ; attempt++) {
      try {
        await target.screenshot({ path: join(SHOTS, `${name}.png`), timeout: 3_000 });
        return;
      } catch (error) {
        if (attempt === 3) throw error;
      }
    }
  }

  async function type(text: string) {
    await composer().fill(text);
    await composer().press('Enter');
  }

  beforeAll(async () => {
    local = await startLocalSlack();
    local.slack.addUser({
      id: PRIYA,
      name: 'priya',
      real_name: 'Priya Raman',
      display_name: 'Priya',
      tz: 'Asia/Tokyo',
    });
    ({ channel } = await local.declareIncident({ title: 'Helpdesk agent issued refunds over its limit' }));
    local.slack.joinAsUser({ user: PRIYA, channel });
    mkdirSync(SHOTS, { recursive: true });
    profile = mkdtempSync(join(tmpdir(), 'quell-chromium-'));
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1400, height: 900 },
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-sync'],
    });
    page = await browser.newPage();
    page.setDefaultTimeout(10_000);
    page.on('pageerror', (error) => pageErrors.push(error.message));
  });

  afterAll(async () => {
    await browser?.close();
    await local?.stop();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  it('draws a gate checklist ticked by an 11-character user: names, dates in the viewer zone, fallbacks', async () => {
    const ticked = date(TICKED_AT, '{date_short_pretty} at {time}', '2026-03-14 15:04 UTC');
    const option = (value: string, text: string, by?: string) => ({
      text: { type: 'mrkdwn', text },
      value,
      // ≤ 75 characters even with an 11-character id: Slack's limit for an option description
      ...(by ? { description: { type: 'mrkdwn', text: `ticked by <@${by}>` } } : {}),
    });
    const ts = await postAsQuell({
      text: 'Restart gate: INC-1',
      blocks: [
        { type: 'header', text: { type: 'plain_text', text: 'Restart gate: INC-1' } },
        {
          type: 'section',
          text: {
            type: 'mrkdwn',
            text: 'R&amp;D &lt;ops&gt; review for <#C0SUPPORT> and <!subteam^S0RESPOND>.',
          },
        },
        {
          type: 'actions',
          block_id: 'gate_checklist',
          elements: [
            {
              type: 'checkboxes',
              action_id: 'gate_checklist',
              options: [option('root_cause', 'Root cause found', PRIYA), option('fix', 'Fix deployed')],
              initial_options: [option('root_cause', 'Root cause found', PRIYA)],
            },
          ],
        },
        {
          type: 'context',
          elements: [
            { type: 'mrkdwn', text: `Root cause found: ticked by <@${PRIYA}> ${ticked}` },
            { type: 'mrkdwn', text: `Checked ${date(TICKED_AT, '{nonsense}', 'at the fallback time')}` },
          ],
        },
        {
          type: 'rich_text',
          elements: [
            {
              type: 'rich_text_section',
              elements: [
                { type: 'user', user_id: PRIYA },
                { type: 'text', text: ' signed off on ' },
                { type: 'date', timestamp: TICKED_AT, format: '{date_num} {time}', fallback: 'then' },
              ],
            },
          ],
        },
      ],
    });
    await page.goto(`${local.slack.url}/archives/${channel}?as=${I.alice}`);
    const checklist = message(ts);
    await checklist.waitFor();
    const text = (await checklist.textContent()) ?? '';
    expect(text).toContain('ticked by @Priya');
    expect(text).toContain('Root cause found: ticked by @Priya Mar 14, 2026 at 3:04 PM');
    expect(text).toContain('Checked at the fallback time');
    expect(text).toContain('@Priya signed off on 2026-03-14 3:04 PM');
    expect(text).toContain('R&D <ops> review for #support and @responders.');
    expect(text).not.toMatch(/U07PRIYA0RK|<@|&lt;|&amp;|\{date|\{time|\[\w+\]/);
    expect(await checklist.getByRole('checkbox', { name: /Root cause found/ }).isChecked()).toBe(true);
    await shoot(checklist, 'gate-checklist-london');

    // Priya reads it in Tokyo, nine hours ahead: the same instant is past midnight there
    await page.getByLabel('Acting as').selectOption(PRIYA);
    await expect
      .poll(() => message(ts).textContent())
      .toContain('Root cause found: ticked by @Priya Mar 15, 2026 at 12:04 AM');
    await shoot(message(ts), 'gate-checklist-tokyo');
    await page.getByLabel('Acting as').selectOption(I.alice);
  });

  it('resolves {ago} and {time} in an update prompt', async () => {
    const dueAt = Math.floor(Date.now() / 1000) - 3 * 60;
    const ts = await postAsQuell({
      text: 'Update due for INC-1',
      blocks: [
        {
          type: 'section',
          text: {
            type: 'mrkdwn',
            text: `:alarm_clock: *Update due for INC-1* <@${I.alice}>\nDue ${date(dueAt, '{time}', 'earlier')} (${date(dueAt, '{ago}', 'a while ago')}).`,
          },
        },
      ],
    });
    const prompt = message(ts);
    await prompt.waitFor();
    const text = (await prompt.textContent()) ?? '';
    const dueTime = new Date(dueAt * 1000).toLocaleTimeString('en-US', {
      timeZone: 'Europe/London',
      hour: 'numeric',
      minute: '2-digit',
    });
    expect(text).toContain(`⏰ Update due for INC-1 @Alice`);
    expect(text).toContain(`Due ${dueTime} (3 minutes ago).`);
    expect(text).not.toContain('{ago}');
    await shoot(prompt, 'update-prompt');
  });

  it("gives the update form's 'Next update by' a real date and time picker", async () => {
    await type('/incident update');
    const form = page.getByRole('dialog', { name: /^Update INC-1/ });
    await form.waitFor();
    const picker = form.locator('.bk-input').filter({ hasText: 'Next update by' });
    expect(await picker.locator('input[type=date]').count()).toBe(1);
    expect(await picker.locator('input[type=time]').count()).toBe(1);
    expect(await form.getByLabel(/^Next update by/).getAttribute('type')).toBe('date');
    expect(await form.textContent()).not.toMatch(/\[\w+\]/);
    await picker.locator('input[type=date]').fill('2031-05-06');
    await picker.locator('input[type=time]').fill('09:30');
    await expect.poll(() => picker.locator('input[type=time]').inputValue()).toBe('09:30');
    await shoot(form, 'update-form');

    // the picked wall-clock time is Alice's (London, BST in May): Quell gets 08:30 UTC and every
    // reader sees the posted update's next time in their own zone
    await form.getByLabel('Impact').fill('Two customers had open tickets closed.');
    await form.getByLabel('Containment').fill('Refund tool disabled for the agent.');
    await form.getByLabel('Investigation').fill('Facts: limit check skipped.');
    await form.getByRole('button', { name: 'Post update' }).click();
    await form.waitFor({ state: 'detached' });
    const update = page.locator('#messages .message').filter({ hasText: 'Next update:' });
    await expect.poll(() => update.last().textContent()).toContain('Next update: May 6, 2031 at 9:30 AM');
    await shoot(update.last(), 'posted-update');
  });

  it('has no [type] placeholder for any block or element type Quell builds', async () => {
    // every `type: '…'` literal in Quell's builders, minus text objects and view types
    const dir = join(process.cwd(), 'src', 'slack', 'blocks');
    const types = new Set(
      readdirSync(dir)
        .filter((f) => f.endsWith('.ts'))
        .flatMap((f) =>
          [...readFileSync(join(dir, f), 'utf8').matchAll(/type: '([a-z_]+)'/g)].map((m) => m[1] ?? ''),
        ),
    );
    for (const notDrawn of ['plain_text', 'mrkdwn', 'modal', 'home']) types.delete(notDrawn);
    expect(types).toContain('datetimepicker');
    const BLOCKS = [
      'actions',
      'context',
      'divider',
      'file',
      'header',
      'image',
      'input',
      'markdown',
      'rich_text',
      'section',
      'video',
    ];
    const text = { type: 'plain_text', text: 'x' };
    const option = { text, value: 'v' };
    const blocks = [...types].map((type) =>
      BLOCKS.includes(type)
        ? { type, text, elements: [], element: { type: 'plain_text_input', action_id: 'a' }, label: text }
        : { type: 'input', label: text, element: { type, action_id: 'a', text, options: [option] } },
    );
    // a script string: the page imports its own renderer module (vitest must not rewrite the import)
    const unknown = await page.evaluate<(string | null)[]>(`(async () => {
      const { renderBlocks } = await import('/assets/render-blocks.js');
      const ctx = { surface: 'modal', users: new Map(), channels: new Map(), usergroups: new Map(),
        values: {}, confirm: async () => true };
      const root = renderBlocks(${JSON.stringify(blocks)}, ctx);
      return [...root.querySelectorAll('.bk-unknown')].map((el) => el.textContent);
    })()`);
    expect(unknown).toEqual([]);
  });

  it('shows /incident timeline with names, not raw ids', async () => {
    await type('/incident role scribe @bob');
    await type('/incident timeline');
    const timeline = page.locator('.message.ephemeral').filter({ hasText: 'Timeline of INC-1' });
    await timeline.waitFor();
    const text = (await timeline.textContent()) ?? '';
    expect(text).toContain('@Alice');
    expect(text).toContain('@Bob');
    expect(text).not.toMatch(/U0[A-Z0-9]{4,}|<@|&lt;|&gt;/);
    await shoot(timeline, 'incident-timeline');
    expect(pageErrors).toEqual([]);
  });
});
