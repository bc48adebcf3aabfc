/**
 * The operator console in real Chromium (playwright-core driving the one test/helpers/chromium.ts finds)
 * against paycall's web app, a worker with the real Stripe activities and the local Stripe
 * sandbox: sign in, find a declined call and see the failing step and decline code, refund
 * a paid call through the confirmation step (double-clicked), see it refunded, and check the
 * sandbox holds exactly one refund. Screenshots of each view go to test/artifacts/.
 */
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../helpers/chromium.js';
import { playAbandoned, playDeclined, playPaid, type Played } from './support/scenarios.js';
import { operatorToken, startOperatorStack, type OperatorStack } from './support/stack.js';

const artifacts = fileURLToPath(new URL('../artifacts/', import.meta.url));

let stack: OperatorStack;
let browser: Browser;
let page: Page;
let declined: Played;
let paid: Played;
const pageErrors: string[] = [];
const foreignRequests: string[] = [];

/** The id of the focused element (test files have no DOM types: the expression runs in the page). */
function focusedId(): Promise<string | undefined> {
  return page.evaluate<string | undefined>('document.activeElement?.id');
}

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: `${artifacts}${name}.png`, fullPage: true });
}

beforeAll(async () => {
  mkdirSync(artifacts, { recursive: true });
  stack = await startOperatorStack();
  const { client } = stack.temporal;
  [declined, paid] = await Promise.all([
    playDeclined(client, stack.taskQueue, stack.orders.add(4500, 'usd', 'a museum annual pass')),
    playPaid(client, stack.taskQueue, stack.orders.add()),
    playAbandoned(client, stack.taskQueue, stack.orders.add(250, 'usd', 'a parking permit')),
  ]);
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1366, height: 860 }, locale: 'en-US', timezoneId: 'UTC' });
  page.on('pageerror', (err) => pageErrors.push(err.message));
  page.on('console', (message) => {
    if (message.type() === 'error') pageErrors.push(message.text());
  });
  page.on('request', (request) => {
    if (!request.url().startsWith(stack.baseUrl) && !request.url().startsWith('data:')) foreignRequests.push(request.url());
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

describe('operator console in Chromium', () => {
  it('asks for the operator token and refuses a wrong one', async () => {
    await page.goto(`${stack.baseUrl}/operator/`);
    const token = page.getByLabel('Operator token');
    await expect.poll(() => token.isVisible()).toBe(true);
    expect(await focusedId()).toBe('token');
    await shot('console-1-sign-in');
    await token.fill('not-the-token');
    await page.keyboard.press('Enter');
    await page.getByRole('alert').filter({ hasText: 'not accepted' }).waitFor();
    await token.fill(operatorToken);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Calls', level: 1 }).waitFor();
    expect(await page.getByText(`namespace ${stack.temporal.namespace}`).isVisible()).toBe(true);
  });

  it('finds the declined call with the filters (keyboard only) and shows where it failed', async () => {
    // "/" jumps to the order filter; the rest is Tab, typing and arrow keys.
    await page.keyboard.press('/');
    expect(await focusedId()).toBe('order');
    await page.keyboard.type(declined.outcome.orderId!);
    await page.getByLabel('Outcome').selectOption('declined');
    await page.getByLabel('Failed at').selectOption('charge');
    await page.getByLabel('Order number').press('Enter');
    const row = page.getByRole('row').filter({ hasText: declined.outcome.orderId! });
    await row.waitFor();
    expect(await page.locator('caption').innerText()).toContain('1 call with outcome declined, failed at Charge, order');
    expect(await row.innerText()).toContain('declined');
    expect(await row.innerText()).toContain('Declined at charge (attempt 3): card declined, card_declined / insufficient_funds');
    await shot('console-2-calls-declined');

    await row.getByRole('link').focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: /^Call CA/, level: 1 }).waitFor();
    expect(page.url()).toContain(`#/calls/call-${declined.call.input.callSid}`);
    const verdict = page.locator('#verdict-text');
    expect(await verdict.innerText()).toBe(
      `Declined at charge (attempt 3): card declined, card_declined / insufficient_funds: Your card has insufficient funds. (${declined.outcome.paymentIntentId}).`,
    );

    const failing = page.locator('.entry-failing');
    expect(await failing.count()).toBe(1);
    const failingText = await failing.innerText();
    expect(failingText).toContain('FAILED HERE');
    expect(failingText).toContain('Charge #3');
    expect(failingText).toContain('Decline code');
    expect(failingText).toContain('insufficient_funds');
    expect(failingText).toContain(declined.outcome.paymentIntentId!);
    expect(failingText).toContain('visa •••• 9995');
    // The button takes keyboard focus to the failing step.
    await page.getByRole('button', { name: 'Show the failing step' }).click();
    expect(await page.evaluate<boolean>("document.activeElement?.classList.contains('entry-failing') ?? false")).toBe(true);

    const link = page.getByRole('link', { name: 'Open in Temporal Web UI ↗' });
    expect(await link.getAttribute('href')).toMatch(
      new RegExp(`^http://localhost:8233/namespaces/${stack.temporal.namespace}/workflows/call-${declined.call.input.callSid}/[0-9a-f-]+/history$`),
    );
    expect(await link.getAttribute('target')).toBe('_blank');
    expect(await page.getByText('Nothing to refund: the call ended declined without a payment.').isVisible()).toBe(true);
    await shot('console-3-call-declined');
  });

  it('refunds a paid call after a confirmation step: a double click refunds once, and the call shows refunded', async () => {
    await page.goto(`${stack.baseUrl}/operator/#/calls?order=${paid.outcome.orderId}`);
    const row = page.getByRole('row').filter({ hasText: paid.outcome.orderId! });
    await row.waitFor();
    expect(await row.innerText()).toContain('paid');
    await row.getByRole('link').click();
    await page.locator('#verdict-text').filter({ hasText: /^Paid \$19\.99/ }).waitFor();
    expect(await page.getByText('Up to $19.99').isVisible()).toBe(true);
    expect(await page.getByLabel('Amount (USD)').inputValue()).toBe('19.99');
    await shot('console-4-call-paid');

    // The confirmation step: Escape backs out without refunding.
    const open = page.getByRole('button', { name: 'Refund…' });
    await open.focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Confirm refund' });
    await dialog.waitFor();
    expect(await dialog.innerText()).toContain(`Refund $19.99 (everything left) of the $19.99 paid for order ${paid.outcome.orderId} to the visa ending 4242?`);
    expect(await focusedId()).toBe('refund-cancel');
    await shot('console-5-refund-confirmation');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    expect(await focusedId()).toBe('refund-open');
    expect((await stack.sandbox.stripe().refunds.list({ payment_intent: paid.outcome.paymentIntentId! })).data).toHaveLength(0);

    await page.keyboard.press('Enter');
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Refund $19.99' }).dblclick();
    await page.getByRole('status').filter({ hasText: /^Refunded \$19\.99 \(re_\w+\)\.$/ }).waitFor();
    await dialog.waitFor({ state: 'hidden' });

    // The page reloads the call: outcome refunded, the refund in the table and on the timeline.
    await page.locator('.head-badges .badge-refunded').waitFor();
    expect(await page.locator('#verdict-text').innerText()).toMatch(/Then refunded \$19\.99 in full by an operator \(re_\w+\)\.$/);
    const refundRows = page.locator('.refund-table tbody tr');
    expect(await refundRows.count()).toBe(1);
    expect(await refundRows.first().innerText()).toContain('refunded');
    expect(await page.locator('.timeline').innerText()).toContain('Refund (Stripe)');
    expect(await page.getByText('Fully refunded.').isVisible()).toBe(true);
    await shot('console-6-call-refunded');

    const refunds = await stack.sandbox.stripe().refunds.list({ payment_intent: paid.outcome.paymentIntentId! });
    expect(refunds.data).toHaveLength(1);
    expect(refunds.data[0]!.amount).toBe(1999);
  });

  it('lists the refunded call under outcome refunded, live', async () => {
    await page.getByRole('link', { name: '← All calls' }).click();
    await page.getByLabel('Outcome').selectOption('refunded');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    const row = page.getByRole('row').filter({ hasText: paid.outcome.orderId! });
    await row.waitFor();
    expect(await row.innerText()).toContain('refunded');
    expect(await row.innerText()).toContain('refunded $19.99');
    expect(await page.getByLabel(/Live refresh/).isChecked()).toBe(true);
    await shot('console-7-calls-refunded');

    // With no filters: every call of this run, newest first.
    await page.getByRole('link', { name: 'Clear' }).click();
    await page.locator('caption').filter({ hasText: 'newest first' }).waitFor();
    await shot('console-8-calls');
  });

  it('loads nothing from anywhere else and logs no errors', () => {
    expect(foreignRequests).toEqual([]);
    expect(pageErrors.filter((e) => !e.includes('401'))).toEqual([]);
  });
});
