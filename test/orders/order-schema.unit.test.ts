/**
 * What every order book refuses (the JSON file, orders:import, the merchant's API): an order
 * Stripe could not charge is refused when it is read, with a message naming the order.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { firstIssue, maxDescriptionLength, ordersFileSchema } from '../../src/orders/order-schema.js';
import { readOrdersFile } from '../../src/orders/postgres-import.js';

const order = (extra: Record<string, unknown>) => ({ orderId: '73021', amount: 1999, currency: 'usd', description: 'two concert tickets', ...extra });

function problemOf(orders: unknown[]): string {
  const parsed = ordersFileSchema.safeParse(orders);
  if (parsed.success) throw new Error('expected the orders to be refused');
  return firstIssue(parsed.error);
}

describe('order schema', () => {
  it('takes orders Stripe can charge, currency in any case, stored lower case', () => {
    const parsed = ordersFileSchema.parse([order({ currency: 'JPY', amount: 50 }), order({ orderId: '2', currency: 'krw', amount: 1000 }), order({ orderId: '3', description: 'x'.repeat(maxDescriptionLength) })]);
    expect(parsed.map((o) => o.currency)).toEqual(['jpy', 'krw', 'usd']);
  });

  it('an unsupported currency is an error naming the order and the currencies paycall takes', () => {
    expect(problemOf([order({}), order({ orderId: '55009', currency: 'mxn', amount: 5000 })])).toBe(
      'at 1.currency: order 55009: currency mxn is not one paycall takes (aud, cad, eur, gbp, jpy, krw, usd)',
    );
  });

  it('an amount below Stripe’s minimum charge for its currency is refused (¥50, $0.50, ₩1,000)', () => {
    expect(problemOf([order({ currency: 'jpy', amount: 49 })])).toBe("at 0.amount: order 73021: amount 49 (¥49) is below Stripe's minimum charge for JPY (¥50)");
    expect(problemOf([order({ amount: 49 })])).toBe("at 0.amount: order 73021: amount 49 ($0.49) is below Stripe's minimum charge for USD ($0.50)");
    expect(problemOf([order({ currency: 'krw', amount: 1 })])).toBe("at 0.amount: order 73021: amount 1 (₩1) is below Stripe's minimum charge for KRW (₩1,000)");
    expect(problemOf([order({ amount: 100_000_000 })])).toBe("at 0.amount: order 73021: amount 100000000 is above Stripe's largest charge (99999999 minor units)");
  });

  it('a description over Stripe’s 1,000 characters is refused at import, naming the order', async () => {
    expect(problemOf([order({ description: 'あ'.repeat(1001) })])).toBe('at 0.description: order 73021: description is 1001 characters; Stripe takes at most 1000');
    const dir = await mkdtemp(path.join(os.tmpdir(), 'paycall-orders-'));
    const file = path.join(dir, 'orders.json');
    await writeFile(file, JSON.stringify([order({ orderId: '8', description: 'a long story '.repeat(100) })]));
    await expect(readOrdersFile(file)).rejects.toThrow(`${file} is invalid at 0.description: order 8: description is 1300 characters; Stripe takes at most 1000`);
  });
});
