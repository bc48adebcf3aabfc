/**
 * <Pay> emulation with the Stripe connector, tokenizing through the real Stripe sandbox:
 * prompt selection, validation and re-prompts, timeout, star, too many attempts, connector
 * errors, the action and statusCallback parameters, hang-ups, and above all: no full card
 * number or security code in any request the app receives.
 */
import Stripe from 'stripe';
import { afterAll, beforeAll, beforeEach, afterEach, describe, expect, it } from 'vitest';
import type { PayAttributes, PromptAttributes } from 'twilio/lib/twiml/VoiceResponse.js';
import { choosePrompt } from '../../../src/stand-ins/phone-simulator/pay-emulator.js';
import { placeCall, type PlaceCallOptions } from '../../../src/stand-ins/phone-simulator/place-call.js';
import { findSecrets, heardText, type CallRecord } from '../../../src/stand-ins/phone-simulator/record.js';
import type { ScenarioStep } from '../../../src/stand-ins/phone-simulator/scenario.js';
import { parseTwiml, type PromptElement } from '../../../src/stand-ins/phone-simulator/twiml-parser.js';
import { AUTH_TOKEN, leaks, startFakeApp, startSandbox, type FakeApp, type Received, type TestSandbox, type VoiceResponse } from './helpers.js';

const VISA = '4242424242424242';
const VISA_BAD_LUHN = '4242424242424241';
const AMEX = '378282246310005';
const CVC = '987';
const AMEX_CVC = '6543';
/** Everything secret typed in this file: no request may ever carry any of it. */
const SECRETS = [VISA, VISA_BAD_LUHN, AMEX, '4000000000000002', CVC, AMEX_CVC];

let sandbox: TestSandbox;
let stripe: Stripe;
let app: FakeApp;
const everything: Received[] = [];
const records: CallRecord[] = [];

beforeAll(async () => {
  sandbox = await startSandbox();
  const u = new URL(sandbox.url);
  stripe = new Stripe('sk_test_phone_simulator', { host: u.hostname, port: Number(u.port), protocol: 'http' });
});
afterAll(async () => {
  await sandbox.stop();
});
beforeEach(async () => {
  app = await startFakeApp();
  app.route('/twilio/pay-status', () => undefined);
  app.route('/twilio/status', () => undefined);
});
afterEach(async () => {
  everything.push(...app.received);
  await app.close();
});

type PayOptions = Partial<Omit<PayAttributes, 'validCardTypes'>> & { validCardTypes?: string[] };

/** paycall-like <Pay>: tokenize only, with prompts for each step and for some errors. */
function payTwiml(r: VoiceResponse, options: PayOptions = {}, prompts?: (pay: ReturnType<VoiceResponse['pay']>) => void) {
  const { validCardTypes, ...rest } = options;
  const pay = r.pay({
    input: 'dtmf',
    action: '/twilio/pay?turn=4',
    statusCallback: '/twilio/pay-status',
    paymentConnector: 'Stripe_Dev',
    chargeAmount: '0',
    tokenType: 'payment-method',
    currency: 'usd',
    postalCode: 'false',
    securityCode: true,
    maxAttempts: 3,
    timeout: 5,
    validCardTypes: (validCardTypes ?? ['visa', 'mastercard', 'amex']) as PayAttributes['validCardTypes'],
    ...rest,
  });
  if (prompts) return prompts(pay);
  const prompt = (attrs: Record<string, unknown>, text: string) => pay.prompt(attrs as PromptAttributes).say(text);
  prompt({ for: 'payment-card-number' }, 'Enter your card number.');
  prompt({ for: 'payment-card-number', errorType: ['invalid-card-number'] }, 'That card number is not valid. Enter it again.');
  prompt({ for: 'payment-card-number', errorType: ['timeout'] }, 'I did not hear anything. Enter your card number.');
  prompt({ for: 'expiration-date' }, 'Enter the expiry date.');
  prompt({ for: 'expiration-date', errorType: ['invalid-date'] }, 'That date is not valid. Enter the expiry again.');
  prompt({ for: 'security-code', cardType: ['visa', 'mastercard'] }, 'Enter the three digit security code.');
  prompt({ for: 'security-code', cardType: ['amex'] }, 'Enter the four digit security code.');
  prompt({ for: 'payment-processing' }, 'Please wait while we process your card.');
}

function payApp(options: PayOptions = {}) {
  app.twiml('/twilio/voice', (r) => payTwiml(r, options));
  app.twiml('/twilio/pay', (r) => {
    r.say('Thank you.');
    r.hangup();
  });
}

async function call(steps: ScenarioStep[], extra: Partial<PlaceCallOptions> = {}): Promise<CallRecord> {
  const record = await placeCall({ url: app.url, publicUrl: app.publicUrl, authToken: AUTH_TOKEN, stripeUrl: sandbox.url, steps, ...extra });
  records.push(record);
  return record;
}

const action = () => {
  const posts = app.to('/twilio/pay');
  expect(posts).toHaveLength(1);
  return posts[0]!.params;
};
const progress = () => app.to('/twilio/pay-status').map((r) => [r.params.For, r.params.Attempt, r.params.ErrorType ?? '']);

describe('<Pay> happy path', () => {
  it('tokenizes through the sandbox and posts Result, PaymentToken and masked card fields', async () => {
    payApp();
    const record = await call([{ pay: { cardNumber: VISA, expiry: '1234', securityCode: CVC } }]);
    expect(record.ended.how).toBe('hangup');
    const params = action();
    expect(params).toMatchObject({
      Result: 'success',
      PaymentToken: expect.stringMatching(/^pm_/),
      PaymentMethod: 'credit-card',
      PaymentCardNumber: 'xxxx-xxxx-xxxx-4242',
      PaymentCardType: 'visa',
      ExpirationDate: '1234',
      SecurityCode: 'xxx',
      CallSid: record.callSid,
      AccountSid: expect.stringMatching(/^AC/),
      From: '+15005550006',
      To: '+15005550001',
      CallStatus: 'in-progress', // later requests of a call are in-progress
    });
    expect(params.PaymentCardPostalCode).toBeUndefined();
    expect(app.to('/twilio/pay')[0]!.url).toBe('/twilio/pay?turn=4');
    // The PaymentMethod really exists in the sandbox, with the right card.
    const pm = await stripe.paymentMethods.retrieve(params.PaymentToken!);
    expect(pm.card).toMatchObject({ brand: 'visa', last4: '4242', exp_month: 12, exp_year: 2034 });

    expect(heardText(record)).toEqual([
      'Enter your card number.',
      'Enter the expiry date.',
      'Enter the three digit security code.',
      'Please wait while we process your card.',
      'Thank you.',
    ]);
    expect(app.received.every((r) => r.validSignature)).toBe(true);
  });

  it('reports progress to statusCallback with only the <Pay> callback parameters', async () => {
    payApp();
    await call([{ pay: { cardNumber: VISA, expiry: '1234', securityCode: CVC } }]);
    expect(progress()).toEqual([
      ['payment-card-number', '1', ''],
      ['expiration-date', '1', ''],
      ['security-code', '1', ''],
      ['payment-processing', '1', ''],
    ]);
    const allowed = new Set([
      'AccountSid',
      'CallSid',
      'For',
      'ErrorType',
      'Attempt',
      'PaymentCardNumber',
      'PaymentCardType',
      'ExpirationDate',
      'SecurityCode',
      'PaymentCardPostalCode',
    ]);
    for (const r of app.to('/twilio/pay-status')) {
      expect(Object.keys(r.params).filter((k) => !allowed.has(k))).toEqual([]);
      expect(r.validSignature).toBe(true);
    }
    expect(app.to('/twilio/pay-status').at(-1)!.params).toMatchObject({
      PaymentCardNumber: 'xxxx-xxxx-xxxx-4242',
      PaymentCardType: 'visa',
      ExpirationDate: '1234',
      SecurityCode: 'xxx',
    });
  });

  it('asks for the postal code when postalCode is true (default entry when the scenario has none), passes a literal one', async () => {
    payApp({ postalCode: 'true' });
    await call([{ pay: { cardNumber: VISA, expiry: '1234', securityCode: CVC } }]);
    expect(action().PaymentCardPostalCode).toBe('94107');
    expect(progress().map(([f]) => f)).toContain('postal-code');

    await app.close();
    app = await startFakeApp();
    app.route('/twilio/pay-status', () => undefined);
    app.route('/twilio/status', () => undefined);
    payApp({ postalCode: '10001', securityCode: false });
    await call([{ pay: { cardNumber: VISA, expiry: '1234' } }]);
    expect(action()).toMatchObject({ PaymentCardPostalCode: '10001', Result: 'success' });
    expect(action().SecurityCode).toBeUndefined();
    expect(progress().map(([f]) => f)).toEqual(['payment-card-number', 'expiration-date', 'payment-processing']);
  });

  it('amex: the cardType prompt and a four-digit security code', async () => {
    payApp();
    const record = await call([{ pay: { cardNumber: AMEX, expiry: '1234', securityCode: ['987', AMEX_CVC] } }]);
    expect(action()).toMatchObject({ Result: 'success', PaymentCardType: 'amex', PaymentCardNumber: 'xxxx-xxxxxx-x0005', SecurityCode: 'xxxx' });
    expect(heardText(record)).toContain('Enter the four digit security code.');
    expect(progress()).toContainEqual(['security-code', '2', 'invalid-security-code']);
  });
});

describe('<Pay> validation and re-prompts', () => {
  it('a mistyped card number (Luhn) is re-prompted with the error prompt and corrected within the same <Pay>', async () => {
    payApp();
    const record = await call([{ pay: { cardNumber: [VISA_BAD_LUHN, VISA], expiry: '1234', securityCode: CVC } }]);
    expect(action()).toMatchObject({ Result: 'success', PaymentCardNumber: 'xxxx-xxxx-xxxx-4242' });
    expect(app.to('/twilio/pay')).toHaveLength(1);
    expect(progress().slice(0, 2)).toEqual([
      ['payment-card-number', '1', ''],
      ['payment-card-number', '2', 'invalid-card-number'],
    ]);
    const prompts = record.transcript.filter((e) => e.event === 'prompt' && e.for === 'payment-card-number');
    expect(prompts.map((e) => [e.attempt, e.errorType, e.text])).toEqual([
      [1, undefined, 'Enter your card number.'],
      [2, 'invalid-card-number', 'That card number is not valid. Enter it again.'],
    ]);
    const input = record.transcript.find((e) => e.event === 'input' && e.errorType === 'invalid-card-number');
    expect(input).toMatchObject({ keys: 'xxxxxxxxxxxx4241#', detail: 'fails the Luhn check' });
  });

  it('an expired card is re-prompted for the date', async () => {
    payApp();
    const record = await call([{ pay: { cardNumber: VISA, expiry: ['0120', '1234'], securityCode: CVC } }]);
    expect(action()).toMatchObject({ Result: 'success', ExpirationDate: '1234' });
    expect(progress()).toContainEqual(['expiration-date', '2', 'invalid-date']);
    expect(heardText(record)).toContain('That date is not valid. Enter the expiry again.');
  });

  it('a card type not in validCardTypes: invalid-card-type, Twilio default sentence then the app prompt', async () => {
    payApp({ validCardTypes: ['visa', 'mastercard'] });
    const record = await call([{ pay: { cardNumber: [AMEX, VISA], expiry: '1234', securityCode: CVC } }]);
    expect(action()).toMatchObject({ Result: 'success', PaymentCardType: 'visa' });
    expect(progress()).toContainEqual(['payment-card-number', '2', 'invalid-card-type']);
    const heard = heardText(record);
    expect(heard.slice(1, 3)).toEqual(['Sorry, that card type is not accepted.', 'Enter your card number.']);
  });

  it('no input: the timeout prompt, ErrorType input-timeout in the callback', async () => {
    payApp();
    const record = await call([{ pay: { cardNumber: ['', VISA], expiry: '1234', securityCode: CVC } }]);
    expect(action().Result).toBe('success');
    expect(progress()[1]).toEqual(['payment-card-number', '2', 'input-timeout']);
    expect(heardText(record)).toContain('I did not hear anything. Enter your card number.');
    expect(record.callDurationSeconds).toBeGreaterThanOrEqual(5); // the 5 s timeout, simulated
  });

  it('too many failed attempts ends <Pay> with Result=too-many-failed-attempts and no token', async () => {
    payApp({ maxAttempts: 2 });
    const record = await call([{ pay: { cardNumber: [VISA_BAD_LUHN, VISA_BAD_LUHN] } }]);
    const params = action();
    expect(params.Result).toBe('too-many-failed-attempts');
    expect(params.PaymentToken).toBeUndefined();
    expect(params.PaymentError).toContain('invalid-card-number');
    expect(record.ended.how).toBe('hangup');
  });

  it('* during entry ends <Pay> with caller-interrupted-with-star', async () => {
    payApp();
    await call([{ pay: { star: true } }]);
    expect(action()).toMatchObject({ Result: 'caller-interrupted-with-star', PaymentMethod: 'credit-card' });

    await app.close();
    app = await startFakeApp();
    app.route('/twilio/pay-status', () => undefined);
    app.route('/twilio/status', () => undefined);
    payApp();
    await call([{ pay: { cardNumber: VISA, expiry: '12*' } }]);
    const params = action();
    expect(params).toMatchObject({ Result: 'caller-interrupted-with-star', PaymentCardNumber: 'xxxx-xxxx-xxxx-4242' });
    expect(params.ExpirationDate).toBeUndefined();
    expect(params.PaymentToken).toBeUndefined();
  });
});

describe('<Pay> connector errors', () => {
  it('a card the Stripe API refuses (402): payment-connector-error with PaymentError, PayErrorCode and ConnectorError', async () => {
    payApp();
    // Valid for Twilio (a future date), but the sandbox refuses years more than 50 ahead.
    const record = await call([{ pay: { cardNumber: VISA, expiry: '1299', securityCode: CVC } }]);
    expect(action()).toMatchObject({
      Result: 'payment-connector-error',
      PaymentError: "Your card's expiration year is invalid.",
      PayErrorCode: '64012',
      ConnectorError: 'invalid_expiry_year',
      PaymentCardNumber: 'xxxx-xxxx-xxxx-4242',
    });
    expect(action().PaymentToken).toBeUndefined();
    expect(record.transcript).toContainEqual(expect.objectContaining({ event: 'tokenize', error: expect.stringContaining('invalid_expiry_year') }));
  });

  it('the Stripe API failing (500s): payment-connector-error with 64010', async () => {
    payApp();
    sandbox.sandbox.faults.set({ failNext: 5, failStatus: 500 });
    try {
      await call([{ pay: { cardNumber: VISA, expiry: '1234', securityCode: CVC } }]);
    } finally {
      sandbox.sandbox.faults.reset();
    }
    expect(action()).toMatchObject({ Result: 'payment-connector-error', PayErrorCode: '64010' });
  });

  it('a card Stripe will decline at charge time still tokenizes (the decline is paycall\'s to handle); the next <Pay> takes a good card', async () => {
    let n = 0;
    app.twiml('/twilio/voice', (r) => payTwiml(r));
    app.twiml('/twilio/pay', (r) => {
      if (n++ === 0) {
        r.say('Your card was declined.');
        payTwiml(r, { action: '/twilio/pay?turn=5' });
      } else r.hangup();
    });
    const record = await call([
      { pay: { cardNumber: '4000000000000002', expiry: '1234', securityCode: CVC } },
      { pay: { cardNumber: VISA, expiry: '1234', securityCode: CVC } },
    ]);
    const posts = app.to('/twilio/pay');
    expect(posts.map((r) => [r.url, r.params.Result, r.params.PaymentCardNumber])).toEqual([
      ['/twilio/pay?turn=4', 'success', 'xxxx-xxxx-xxxx-0002'],
      ['/twilio/pay?turn=5', 'success', 'xxxx-xxxx-xxxx-4242'],
    ]);
    expect(posts[0]!.params.PaymentToken).not.toBe(posts[1]!.params.PaymentToken);
    expect(record.ended.how).toBe('hangup');
  });
});

describe('hanging up during <Pay>', () => {
  it('while the charge is processing: the action is posted, then the status callback before its answer', async () => {
    let releaseAction!: () => void;
    const actionHeld = new Promise<void>((r) => (releaseAction = r));
    app.twiml('/twilio/voice', (r) => payTwiml(r));
    app.route('/twilio/pay', async () => {
      await actionHeld; // paycall charging slowly
      return '<Response><Say>Paid.</Say><Hangup/></Response>';
    });
    app.route('/twilio/status', () => {
      releaseAction(); // only answer the action once the hang-up is known
      return undefined;
    });
    const record = await call([{ pay: { cardNumber: VISA, expiry: '1234', securityCode: CVC } }, { hangupDuring: 'pay-processing' }]);
    expect(record.ended).toEqual({ how: 'caller-hangup', during: 'pay-processing' });
    expect(record.ok).toBe(true);
    expect(app.received.map((r) => r.path).slice(-2)).toEqual(['/twilio/pay', '/twilio/status']);
    expect(action().Result).toBe('success');
    // The action's response still arrived and is recorded; its TwiML was not played.
    expect(record.requests.find((r) => r.kind === 'pay')).toMatchObject({ status: 200, outcome: 'ok' });
    expect(heardText(record)).not.toContain('Paid.');
  });

  it('in the middle of entry: Result=caller-hung-up, then the status callback', async () => {
    payApp();
    const record = await call([{ pay: { cardNumber: VISA, hangup: true } }]);
    expect(record.ended).toEqual({ how: 'caller-hangup', during: 'pay-entry' });
    expect(action()).toMatchObject({ Result: 'caller-hung-up', PaymentCardNumber: 'xxxx-xxxx-xxxx-4242' });
    expect(app.received.at(-1)!.path).toBe('/twilio/status');
  });

  it('instead of entering a card at all', async () => {
    payApp();
    const record = await call([{ hangup: 'now' }]);
    expect(record.ended).toEqual({ how: 'caller-hangup', during: 'pay-entry' });
    expect(action().Result).toBe('caller-hung-up');
  });
});

describe('<Pay> the simulator does not emulate', () => {
  it('a charge (chargeAmount > 0) is reported as an error, not faked', async () => {
    payApp({ chargeAmount: '10.00' });
    const record = await call([{ pay: { cardNumber: VISA, expiry: '1234', securityCode: CVC } }]);
    expect(record.ended).toMatchObject({ how: 'error', code: 'unsupported-pay' });
    expect(app.to('/twilio/pay')).toHaveLength(0);
  });

  it('a script that runs out of entries for a re-prompt says which field', async () => {
    payApp();
    const record = await call([{ pay: { cardNumber: VISA_BAD_LUHN, expiry: '1234', securityCode: CVC } }]);
    expect(record.ended).toMatchObject({ how: 'error', code: 'script-mismatch' });
    expect(record.ended.detail).toContain('payment-card-number (attempt 2 after invalid-card-number)');
  });
});

describe('prompt selection', () => {
  const prompts = (xml: string): PromptElement[] => {
    const [pay] = parseTwiml(`<Response><Pay>${xml}</Pay></Response>`);
    return pay!.verb === 'Pay' ? pay!.prompts : [];
  };
  const text = (p: ReturnType<typeof choosePrompt>) =>
    [p.defaultText, ...(p.prompt?.children ?? []).map((c) => (c.verb === 'Say' ? c.text : ''))].filter(Boolean).join(' | ');

  it('prefers the attempt-specific prompt, then the general one; errors pick their errorType', () => {
    const list = prompts(`
      <Prompt for="payment-card-number"><Say>card</Say></Prompt>
      <Prompt for="payment-card-number" attempt="3"><Say>card, last try</Say></Prompt>
      <Prompt for="payment-card-number" errorType="invalid-card-number" attempt="2"><Say>bad, try 2</Say></Prompt>
      <Prompt for="payment-card-number" errorType="invalid-card-number timeout"><Say>bad or silent</Say></Prompt>`);
    expect(text(choosePrompt(list, 'payment-card-number', 1, undefined, undefined))).toBe('card');
    expect(text(choosePrompt(list, 'payment-card-number', 3, undefined, undefined))).toBe('card, last try');
    expect(text(choosePrompt(list, 'payment-card-number', 2, 'invalid-card-number', undefined))).toBe('bad, try 2');
    expect(text(choosePrompt(list, 'payment-card-number', 3, 'invalid-card-number', undefined))).toBe('bad or silent');
    expect(text(choosePrompt(list, 'payment-card-number', 2, 'timeout', undefined))).toBe('bad or silent');
    expect(text(choosePrompt(list, 'payment-card-number', 2, 'invalid-card-type', undefined))).toBe('Sorry, that card type is not accepted. | card');
  });

  it('falls back to Twilio-like English defaults', () => {
    expect(choosePrompt([], 'expiration-date', 1, undefined, undefined)).toEqual({
      source: 'default',
      defaultText: 'Please enter your expiration date, two digits for the month and two digits for the year, followed by the pound key.',
    });
    expect(text(choosePrompt([], 'security-code', 2, 'invalid-security-code', 'visa'))).toBe(
      'Sorry, that security code is not valid. Please enter your security code, followed by the pound key.',
    );
    const list = prompts('<Prompt for="security-code" cardType="amex"><Say>four</Say></Prompt>');
    expect(text(choosePrompt(list, 'security-code', 1, undefined, 'visa'))).toBe('Please enter your security code, followed by the pound key.');
    expect(text(choosePrompt(list, 'security-code', 1, undefined, 'amex'))).toBe('four');
  });
});

describe('card data', () => {
  it('no full card number or security code in any request the app received, nor in any call record', () => {
    expect(everything.length).toBeGreaterThan(50);
    expect(leaks(everything, SECRETS)).toEqual([]);
    for (const record of records) expect(findSecrets(record, SECRETS)).toEqual([]);
  });
});
