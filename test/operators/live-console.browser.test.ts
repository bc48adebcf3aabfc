/**
 * Agent-assisted payments through the operator console, in real Chromium, against the whole
 * local stack (Temporal, worker, web app, Stripe sandbox, Twilio REST stand-in) with the
 * phone simulator as the caller. A caller presses 0; the operator (alice, a named operator)
 * sees them on the live calls page, opens the live call, starts the capture for the caller's
 * order and watches each field come in: a mistyped card number asked again, an expiry she
 * asks for again herself, the confirmation code; then ends the call. A second call is
 * cancelled, declined, and paid with another card. Checked: one charge per call in the
 * sandbox, and that the page's text, every response the page received (event streams
 * included) and the calls' histories hold masked card values only. Screenshots go to
 * test/artifacts/live-*.png.
 */
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callWorkflowId } from '../../src/contract/call.js';
import { OperatorDirectory, sha256 } from '../../src/operators/web/operator-directory.js';
import { heardText, type CallRecord } from '../../src/stand-ins/phone-simulator/index.js';
import { startLocalStack, type LocalStack } from '../e2e/local-stack.js';
import { cardDataFindings, historyAsText } from '../helpers/card-data-scanner.js';
import { launchChromium } from '../helpers/chromium.js';
import { uniqueCallSid } from '../helpers/temporal.js';
import { NetworkLog } from './support/network-log.js';
import { PacedCaller } from './support/paced-caller.js';

const artifacts = fileURLToPath(new URL('../artifacts/', import.meta.url));
const aliceToken = 'alice-live-console-token-93f1';
/** Every card number a caller keys in this file (the first fails Luhn, so the scanner alone would not see it). */
const keyedNumbers = ['4242424242424241', '4242424242424242', '4000000000000002'];

let stack: LocalStack;
let browser: Browser;
let page: Page;
const network = new NetworkLog();
const pageErrors: string[] = [];
const foreignRequests: string[] = [];
const callSids: string[] = [];

const focusedId = (): Promise<string | undefined> => page.evaluate<string | undefined>('document.activeElement?.id');
const shot = (name: string) => page.screenshot({ path: `${artifacts}${name}.png`, fullPage: true });
const progress = (field: string) => page.locator(`#progress-${field}`);

/** Waits until the element's text matches (the page updates from its event stream). */
async function untilText(selector: string, match: string | RegExp, timeout = 20_000): Promise<string> {
  const locator = page.locator(selector);
  await expect.poll(async () => ((await locator.count()) ? locator.innerText() : ''), { timeout, interval: 100 }).toMatch(match instanceof RegExp ? match : new RegExp(escape(match)));
  return locator.innerText();
}
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

beforeAll(async () => {
  mkdirSync(artifacts, { recursive: true });
  stack = await startLocalStack({}, { withOperators: true, operators: OperatorDirectory.fromConfig({ OPERATORS: `alice:sha256:${sha256(aliceToken).toString('hex')}` }) });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1366, height: 900 }, locale: 'en-US', timezoneId: 'UTC' });
  await network.attach(page);
  page.on('pageerror', (err) => pageErrors.push(err.message));
  page.on('console', (message) => {
    if (message.type() === 'error') pageErrors.push(message.text());
  });
  page.on('request', (request) => {
    if (!request.url().startsWith(stack.webUrl) && !request.url().startsWith('data:')) foreignRequests.push(request.url());
  });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

/** A caller who keys order `orderId`, presses 0 and waits on the operator line. */
function placeCall(orderId: string, caller: PacedCaller): { callSid: string; calling: Promise<CallRecord> } {
  const callSid = uniqueCallSid();
  callSids.push(callSid);
  return { callSid, calling: stack.call({ callSid, caller }) };
}

describe('agent-assisted payment in the operator console', () => {
  it('parses event-stream frames however the network cuts them (sse.js, in the page)', async () => {
    await page.goto(`${stack.webUrl}/operator/`);
    const frames = await page.evaluate<[string, string][]>(`(async () => {
      const { sseParser } = await import('./sse.js');
      const seen = [];
      const parser = sseParser((event, data) => seen.push([event, data]));
      const wire = ': still here\\r\\n\\r\\nevent: call\\r\\ndata: {"a":1,\\r\\ndata: "b":2}\\r\\n\\r\\nevent: problem\\rdata: {"message":"x"}\\r\\rdata:plain\\n\\n';
      for (const size of [1, 2, 3, 7, wire.length]) for (let i = 0; i < wire.length; i += size) parser.push(wire.slice(i, i + size));
      return seen;
    })()`);
    const once: [string, string][] = [
      ['call', '{"a":1,\n"b":2}'],
      ['problem', '{"message":"x"}'],
      ['message', 'plain'],
    ];
    expect(frames).toEqual([...once, ...once, ...once, ...once, ...once]);
  });

  it('signs alice in and shows the caller who pressed 0 on the live calls page', async () => {
    await page.getByLabel('Operator token').fill(aliceToken);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Calls', level: 1 }).waitFor();
    expect(await page.locator('#session-operator').innerText()).toBe('signed in as alice');
    // From the calls list to the live calls, by keyboard.
    await page.locator('#live-calls-link').focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Live calls', level: 1 }).waitFor();
    expect(await page.locator('#nav-live').getAttribute('aria-current')).toBe('page');
    await untilText('#live-results', "No callers are on an operator's line right now");
    await untilText('#stream-status', 'Live');
  });

  let first: { callSid: string; calling: Promise<CallRecord>; caller: PacedCaller };
  it('the operator takes the card on the live call, field by field, and reads out the confirmation code', async () => {
    const caller = new PacedCaller([{ gather: '80001#' }, { gather: '0' }, { agentPay: { cardNumber: ['4242424242424241', '4242424242424242'], expiry: ['1234', '1235'], securityCode: '123' } }]);
    first = { ...placeCall('80001', caller), caller };
    const { callSid } = first;

    // The list is streamed: the caller appears without a reload.
    const row = page.getByRole('row').filter({ hasText: '80001' });
    await row.waitFor({ timeout: 30_000 });
    await untilText('#live-results tbody', 'On the line, no card capture yet');
    expect(await row.innerText()).toContain('$19.99');
    await shot('live-1-list');

    await page.locator(`#live-${callSid}`).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: /^Live call CA/, level: 1 }).waitFor();
    expect(page.url()).toContain(`#/live/${callSid}`);
    await expect.poll(focusedId).toBe('live-heading');
    await untilText('#line-caller', 'on the line with an operator');
    expect(await page.locator('#line-operator').innerText()).toBe('alice');
    expect(await page.locator('#line-order').innerText()).toBe('80001 · $19.99');
    expect(await page.getByLabel('Order number').inputValue()).toBe('80001');

    // Keyboard only: from the heading, Tab reaches End call, the charge choice, the order, Start.
    const tabs: (string | undefined)[] = [];
    for (let i = 0; i < 4; i++) {
      await page.keyboard.press('Tab');
      tabs.push(await focusedId());
    }
    expect(tabs).toEqual(['end-call', 'charge-kind-order', 'capture-order', 'capture-start']);
    await page.keyboard.press('Enter');
    // The form gives way to the progress; focus follows, so the keyboard user keeps their place.
    await page.locator('#capture-progress').waitFor();
    await expect.poll(focusedId).toBe('capture-headline');

    const ask1 = await caller.nextAsk();
    expect([ask1.field, ask1.attempt]).toEqual(['payment-card-number', 1]);
    await untilText('#progress-payment-card-number', /^(asking for|the caller is keying) the card number$/);
    expect(await progress('expiration-date').innerText()).toBe('expiry: not asked yet');
    ask1.key(); // a mistyped number (fails Luhn): Twilio reports it invalid, paycall asks again

    const ask2 = await caller.nextAsk();
    expect([ask2.field, ask2.attempt]).toEqual(['payment-card-number', 2]);
    await untilText('#progress-payment-card-number', 'card number invalid, asking again (attempt 2)');
    await shot('live-2-reasking');
    ask2.key();

    const ask3 = await caller.nextAsk();
    expect(ask3.field).toBe('expiration-date');
    await untilText('#progress-payment-card-number', 'card number entered ••••4242 (visa)');
    // The caller says they keyed the wrong month: alice asks again for the expiry (keyboard).
    await untilText('#progress-expiration-date', /expiry/);
    await expect.poll(() => page.locator('#reask-expiration-date').isEnabled()).toBe(true);
    await page.locator('#reask-expiration-date').focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('#reask-expiration-date').innerText()).toBe('Ask again');
    expect(await page.locator('#capture-command-status').innerText()).toBe('');
    ask3.key();

    const ask4 = await caller.nextAsk();
    expect([ask4.field, ask4.attempt]).toEqual(['expiration-date', 2]);
    await untilText('#progress-expiration-date', 'asking again for the expiry (attempt 2, asked by alice)');
    expect(await progress('payment-card-number').innerText()).toBe('card number entered ••••4242 (visa)');
    await shot('live-3-capturing');
    ask4.key();

    const ask5 = await caller.nextAsk();
    expect(ask5.field).toBe('security-code');
    await untilText('#progress-expiration-date', 'expiry entered');
    ask5.key();

    // Paid: the code, large, for reading out.
    const code = (await untilText('#confirmation-code', /^\d{3} \d{3}$/, 30_000)).replace(/\s/g, '');
    expect(await page.locator('#capture-result .result-title').innerText()).toBe('Paid $19.99 for order 80001 (two concert tickets)');
    expect(await page.locator('#capture-result').innerText()).toContain('Card ••••4242 (visa)');
    expect(await page.locator('#capture-form').count()).toBe(0); // nothing more to charge
    const fontSize = await page.evaluate<string>("getComputedStyle(document.getElementById('confirmation-code')).fontSize");
    expect(parseFloat(fontSize)).toBeGreaterThanOrEqual(40);
    await shot('live-4-paid');

    await page.locator('#end-call').focus();
    await page.keyboard.press('Enter');
    await untilText('#end-call-status', 'The call has ended: paid.', 30_000);
    expect(await page.locator('#end-call').isDisabled()).toBe(true);
    await shot('live-5-ended');

    const record = await first.calling;
    expect(heardText(record).join(' ')).toContain(`confirmation code is ${code.split('').join(' ')}`);
    const outcome = await stack.outcome(callSid);
    expect(outcome).toMatchObject({ outcome: 'paid', orderId: '80001', confirmationCode: code });
    const capture = outcome.steps!.find((s) => s.step === 'card-capture' && s.via === 'operator');
    expect(capture).toMatchObject({ status: 'ok', operator: 'alice' });
    expect(capture?.fields?.find((f) => f.field === 'payment-card-number')).toMatchObject({ attempts: 2 });
    expect(capture?.fields?.find((f) => f.field === 'expiration-date')).toMatchObject({ attempts: 2, reaskedBy: 'alice' });
    const intents = await stack.paymentIntents(callSid);
    expect(intents).toHaveLength(1);
    expect(intents[0]).toMatchObject({ status: 'succeeded', amount: 1999, currency: 'usd' });

    // The ended call's page is one click away.
    await page.locator('#ended-call-link').click();
    await page.getByRole('heading', { name: /^Call CA/, level: 1 }).waitFor();
    await untilText('#verdict-text', /^Paid \$19\.99/);
  });

  it('a cancelled capture starts again; a declined card is followed by another card', async () => {
    const caller = new PacedCaller([
      { gather: '80002#' },
      { gather: '0' },
      { agentPay: { cardNumber: '4242424242424242', expiry: '1234', securityCode: '123' } },
      { agentPay: { cardNumber: '4000000000000002', expiry: '1234', securityCode: '123' } },
      { agentPay: { cardNumber: '4242424242424242', expiry: '1234', securityCode: '123' } },
    ]);
    const { callSid, calling } = placeCall('80002', caller);
    await page.locator('#nav-live').click();
    await page.locator(`#live-${callSid}`).click({ timeout: 30_000 });
    await page.locator('#capture-start').click();

    const held = await caller.nextAsk();
    expect(held.field).toBe('payment-card-number');
    await untilText('#progress-payment-card-number', /card number/);
    await expect.poll(() => page.locator('#capture-cancel').isEnabled()).toBe(true);
    await page.locator('#capture-cancel').click();
    await untilText('#capture-result .result-title', 'Cancelled by alice');
    held.key(); // too late: Twilio ignores it
    caller.letGo();

    await page.getByRole('button', { name: 'Start again' }).click();
    await untilText('#capture-result .result-title', /^Declined: /, 30_000);
    expect(await page.locator('#capture-result').innerText()).toMatch(/card_declined|generic_decline/);
    expect(await page.locator('#capture-result').innerText()).toContain('card ••••0002 (visa)');
    expect(await page.locator('#earlier-captures summary').innerText()).toBe('1 earlier capture on this call');
    await shot('live-6-declined');

    await page.getByRole('button', { name: 'Try another card' }).click();
    const code = (await untilText('#confirmation-code', /^\d{3} \d{3}$/, 30_000)).replace(/\s/g, '');
    expect(await page.locator('#earlier-captures summary').innerText()).toBe('2 earlier captures on this call');
    await page.locator('#end-call').click();
    await untilText('#end-call-status', 'The call has ended: paid.', 30_000);
    await calling;
    expect(await stack.outcome(callSid)).toMatchObject({ outcome: 'paid', confirmationCode: code, captureAttempts: 3 });
    const intents = await stack.paymentIntents(callSid);
    expect(intents.filter((i) => i.status === 'succeeded')).toHaveLength(1);
    expect(intents).toHaveLength(1); // the second card confirmed the PaymentIntent the decline left
  });

  it('the page, every response it received (event streams too) and the histories carry masked card values only', async () => {
    // Leaving the live view closes its stream; what it carried is in the log.
    await page.locator('#nav-live').click();
    await page.getByRole('heading', { name: 'Live calls', level: 1 }).waitFor();
    const pageText = await page.evaluate<string>('document.documentElement.outerHTML + document.body.innerText');
    const responses = await network.responses();
    const streams = responses.filter((r) => r.contentType.includes('event-stream'));
    // The streams were read: each call's stream carried the capture, the live list the calls.
    expect(streams.length).toBeGreaterThanOrEqual(4);
    expect(streams.filter((r) => r.url.endsWith('/api/live')).some((r) => r.body.includes('event: calls'))).toBe(true);
    const callStreams = streams.filter((r) => /\/api\/calls\/CA[0-9a-f]+\/live$/.test(r.url)).map((r) => r.body).join('\n');
    expect(callStreams).toContain('"last4":"4242"');
    expect(callStreams).toContain('"previousErrorType":"invalid-card-number"');
    expect(callStreams).toContain('"confirmationCode"');
    expect(responses.filter((r) => r.url.includes('/api/')).length).toBeGreaterThan(5);
    expect(responses.every((r) => !r.body.startsWith('(body unavailable'))).toBe(true);

    const texts: [string, string][] = [
      ['page', pageText],
      ...responses.map((r): [string, string] => [`${r.status} ${r.url}`, r.body]),
      ...(await Promise.all(callSids.map(async (sid): Promise<[string, string]> => [`history of ${sid}`, historyAsText(await stack.client.workflow.getHandle(callWorkflowId(sid)).fetchHistory())]))),
      ['web app log', stack.logs.join('\n')],
    ];
    for (const [where, text] of texts) {
      expect(cardDataFindings(text, where)).toEqual([]);
      for (const number of keyedNumbers) expect(text.includes(number), `${where} holds a keyed card number`).toBe(false);
    }
  });

  it('loads nothing from anywhere else and logs no errors', () => {
    expect(foreignRequests).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
