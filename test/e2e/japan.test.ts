/**
 * Paying the way callers in Japan do, end to end: the phone simulator against the real app,
 * workflows on the Temporal dev server, Stripe through the sandbox, receipts through the
 * Twilio REST stand-in. JCB and Diners Club cards in both languages, every word spoken by the
 * language's configured voice, a Japanese receipt with 6,480円; MOTO on an account Stripe has
 * not enabled for it; and a merchant who turns the postal-code check on and lists its brands.
 *
 * `WRITE_ARTIFACTS=1` also writes the Japanese JCB call's transcript to
 * test/artifacts/jcb-ja-call.txt (the simulator's own printout).
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callWorkflowId } from '../../src/contract/call.js';
import { catalogFor } from '../../src/i18n/catalog.js';
import { buildTimeline } from '../../src/operators/timeline/index.js';
import { findSecrets, formatEnding, formatEntry, heardText, type CallRecord } from '../../src/stand-ins/phone-simulator/index.js';
import { createLogger } from '../../src/logging/logger.js';
import { startTwilioStandIn, type TwilioStandIn } from '../../src/stand-ins/twilio-rest/server.js';
import { historyAsText } from '../helpers/card-data-scanner.js';
import { e2eAuthToken, startLocalStack, type LocalStack } from './local-stack.js';

const jcb = '3566002020360505';
const diners = '3056930009020004';
const diners14 = '36227206271667';
const mastercard = '5555555555554444';
const typedSecrets = [jcb, diners, diners14, mastercard, '123'];

const japaneseCaller = '+819012345678';
const englishCaller = '+15005550009';
const japanNumber = '+81501234567';

/** One order per call, so no two calls share an order's state. */
function orders(): unknown[] {
  const yen = Array.from({ length: 8 }, (_, i) => ({ orderId: String(86001 + i), amount: 6480, currency: 'jpy', description: '抹茶セット', status: 'unpaid' }));
  const dollars = Array.from({ length: 4 }, (_, i) => ({ orderId: String(86101 + i), amount: 1999, currency: 'usd', description: 'two concert tickets', status: 'unpaid' }));
  return [...yen, ...dollars];
}

let twilioStandIn: TwilioStandIn;
/** Defaults (JCB and Diners accepted), MOTO on, SMS receipts on. */
let stack: LocalStack;
/** A merchant's own <Pay> settings: postal code on, JCB and Visa only, another Japanese voice. */
let postalStack: LocalStack;

beforeAll(async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'paycall-japan-'));
  const ordersFile = path.join(dir, 'orders.json');
  const postalOrdersFile = path.join(dir, 'postal-orders.json');
  await writeFile(ordersFile, JSON.stringify(orders()));
  await writeFile(postalOrdersFile, JSON.stringify(orders()));
  twilioStandIn = await startTwilioStandIn({ authToken: e2eAuthToken, logger: createLogger('twilio-stand-in', 'silent') });
  [stack, postalStack] = await Promise.all([
    startLocalStack({
      ORDERS_FILE: ordersFile,
      STRIPE_MOTO: 'true',
      TWILIO_ACCOUNT_SID: `AC${'3'.repeat(32)}`,
      TWILIO_SMS_FROM: '+15005550006',
      TWILIO_API_BASE: twilioStandIn.url,
    }),
    startLocalStack({ ORDERS_FILE: postalOrdersFile, PAY_POSTAL_CODE: 'true', PAY_VALID_CARD_TYPES: 'jcb visa', VOICE_JA_JP: 'Polly.Mizuki' }),
  ]);
});
afterAll(async () => {
  await Promise.all([stack?.close(), postalStack?.close()]);
  await twilioStandIn?.close();
});

async function call(on: LocalStack, options: Parameters<LocalStack['call']>[0]) {
  const record = await on.call(options);
  // Card data never reaches paycall: no typed card number or security code in any request.
  expect(findSecrets(record, typedSecrets)).toEqual([]);
  const outcome = await on.outcome(record.callSid);
  const intents = await on.paymentIntents(record.callSid);
  const timeline = buildTimeline(await on.client.workflow.getHandle(callWorkflowId(record.callSid)).fetchHistory());
  return { record, outcome, intents, timeline, heard: heardText(record).join(' | ') };
}

/** Everything the caller heard, with its voice and language. */
function spoken(record: CallRecord) {
  return record.transcript.filter((e) => e.verb === 'Say');
}

function transcriptText(record: CallRecord): string {
  return [...record.transcript.map(formatEntry).filter((line): line is string => line !== undefined), formatEnding(record)].join('\n');
}

const receiptFor = (to: string) => twilioStandIn.messages.filter((m) => m.to === to).at(-1)?.body;

describe('JCB and Diners Club, in Japanese and English', () => {
  it('a caller in Japan pays with JCB hearing the Japanese voice, and gets a Japanese receipt', async () => {
    const { record, outcome, intents, heard } = await call(stack, {
      to: japanNumber,
      from: japaneseCaller,
      steps: [{ gather: '86001#' }, { gather: '1' }, { pay: { cardNumber: jcb, expiry: '1234', securityCode: '123' } }],
    });
    expect(outcome).toMatchObject({ outcome: 'paid', orderId: '86001', amount: 6480, currency: 'jpy' });
    expect(heard).toContain('6,480円');
    const says = spoken(record);
    expect(says.length).toBeGreaterThan(3);
    expect(says.filter((e) => e.voice !== 'Polly.Takumi-Neural' || e.language !== 'ja-JP')).toEqual([]);
    // The card prompts came from paycall's Japanese <Prompt>s, not Twilio's English defaults.
    expect(says.some((e) => e.event === 'prompt' && e.text === catalogFor('ja-JP').pay.cardNumber)).toBe(true);
    expect(says.some((e) => e.source === 'default')).toBe(false);
    const [intent] = intents.filter((i) => i.status === 'succeeded');
    expect(intent).toMatchObject({ id: outcome.paymentIntentId, amount: 6480, currency: 'jpy' });
    expect((intent?.payment_method_options?.card as { moto?: boolean } | undefined)?.moto).toBe(true);
    expect(receiptFor(japaneseCaller)).toBe(`paycall: ご注文 86001 のお支払い 6,480円 を承りました。確認番号 ${outcome.confirmationCode}`);
    const text = transcriptText(record);
    expect(text).toContain('[Say ja-JP Polly.Takumi-Neural]');
    if (process.env.WRITE_ARTIFACTS) await writeFile('test/artifacts/jcb-ja-call.txt', `${text}\n\nSMS receipt: ${receiptFor(japaneseCaller)}\n`);
  });

  it('an English caller pays with JCB in the English voice, receipt in dollars', async () => {
    const { record, outcome, intents } = await call(stack, {
      from: englishCaller,
      steps: [{ gather: '86101#' }, { gather: '1' }, { pay: { cardNumber: jcb, expiry: '1234', securityCode: '123' } }],
    });
    expect(outcome).toMatchObject({ outcome: 'paid', amount: 1999, currency: 'usd' });
    expect(spoken(record).filter((e) => e.voice !== 'Polly.Joanna-Neural' || e.language !== 'en-US')).toEqual([]);
    expect(intents.filter((i) => i.status === 'succeeded')).toHaveLength(1);
    expect(receiptFor(englishCaller)).toBe(`paycall: payment of $19.99 for order 86101 received. Confirmation code ${outcome.confirmationCode}.`);
  });

  it('Diners Club pays in Japanese (16 digits) and in English (14 digits)', async () => {
    const ja = await call(stack, { to: japanNumber, steps: [{ gather: '86002#' }, { gather: '1' }, { pay: { cardNumber: diners, expiry: '1234', securityCode: '123' } }] });
    expect(ja.outcome).toMatchObject({ outcome: 'paid', amount: 6480, currency: 'jpy' });
    expect(spoken(ja.record).every((e) => e.voice === 'Polly.Takumi-Neural')).toBe(true);
    const en = await call(stack, { steps: [{ gather: '86102#' }, { gather: '1' }, { pay: { cardNumber: diners14, expiry: '1234', securityCode: '123' } }] });
    expect(en.outcome).toMatchObject({ outcome: 'paid', amount: 1999, currency: 'usd' });
    for (const { intents, outcome } of [ja, en]) {
      expect(intents.filter((i) => i.status === 'succeeded').map((i) => i.id)).toEqual([outcome.paymentIntentId]);
    }
    // Twilio reports Diners Club as `diners-club`; Stripe's charge says `diners`.
    expect(ja.timeline.entries.map((e) => e.summary).join('\n')).toMatch(/diners/);
  });
});

describe('STRIPE_MOTO on an account Stripe has not enabled for MOTO', () => {
  it('the charge fails for good, the caller hears a polite failure, the timeline says why', async () => {
    stack.sandbox.moto.set('none');
    try {
      const { outcome, intents, heard, timeline } = await call(stack, {
        to: japanNumber,
        steps: [{ gather: '86003#' }, { gather: '1' }, { pay: { cardNumber: jcb, expiry: '1234', securityCode: '123' } }],
      });
      expect(outcome).toMatchObject({ outcome: 'failed', failure: { step: 'charge', code: 'StripeMotoNotEnabled' } });
      expect(heard).toContain(catalogFor('ja-JP').cardPaymentsUnavailable);
      expect(intents.filter((i) => i.status === 'succeeded')).toEqual([]);
      const failing = timeline.entries.filter((e) => e.failing);
      expect(failing.map((e) => e.step)).toEqual(['charge']);
      expect(failing[0]!.summary).toContain('MOTO is not enabled for this Stripe account (STRIPE_MOTO=true');
      // Charged once, not retried: the refusal is not transient.
      expect(outcome.steps?.filter((s) => s.step === 'charge')).toHaveLength(1);
    } finally {
      stack.sandbox.moto.reset();
    }
  });
});

describe("a merchant's own <Pay> settings", () => {
  it('asks for the postal code in Japanese, takes only the listed brands, in the configured voice', async () => {
    const { record, outcome, intents, timeline } = await call(postalStack, {
      to: japanNumber,
      // A Mastercard is not on this merchant's list: <Pay> asks for another card.
      steps: [{ gather: '86001#' }, { gather: '1' }, { pay: { cardNumber: [mastercard, jcb], expiry: '1234', securityCode: '123', postalCode: '1000001' } }],
    });
    expect(outcome).toMatchObject({ outcome: 'paid', amount: 6480, currency: 'jpy' });
    expect(intents.filter((i) => i.status === 'succeeded')).toHaveLength(1);
    const says = spoken(record);
    expect(says.every((e) => e.voice === 'Polly.Mizuki')).toBe(true);
    const ja = catalogFor('ja-JP').pay;
    expect(says.some((e) => e.event === 'prompt' && e.for === 'payment-card-number' && e.errorType === 'invalid-card-type' && e.text === `${ja.invalidCardType} ${ja.cardNumber}`)).toBe(true);
    expect(says.some((e) => e.event === 'prompt' && e.for === 'postal-code' && e.text === ja.postalCode)).toBe(true);
    const payAction = record.requests.find((r) => r.kind === 'pay' && r.params.Result === 'success');
    expect(payAction?.params.PaymentCardType).toBe('jcb');
    expect(payAction?.params.PaymentCardPostalCode).toBe('1000001');
    // paycall keeps only the mask: operators see it, the history never holds the code.
    expect(timeline.entries.find((e) => e.step === 'card-capture' && !e.failing)?.summary).toMatch(/^Card captured: jcb ending 0505, postal code \*\*\*\*\*01 \(pm_/);
    const history = historyAsText(await postalStack.client.workflow.getHandle(callWorkflowId(record.callSid)).fetchHistory());
    expect(history).toContain('*****01');
    expect(history).not.toContain('1000001');
  });

  it('without the option, no postal-code prompt', async () => {
    const { record, outcome } = await call(stack, { steps: [{ gather: '86103#' }, { gather: '1' }, { pay: { cardNumber: jcb, expiry: '1234', securityCode: '123' } }] });
    expect(outcome.outcome).toBe('paid');
    expect(record.transcript.some((e) => e.for === 'postal-code')).toBe(false);
  });
});
