import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_IDS } from '../../src/local/seed.js';
import { startLocalSlack } from '../helpers/local-slack.js';

/**
 * A person runs an incident on the local workspace page in headless Chromium (Debian's `chromium`,
 * never a downloaded browser): declare through the composer and the form, see the channel and its
 * pinned summary, change severity and roles, click a Block Kit button, get Quell's ephemeral errors.
 */

const CHROMIUM = '/usr/bin/chromium';
const I = LOCAL_IDS;

describe('the local workspace page', () => {
  let local: Awaited<ReturnType<typeof startLocalSlack>>;
  let browser: BrowserContext;
  let page: Page;
  let profile: string;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    if (!existsSync(CHROMIUM))
      throw new Error(
        `Chromium is missing at ${CHROMIUM}: install it with \`apt-get install -y chromium\` (.ci/run does this).`,
      );
    local = await startLocalSlack();
    profile = mkdtempSync(join(tmpdir(), 'quell-chromium-'));
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1400, height: 900 },
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
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

  const composer = () => page.getByRole('textbox', { name: 'Message', exact: true });
  const messages = () => page.getByRole('log');
  const pinned = () => page.locator('#messages .message.pinned');

  async function type(text: string) {
    await composer().fill(text);
    await composer().press('Enter');
  }

  it('runs an incident end to end as a person would', { timeout: 90_000 }, async () => {
    await page.goto(local.slack.pageUrl(I.alice));
    await expect.poll(() => page.locator('#channel-header h1').textContent()).toBe('#support');
    await expect.poll(() => messages().textContent()).toContain('Processed refund of $4,200.00');

    // declare through the form: the composer runs the slash command, Quell opens the modal
    await type('/incident declare');
    const modal = page.getByRole('dialog', { name: 'Declare an incident' });
    await modal.waitFor();
    await modal.getByRole('button', { name: 'Declare' }).click();
    await expect
      .poll(() => modal.locator('.bk-error').allTextContents())
      .toEqual(['Please complete this required field.', 'Please complete this required field.']);
    await modal.getByLabel('Title', { exact: true }).fill('Helpdesk agent issued refunds over its limit');
    await modal.getByLabel('Severity').selectOption('sev2');
    await modal.getByLabel('What did the agent do?').fill('Refunded $4,200 and closed 38 open tickets.');
    await modal.getByRole('button', { name: 'Declare' }).click();
    await modal.waitFor({ state: 'detached' });

    // the confirmation is only visible to Alice, with a link to the new channel
    const confirmation = page.locator('.message.ephemeral').filter({ hasText: 'INC-1 is open in' });
    await confirmation.waitFor();
    expect(await confirmation.textContent()).toContain('Only visible to you');
    const channelLink = confirmation.locator('a.channel-link');
    await expect.poll(() => channelLink.textContent()).toMatch(/^#inc-\d{8}-helpdesk-agent-issued-refunds/);

    // the incident channel, with its pinned live summary
    await channelLink.click();
    await expect.poll(() => page.locator('#channel-header h1').textContent()).toMatch(/^#inc-/);
    await pinned().waitFor();
    expect(await pinned().locator('[role=heading]').textContent()).toBe(
      'INC-1: Helpdesk agent issued refunds over its limit',
    );
    expect(await pinned().textContent()).toContain('Pinned by Quell');
    expect(await pinned().textContent()).toContain('🟠 SEV2');
    expect(await pinned().textContent()).toContain('Refunded $4,200 and closed 38 open tickets.');
    await expect
      .poll(() => messages().textContent())
      .toContain('Alice Chen, Bob Okafor and Carmen Díaz joined');
    await page.getByRole('button', { name: /Pinned messages \(1\)/ }).click();
    await expect
      .poll(() => page.locator('#panel .pin-card [role=heading]').textContent())
      .toBe('INC-1: Helpdesk agent issued refunds over its limit');

    // severity and roles: the pinned summary changes in place, the channel is told
    await type('/incident sev sev1');
    await expect.poll(() => pinned().textContent()).toContain('🔴 SEV1');
    await expect.poll(() => messages().textContent()).toContain('@Alice raised severity SEV2 → SEV1');
    await type('/incident role scribe @bob');
    await expect
      .poll(() => pinned().locator('.bk-field').filter({ hasText: 'Scribe' }).textContent())
      .toBe('Scribe@Bob');
    await expect.poll(() => page.locator('#panel .pin-card').textContent()).toContain('🔴 SEV1');

    // a Block Kit button: the comms draft's Edit opens Quell's form through a fresh trigger id
    await type('/comms draft engineering');
    const draft = page
      .locator('#messages .message')
      .filter({ has: page.getByRole('button', { name: 'Approve' }) });
    await draft.waitFor();
    expect(await draft.getByRole('button', { name: 'Approve' }).getAttribute('class')).toContain(
      'bk-primary',
    );
    await draft.getByRole('button', { name: 'Edit' }).click();
    const editForm = page.getByRole('dialog', { name: 'Edit draft' });
    await editForm.waitFor();
    expect(await editForm.textContent()).toContain('editing v1');
    await editForm.getByRole('button', { name: 'Close' }).click();
    await editForm.waitFor({ state: 'detached' });
    expect(local.slack.deliveries.filter((d) => d.kind === 'block_actions').map((d) => d.status)).toEqual([
      200,
    ]);

    // bad input: Quell's ephemeral errors, only for Alice
    await type('/incident frobnicate');
    const unknown = page.locator('.message.ephemeral').filter({ hasText: 'is not a command I know' });
    await unknown.waitFor();
    expect(await unknown.textContent()).toContain('/incident frobnicate');
    expect(await unknown.textContent()).toContain('Only visible to you');
    await type('/incident sev sev9');
    await page.locator('.message.ephemeral').filter({ hasText: 'sev9' }).waitFor();
    await type('/deploy now');
    await page.locator('.message.ephemeral').filter({ hasText: '/deploy is not a valid command' }).waitFor();

    // another person sees the channel and the summary, but none of Alice's ephemeral messages
    await page.getByLabel('Acting as').selectOption(I.bob);
    await expect.poll(() => page.locator('#sidebar .me').textContent()).toContain('Bob Okafor');
    await pinned().waitFor();
    await expect.poll(() => page.locator('.message.ephemeral').count()).toBe(0);
    expect(await pinned().textContent()).toContain('🔴 SEV1');
    expect(pageErrors).toEqual([]);
  });
});
