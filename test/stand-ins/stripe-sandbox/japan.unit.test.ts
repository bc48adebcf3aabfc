/**
 * What a merchant in Japan needs from the sandbox, as Stripe does it: JCB and Diners Club test
 * cards, each currency's minimum charge (¥50, ₩1,000, MX$10), Stripe's 1,000-character
 * description, and MOTO only on accounts Stripe enabled for it.
 */
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caught, startTestSandbox, testApiKey, type TestSandbox } from './helpers.js';

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

const motoCharge = (paymentMethod: string, extra: Partial<Stripe.PaymentIntentCreateParams> = {}): Stripe.PaymentIntentCreateParams => ({
  amount: 6480,
  currency: 'jpy',
  confirm: true,
  payment_method: paymentMethod,
  error_on_requires_action: true,
  payment_method_options: { card: { moto: true } },
  ...extra,
});

describe('JCB and Diners Club test cards (Stripe’s testing page)', () => {
  it.each([
    ['3566002020360505', 'jcb', '0505'],
    ['3056930009020004', 'diners', '0004'],
    ['36227206271667', 'diners', '1667'],
  ])('%s tokenizes as %s and pays in yen', async (number, brand, last4) => {
    const pm = await stripe.paymentMethods.create({ type: 'card', card: { number, exp_month: 12, exp_year: nextYear, cvc: '123' } });
    expect(pm.card).toMatchObject({ brand, last4 });
    const pi = await stripe.paymentIntents.create({ ...motoCharge(pm.id), expand: ['payment_method'] });
    expect(pi.status).toBe('succeeded');
    expect((pi.payment_method as Stripe.PaymentMethod).card?.brand).toBe(brand);
  });

  it('pm_card_jcb, pm_card_diners and their tok_ forms', async () => {
    for (const [id, brand] of [['pm_card_jcb', 'jcb'], ['pm_card_diners', 'diners']] as const) {
      const pi = await stripe.paymentIntents.create({ ...motoCharge(id), expand: ['payment_method'] });
      expect(pi.status).toBe('succeeded');
      expect((pi.payment_method as Stripe.PaymentMethod).card?.brand).toBe(brand);
    }
    const fromToken = await stripe.paymentMethods.create({ type: 'card', card: { token: 'tok_jcb' } });
    expect(fromToken.card?.brand).toBe('jcb');
  });
});

describe('Stripe’s minimum charge per currency', () => {
  it.each([
    ['jpy', 49, 50, 'Amount must be at least ¥50 jpy'],
    ['usd', 49, 50, 'Amount must be at least $0.50 usd'],
    ['krw', 999, 1000, 'Amount must be at least ₩1000 krw'],
    ['mxn', 999, 1000, 'Amount must be at least $10.00 mxn'],
  ])('%s: %i is refused, %i is taken', async (currency, below, minimum, message) => {
    const small = await caught(() => stripe.paymentIntents.create({ amount: below, currency }));
    expect(small).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(small).toMatchObject({ code: 'amount_too_small', param: 'amount', message });
    const ok = await stripe.paymentIntents.create({ amount: minimum, currency });
    expect(ok.amount).toBe(minimum);
  });
});

describe('description', () => {
  it('takes 1,000 characters and refuses 1,001 (Stripe’s API spec), saving nothing', async () => {
    const ok = await stripe.paymentIntents.create({ amount: 500, currency: 'jpy', description: 'あ'.repeat(1000) });
    expect([...(ok.description ?? '')].length).toBe(1000);
    const before = (await stripe.paymentIntents.list({ limit: 100 })).data.length;
    const long = await caught(() => stripe.paymentIntents.create({ amount: 500, currency: 'jpy', description: 'あ'.repeat(1001) }));
    expect(long).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(long.param).toBe('description');
    expect(long.message).toMatch(/must be at most 1000 characters$/);
    expect((await stripe.paymentIntents.list({ limit: 100 })).data.length).toBe(before);
  });
});

describe('MOTO only on accounts Stripe enabled for it', () => {
  it('an account without MOTO is refused the parameter as Stripe refuses it; without the flag it pays', async () => {
    t.sandbox.moto.set('none');
    try {
      const refused = await caught(() => stripe.paymentIntents.create(motoCharge('pm_card_jcb')));
      expect(refused).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
      expect(refused).toMatchObject({
        statusCode: 400,
        code: 'parameter_unknown',
        param: 'payment_method_options[card][moto]',
        message: 'Received unknown parameter: payment_method_options[card][moto]',
      });
      // Even moto=false is unknown to such an account.
      const asFalse = await caught(() => stripe.paymentIntents.create(motoCharge('pm_card_jcb', { payment_method_options: { card: { moto: false } } })));
      expect(asFalse.code).toBe('parameter_unknown');
      // Confirming an existing PaymentIntent is refused the same way.
      const open = await stripe.paymentIntents.create({ amount: 6480, currency: 'jpy' });
      const confirm = await caught(() => stripe.paymentIntents.confirm(open.id, { payment_method: 'pm_card_jcb', payment_method_options: { card: { moto: true } } }));
      expect(confirm.code).toBe('parameter_unknown');
      const plain = await stripe.paymentIntents.create({ amount: 6480, currency: 'jpy', confirm: true, payment_method: 'pm_card_jcb', error_on_requires_action: true });
      expect(plain.status).toBe('succeeded');
    } finally {
      t.sandbox.moto.reset();
    }
  });

  it('MOTO can be enabled for some accounts (secret keys) only, over HTTP too', async () => {
    const other = t.client({}, 'sk_test_merchant_without_moto');
    const set = await fetch(`${t.sandbox.url}/_sandbox/moto`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ accounts: [testApiKey] }) });
    expect(await set.json()).toEqual({ accounts: [testApiKey] });
    try {
      expect((await stripe.paymentIntents.create(motoCharge('pm_card_diners'))).status).toBe('succeeded');
      expect((await caught(() => other.paymentIntents.create(motoCharge('pm_card_diners')))).code).toBe('parameter_unknown');
      const bad = await fetch(`${t.sandbox.url}/_sandbox/moto`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ accounts: 'some' }) });
      expect(bad.status).toBe(400);
      expect(await (await fetch(`${t.sandbox.url}/_sandbox/moto`)).json()).toEqual({ accounts: [testApiKey] });
    } finally {
      t.sandbox.moto.reset();
    }
    expect((await other.paymentIntents.create(motoCharge('pm_card_diners'))).status).toBe('succeeded');
  });
});
