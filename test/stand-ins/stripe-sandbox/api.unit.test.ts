import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caught, startTestSandbox, testApiKey, type TestSandbox } from './helpers.js';

let t: TestSandbox;

beforeAll(async () => {
  t = await startTestSandbox();
});
afterAll(async () => {
  await t.stop();
});

describe('authentication', () => {
  it('401 without an API key, with Stripe’s message', async () => {
    const res = await fetch(`${t.sandbox.url}/v1/payment_intents`);
    expect(res.status).toBe(401);
    const body = (await res.json()) as { error: { type: string; message: string } };
    expect(body.error.type).toBe('invalid_request_error');
    expect(body.error.message).toMatch(/^You did not provide an API key/);
  });

  it('a non-test key → StripeAuthenticationError, key masked in the message', async () => {
    const err = await caught(() => t.client({}, 'sk_live_0000notarealkey0000').paymentIntents.list());
    expect(err).toBeInstanceOf(Stripe.errors.StripeAuthenticationError);
    expect(err.statusCode).toBe(401);
    expect(err.message).toMatch(/^Invalid API Key provided: sk_live_\*+0000$/);
  });

  it('accepts Bearer and HTTP Basic (curl -u sk_test_…:)', async () => {
    const basic = Buffer.from(`${testApiKey}:`).toString('base64');
    const res = await fetch(`${t.sandbox.url}/v1/payment_intents?limit=1`, { headers: { authorization: `Basic ${basic}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('request-id')).toMatch(/^req_/);
    const list = await t.client().paymentIntents.list({ limit: 1 });
    expect(list.object).toBe('list');
  });
});

describe('requests', () => {
  it('unknown /v1 URLs are 404 invalid_request_error', async () => {
    const err = await caught(() => t.client().customers.create({ email: 'a@example.com' }));
    expect(err).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(err.statusCode).toBe(404);
    expect(err.message).toMatch(/Unrecognized request URL \(POST: \/v1\/customers\)/);
  });

  it('parses nested form keys and array syntax the way stripe-node sends them', async () => {
    const res = await fetch(`${t.sandbox.url}/v1/payment_intents`, {
      method: 'POST',
      headers: { authorization: `Bearer ${testApiKey}`, 'content-type': 'application/x-www-form-urlencoded' },
      body:
        'amount=2000&currency=USD&description=Caf%C3%A9+order&metadata[call_sid]=CA1&metadata%5Border_id%5D=7' +
        '&allowed_payment_method_types[]=card&automatic_payment_methods[enabled]=false',
    });
    expect(res.status).toBe(200);
    const pi = (await res.json()) as Stripe.PaymentIntent;
    expect(pi.currency).toBe('usd');
    expect(pi.description).toBe('Café order');
    expect(pi.metadata).toEqual({ call_sid: 'CA1', order_id: '7' });
    expect(pi.payment_method_types).toEqual(['card']);
    expect(pi.automatic_payment_methods).toEqual({ enabled: false });
  });

  it('an unknown query parameter on a list is parameter_unknown too', async () => {
    const res = await fetch(`${t.sandbox.url}/v1/payment_intents?customer=cus_1`, { headers: { authorization: `Bearer ${testApiKey}` } });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; param: string } };
    expect(body.error).toMatchObject({ code: 'parameter_unknown', param: 'customer' });
  });

  it('metadata keys like __proto__ are plain data', async () => {
    const pi = await t.client().paymentIntents.create({ amount: 900, currency: 'usd', metadata: { ['__proto__']: 'x', ok: 'y' } });
    const got = await t.client().paymentIntents.retrieve(pi.id);
    expect(got.metadata.ok).toBe('y');
    expect(Object.keys(got.metadata)).toContain('ok');
  });
});
