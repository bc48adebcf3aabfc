import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStripeSandbox } from '../../../src/stand-ins/stripe-sandbox/server.js';
import { createLogger } from '../../../src/logging/logger.js';
import { caught, startTestSandbox, type TestSandbox } from './helpers.js';

let t: TestSandbox;

beforeAll(async () => {
  t = await startTestSandbox();
});
afterAll(async () => {
  await t.stop();
});

describe('state on disk', () => {
  it('survives a restart: objects, lists, refund balances and idempotency keys', async () => {
    const before = t.client();
    const pi = await before.paymentIntents.create(
      { amount: 5000, currency: 'usd', confirm: true, payment_method: 'pm_card_visa', metadata: { call_sid: 'CA-restart' } },
      { idempotencyKey: 'restart:charge' },
    );
    const refund = await before.refunds.create({ payment_intent: pi.id, amount: 1000 });
    const declined = await caught(() =>
      before.paymentIntents.create({ amount: 700, currency: 'usd', confirm: true, payment_method: 'pm_card_chargeDeclined' }),
    );
    const oldPort = t.sandbox.port;

    await t.restart();
    expect(t.sandbox.port).not.toBe(oldPort);
    const after = t.client();

    expect(await after.paymentIntents.retrieve(pi.id)).toEqual(pi);
    expect(await after.refunds.retrieve(refund.id)).toEqual(refund);
    const declinedPi = await after.paymentIntents.retrieve(declined.payment_intent?.id as string);
    expect(declinedPi.last_payment_error?.decline_code).toBe('generic_decline');
    const list = await after.paymentIntents.list({ limit: 2 });
    expect(list.data.map((p) => p.id)).toEqual([declinedPi.id, pi.id]);
    // The refunded amount is remembered: only 4000 is left.
    const over = await caught(() => after.refunds.create({ payment_intent: pi.id, amount: 4001 }));
    expect(over.code).toBe('amount_too_large');
    // The idempotency key still replays the original response.
    const replay = await after.paymentIntents.create(
      { amount: 5000, currency: 'usd', confirm: true, payment_method: 'pm_card_visa', metadata: { call_sid: 'CA-restart' } },
      { idempotencyKey: 'restart:charge' },
    );
    expect(replay.id).toBe(pi.id);
    expect(replay.lastResponse.headers['idempotent-replayed']).toBe('true');
  });

  it('writes state.json atomically after each mutation', async () => {
    const file = join(t.dataDir, 'stripe-sandbox', 'state.json');
    const pi = await t.client().paymentIntents.create({ amount: 900, currency: 'usd' });
    const state = JSON.parse(readFileSync(file, 'utf8')) as { version: number; paymentIntents: Record<string, unknown> };
    expect(state.version).toBe(1);
    expect(Object.keys(state.paymentIntents)).toContain(pi.id);
  });

  it('refuses to start on a corrupt state file instead of discarding it', async () => {
    const dataDir = join(t.dataDir, 'corrupt');
    const first = await startStripeSandbox({ port: 0, dataDir, logger: createLogger('stripe-sandbox', 'silent') });
    await first.close();
    writeFileSync(join(dataDir, 'stripe-sandbox', 'state.json'), '{"version": 1, "seq": ');
    await expect(startStripeSandbox({ port: 0, dataDir, logger: createLogger('stripe-sandbox', 'silent') })).rejects.toThrow(/not valid JSON/);
  });

  it('different data dirs are independent', async () => {
    const other = await startStripeSandbox({ port: 0, dataDir: join(t.dataDir, 'other'), logger: createLogger('stripe-sandbox', 'silent') });
    try {
      const client = new Stripe('sk_test_other', { host: other.host, port: other.port, protocol: 'http', maxNetworkRetries: 0 });
      expect((await client.paymentIntents.list()).data).toEqual([]);
    } finally {
      await other.close();
    }
  });
});
