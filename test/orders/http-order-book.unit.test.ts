/**
 * The HTTP order book against a real HTTP server implementing the contract
 * (test/helpers/merchant-orders-api.ts): what it sends (bearer token, Idempotency-Key, body),
 * what each answer means, and which failures are retryable (plain Error) and which are final
 * (OrderNotPayableError, OrderBookRejectedError), also as the activity reports them.
 */
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { createOrderActivities } from '../../src/activities/orders.js';
import { HttpOrderBook } from '../../src/orders/http-order-book.js';
import { OrderBookRejectedError, OrderNotPayableError, type Order } from '../../src/orders/order-book.js';
import { freePort } from '../../src/temporal/dev-server.js';
import { startMerchantOrdersApi, type MerchantOrdersApi } from '../helpers/merchant-orders-api.js';

const seed: Order[] = [
  { orderId: '73021', amount: 1999, currency: 'usd', description: 'two concert tickets', status: 'unpaid' },
  { orderId: '55001', amount: 6480, currency: 'jpy', description: 'コンサートチケット2枚', status: 'unpaid' },
  { orderId: '90001', amount: 2500, currency: 'usd', description: 'a gift card', status: 'paid' },
];

let api: MerchantOrdersApi;
let book: HttpOrderBook;
const apis: MerchantOrdersApi[] = [];

beforeEach(async () => {
  api = await startMerchantOrdersApi({ orders: seed });
  apis.push(api);
  book = new HttpOrderBook({ baseUrl: api.baseUrl, token: api.token, timeoutMs: 1000 });
});
afterAll(async () => {
  await Promise.all(apis.map((a) => a.close()));
});

async function errorOf(promise: Promise<unknown>): Promise<Error> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(Error);
  return err as Error;
}

/** Retryable: a plain Error, neither of the final kinds. */
function expectRetryable(err: Error): void {
  expect(err).not.toBeInstanceOf(OrderBookRejectedError);
  expect(err).not.toBeInstanceOf(OrderNotPayableError);
}

describe('HTTP order book: the contract', () => {
  it('looks orders up with the bearer token; 404 is an unknown order', async () => {
    expect(await book.find('55001')).toEqual(seed[1]);
    expect(await book.find('12345')).toBeUndefined();
    expect(api.requests.map((r) => [r.method, r.path, r.authorization])).toEqual([
      ['GET', '/api/paycall/orders/55001', `Bearer ${api.token}`],
      ['GET', '/api/paycall/orders/12345', `Bearer ${api.token}`],
    ]);
  });

  it('marks paid with the PaymentIntent as Idempotency-Key and in the body; a repeat gets the paid order again', async () => {
    const paid = await book.markPaid('73021', 'pi_http_1');
    expect(paid).toEqual({ ...seed[0], status: 'paid', paymentIntentId: 'pi_http_1' });
    expect(await book.markPaid('73021', 'pi_http_1')).toEqual(paid);
    for (const request of api.requests) {
      expect(request).toMatchObject({ method: 'POST', path: '/api/paycall/orders/73021/payment', idempotencyKey: 'pi_http_1', authorization: `Bearer ${api.token}` });
      expect(JSON.parse(request.body)).toEqual({ paymentIntentId: 'pi_http_1' });
    }
    expect(await book.find('73021')).toMatchObject({ status: 'paid', paymentIntentId: 'pi_http_1' });
  });

  it('409 is paid by another payment, 404 an unknown order', async () => {
    await book.markPaid('73021', 'pi_first');
    expect(await errorOf(book.markPaid('73021', 'pi_second'))).toMatchObject({ name: 'OrderNotPayableError', reason: 'paid-by-another-payment' });
    expect(await errorOf(book.markPaid('90001', 'pi_second'))).toMatchObject({ name: 'OrderNotPayableError', reason: 'paid-by-another-payment' });
    expect(await errorOf(book.markPaid('31337', 'pi_second'))).toMatchObject({ name: 'OrderNotPayableError', reason: 'unknown-order' });
  });
});

describe('HTTP order book: retryable failures are plain errors', () => {
  it('a timeout names ORDERS_API_TIMEOUT_MS', async () => {
    const impatient = new HttpOrderBook({ baseUrl: api.baseUrl, token: api.token, timeoutMs: 150 });
    api.delayNext(1, 1000);
    const started = Date.now();
    const err = await errorOf(impatient.find('73021'));
    expect(Date.now() - started).toBeLessThan(900);
    expectRetryable(err);
    expect(err.message).toMatch(/^ORDERS_API_URL GET http:\/\/127\.0\.0\.1:\d+\/api\/paycall\/orders\/73021 failed: timed out after 150 ms \(ORDERS_API_TIMEOUT_MS\)$/);
  });

  it('a refused connection', async () => {
    const nowhere = new HttpOrderBook({ baseUrl: `http://127.0.0.1:${await freePort()}/`, timeoutMs: 1000 });
    const err = await errorOf(nowhere.markPaid('73021', 'pi_1'));
    expectRetryable(err);
    expect(err.message).toMatch(/failed: connect ECONNREFUSED 127\.0\.0\.1:\d+$/);
  });

  it.each([500, 502, 503, 429, 408])('%i', async (status) => {
    api.answerNext(2, status);
    for (const attempt of [book.find('73021'), book.markPaid('73021', 'pi_1')]) {
      const err = await errorOf(attempt);
      expectRetryable(err);
      expect(err.message).toContain(`ORDERS_API_URL answered ${status}`);
    }
    // The merchant's API recovers: the same calls now succeed.
    expect(await book.markPaid('73021', 'pi_1')).toMatchObject({ status: 'paid' });
  });
});

describe('HTTP order book: final refusals are OrderBookRejectedError', () => {
  it('a wrong token is 401, with a hint and without the token', async () => {
    const wrong = new HttpOrderBook({ baseUrl: api.baseUrl, token: 'not-the-token', timeoutMs: 1000 });
    const err = await errorOf(wrong.find('73021'));
    expect(err).toBeInstanceOf(OrderBookRejectedError);
    expect(err).toMatchObject({ status: 401 });
    expect(err.message).toBe('ORDERS_API_URL answered 401 looking up order 73021: {"error":"unauthorized"} (check ORDERS_API_TOKEN)');
    expect(err.message).not.toContain('not-the-token');
  });

  it.each([400, 403, 422])('%i', async (status) => {
    api.answerNext(1, status, { body: '{"error":"nope"}' });
    const err = await errorOf(book.markPaid('73021', 'pi_1'));
    expect(err).toBeInstanceOf(OrderBookRejectedError);
    expect(err).toMatchObject({ status });
  });

  it.each([
    ['a body that is not JSON', '<html>oops</html>', /with a body that is not JSON$/],
    ['an order without an amount', '{"orderId":"73021","currency":"usd","description":"x","status":"unpaid"}', /with an invalid order at amount: /],
    ['another order', JSON.stringify({ ...seed[1] }), /answered order 55001 when asked for order 73021$/],
  ])('200 with %s', async (_name, body, message) => {
    api.answerNext(1, 200, { body });
    const err = await errorOf(book.find('73021'));
    expect(err).toBeInstanceOf(OrderBookRejectedError);
    expect(err.message).toMatch(message);
  });

  it('200 to mark-paid that does not show the order paid by this PaymentIntent', async () => {
    api.answerNext(1, 200, { body: JSON.stringify(seed[0]) });
    const err = await errorOf(book.markPaid('73021', 'pi_1'));
    expect(err).toBeInstanceOf(OrderBookRejectedError);
    expect(err.message).toMatch(/is not order 73021 paid by pi_1$/);
  });

  it('a redirect is not followed (the token stays with the configured host)', async () => {
    api.answerNext(1, 302, { body: '', headers: { Location: 'http://127.0.0.1:1/elsewhere' } });
    const err = await errorOf(book.find('73021'));
    expect(err).toBeInstanceOf(OrderBookRejectedError);
    expect(err).toMatchObject({ status: 302 });
  });
});

describe('order activities over the HTTP book', () => {
  it('final refusals become non-retryable ApplicationFailures; trouble stays a plain error', async () => {
    const { lookupOrder, markOrderPaid } = createOrderActivities(book);
    api.answerNext(1, 422);
    const rejected = await errorOf(lookupOrder('73021'));
    expect(rejected).toBeInstanceOf(ApplicationFailure);
    expect(rejected).toMatchObject({ type: 'OrderBookRejected', nonRetryable: true, details: [{ status: 422 }] });
    await markOrderPaid({ orderId: '73021', paymentIntentId: 'pi_a' });
    expect(await errorOf(markOrderPaid({ orderId: '73021', paymentIntentId: 'pi_b' }))).toMatchObject({ type: 'OrderNotPayable', nonRetryable: true, details: [{ reason: 'paid-by-another-payment' }] });
    api.answerNext(1, 503);
    const transient = await errorOf(lookupOrder('73021'));
    expect(transient).not.toBeInstanceOf(ApplicationFailure);
  });
});
