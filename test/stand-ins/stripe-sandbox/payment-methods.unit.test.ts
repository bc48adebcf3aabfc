import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caught, startTestSandbox, type TestSandbox } from './helpers.js';

let t: TestSandbox;
let stripe: Stripe;

beforeAll(async () => {
  t = await startTestSandbox();
  stripe = t.client();
});
afterAll(async () => {
  await t.stop();
});

const nextYear = new Date().getUTCFullYear() + 1;

/** What the phone simulator does with the digits typed on the keypad. */
function tokenize(number: string, extra: Partial<{ exp_month: number; exp_year: number; cvc: string }> = {}) {
  return stripe.paymentMethods.create({
    type: 'card',
    card: { number, exp_month: 12, exp_year: nextYear, cvc: number.startsWith('37') ? '1234' : '123', ...extra },
    billing_details: { address: { postal_code: '94107' } },
  });
}

function charge(paymentMethod: string) {
  return stripe.paymentIntents.create({
    amount: 2500,
    currency: 'usd',
    confirm: true,
    payment_method: paymentMethod,
    error_on_requires_action: true,
    payment_method_options: { card: { moto: true } },
  });
}

describe('PaymentMethods from Stripe test card numbers', () => {
  const successes: Array<[string, string]> = [
    ['4242424242424242', 'visa'],
    ['5555555555554444', 'mastercard'],
    ['378282246310005', 'amex'],
  ];
  it.each(successes)('%s tokenizes as %s and charges', async (number, brand) => {
    const pm = await tokenize(number);
    expect(pm.id).toMatch(/^pm_/);
    expect(pm.object).toBe('payment_method');
    expect(pm.type).toBe('card');
    expect(pm.card).toMatchObject({ brand, last4: number.slice(-4), exp_month: 12, exp_year: nextYear });
    expect(pm.billing_details.address?.postal_code).toBe('94107');
    const pi = await charge(pm.id);
    expect(pi.status).toBe('succeeded');
    expect(pi.payment_method).toBe(pm.id);
  });

  const declines: Array<[string, string, string | undefined]> = [
    ['4000000000000002', 'card_declined', 'generic_decline'],
    ['4000000000009995', 'card_declined', 'insufficient_funds'],
    ['4000000000009987', 'card_declined', 'lost_card'],
    ['4000000000009979', 'card_declined', 'stolen_card'],
    ['4000000000000069', 'expired_card', undefined],
    ['4000000000000127', 'incorrect_cvc', undefined],
    ['4000000000000119', 'processing_error', undefined],
    ['4000002500003155', 'authentication_required', 'authentication_required'],
  ];
  it.each(declines)('%s tokenizes, then the charge fails with %s / %s', async (number, code, declineCode) => {
    const pm = await tokenize(number);
    expect(pm.card?.last4).toBe(number.slice(-4));
    const err = await caught(() => charge(pm.id));
    expect(err).toBeInstanceOf(Stripe.errors.StripeCardError);
    expect(err.code).toBe(code);
    if (declineCode === undefined) expect(err.raw).not.toHaveProperty('decline_code');
    else expect(err.decline_code).toBe(declineCode);
    expect(err.payment_intent?.status).toBe('requires_payment_method');
    expect(err.payment_intent?.last_payment_error?.payment_method?.id).toBe(pm.id);
  });

  it('the 3DS card parks in requires_action when the caller can handle it', async () => {
    const pm = await tokenize('4000002500003155');
    const pi = await stripe.paymentIntents.create({ amount: 2500, currency: 'usd', confirm: true, payment_method: pm.id });
    expect(pi.status).toBe('requires_action');
  });

  it('any other Luhn-valid number succeeds, brand from its prefix', async () => {
    const pm = await tokenize('6011111111111117');
    expect(pm.card?.brand).toBe('discover');
    expect((await charge(pm.id)).status).toBe('succeeded');
  });

  it('Stripe test tokens work as card[token]', async () => {
    const pm = await stripe.paymentMethods.create({ type: 'card', card: { token: 'tok_mastercard' } });
    expect(pm.card).toMatchObject({ brand: 'mastercard', last4: '4444' });
    const declined = await stripe.paymentMethods.create({ type: 'card', card: { token: 'tok_chargeDeclined' } });
    expect((await caught(() => charge(declined.id))).decline_code).toBe('generic_decline');
  });
});

describe('PaymentMethod card checks (402 card errors)', () => {
  const cases: Array<[string, () => Promise<unknown>, string, string]> = [
    ['a number failing Luhn', () => tokenize('4242424242424241'), 'incorrect_number', 'number'],
    ['a non-numeric number', () => tokenize('4242abcd42424242'), 'invalid_number', 'number'],
    ['a too short number', () => tokenize('42424242'), 'invalid_number', 'number'],
    ['month 13', () => tokenize('4242424242424242', { exp_month: 13 }), 'invalid_expiry_month', 'exp_month'],
    ['a past year', () => tokenize('4242424242424242', { exp_year: 2001 }), 'invalid_expiry_year', 'exp_year'],
    ['a 2-letter CVC', () => tokenize('4242424242424242', { cvc: '1a' }), 'invalid_cvc', 'cvc'],
    ['a 3-digit amex CVC', () => tokenize('378282246310005', { cvc: '123' }), 'invalid_cvc', 'cvc'],
  ];
  it.each(cases)('%s → %s', async (_name, create, code, param) => {
    const err = await caught(create);
    expect(err).toBeInstanceOf(Stripe.errors.StripeCardError);
    expect(err.statusCode).toBe(402);
    expect(err.code).toBe(code);
    expect(err.param).toBe(param);
  });

  it('a past month of this year is an invalid expiry', async () => {
    const now = new Date();
    if (now.getUTCMonth() === 0) {
      // January has no past month this year; a past year covers the same rule.
      expect((await caught(() => tokenize('4242424242424242', { exp_year: now.getUTCFullYear() - 1 }))).code).toBe('invalid_expiry_year');
      return;
    }
    const err = await caught(() => tokenize('4242424242424242', { exp_month: now.getUTCMonth(), exp_year: now.getUTCFullYear() }));
    expect(err.code).toBe('invalid_expiry_month');
  });

  it('two-digit years are accepted', async () => {
    const pm = await tokenize('4242424242424242', { exp_year: nextYear % 100 });
    expect(pm.card?.exp_year).toBe(nextYear);
  });

  it('missing card fields are 400 parameter_missing', async () => {
    const err = await caught(() =>
      stripe.paymentMethods.create({ type: 'card', card: { exp_month: 12, exp_year: nextYear } } as Stripe.PaymentMethodCreateParams),
    );
    expect(err).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(err.code).toBe('parameter_missing');
    expect(err.param).toBe('card[number]');
  });

  it('unknown PaymentMethod ids are 404 on retrieve', async () => {
    const err = await caught(() => stripe.paymentMethods.retrieve('pm_nope'));
    expect(err.statusCode).toBe(404);
    expect(err.code).toBe('resource_missing');
  });
});

describe('card data never reaches the state file', () => {
  it('keeps brand/last4/expiry only: no full number, no CVC', async () => {
    await tokenize('4000000000009995', { cvc: '987' });
    await tokenize('5555555555554444', { cvc: '654' });
    const state = readFileSync(join(t.dataDir, 'stripe-sandbox', 'state.json'), 'utf8');
    expect(state).toContain('"last4": "9995"');
    expect(state).not.toContain('4000000000009995');
    expect(state).not.toContain('5555555555554444');
    expect(state).not.toMatch(/"cvc"\s*:/);
    expect(state).not.toContain('"987"');
    expect(state).not.toContain('"654"');
    expect(state).not.toContain('sk_test_');
  });
});
