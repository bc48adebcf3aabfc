/**
 * paycall scaled out as production runs it: two worker processes and two web processes on
 * the run's Temporal server, sharing a real PostgreSQL order book, behind a round-robin
 * front (so each call's webhooks land on both webs). The phone simulator places 100 calls
 * (good cards, declines then a good card, unknown orders, and pairs of callers racing for
 * one order); one worker is SIGKILLed mid-run. Every order must be paid at most once, in
 * the database and in Stripe, and every caller whose call paid must have heard the
 * confirmation. Processes are started by test/helpers/paycall-processes.ts, as in the
 * chaos run.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createLogger } from '../../src/logging/logger.js';
import { startStripeSandbox, type StripeSandbox } from '../../src/stand-ins/stripe-sandbox/server.js';
import { createStripeClient } from '../../src/stripe/stripe-client.js';
import { planCalls, type CallPlan } from '../chaos/call-plan.js';
import { heardOwnConfirmation, runCalls, settleCalls } from '../chaos/call-runner.js';
import { seededRandom } from '../chaos/random.js';
import { readStripeLedger, reconcile } from '../chaos/reconcile.js';
import { startPaycallProcesses, type PaycallProcesses } from '../helpers/paycall-processes.js';
import { startOrderBookDatabase, type OrderBookDatabase } from '../helpers/postgres-orders.js';
import { connectTestTemporal, uniqueTaskQueue, type TestTemporal } from '../helpers/temporal.js';
import { startWebhookFront, type WebhookFront } from '../helpers/webhook-front.js';

const authToken = 'multi-process-auth-token-0123456789';

describe('two workers and two webs on one Temporal, PostgreSQL orders', () => {
  const plan: CallPlan = planCalls({
    calls: 100,
    raceShare: 0.2,
    thinkMs: { min: 50, max: 300 },
    random: seededRandom(7, 'multi-process'),
    // Callers who stay on the line to the end, so every paid call should hear its confirmation.
    weights: { 'good-card': 70, 'decline-then-good-card': 20, 'unknown-order-then-pay': 10 },
  });
  let dataDir: string;
  let temporal: TestTemporal;
  let sandbox: StripeSandbox;
  let orderBook: OrderBookDatabase;
  let front: WebhookFront;
  let processes: PaycallProcesses;
  const teardown: Array<() => Promise<unknown>> = [];

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'paycall-multi-'));
    teardown.push(() => rm(dataDir, { recursive: true, force: true }));
    temporal = await connectTestTemporal();
    teardown.push(() => temporal.close());
    sandbox = await startStripeSandbox({ port: 0, dataDir, logger: createLogger('sandbox', 'silent'), webhookEndpoints: [], env: {} });
    teardown.push(() => sandbox.close());
    orderBook = await startOrderBookDatabase(plan.orders);
    teardown.push(() => orderBook.stop());
    front = await startWebhookFront({});
    teardown.push(() => front.close());
    processes = await startPaycallProcesses({
      temporalAddress: inject('temporalAddress'),
      temporalNamespace: inject('temporalNamespace'),
      taskQueue: uniqueTaskQueue('multi'),
      databaseUrl: orderBook.databaseUrl,
      stripeApiBase: sandbox.url,
      publicBaseUrl: front.url,
      twilioAuthToken: authToken,
      workers: 2,
      webs: 2,
      dataDir,
    });
    teardown.push(() => processes.close());
    front.setBackends(processes.webUrls);
  }, 240_000);

  afterAll(async () => {
    // Newest first, each whatever the others did.
    for (const stop of teardown.reverse()) await stop().catch(() => undefined);
  }, 60_000);

  it('100 calls over both webs, a worker SIGKILLed mid-run: each order paid at most once, every paid caller heard the confirmation', async () => {
    const victim = processes.workers[0]!;
    const survivor = processes.workers[1]!;
    let done = 0;
    let killedAfter: number | undefined;
    const records = await runCalls({ url: front.url, authToken, stripeUrl: sandbox.url }, plan.units, 8, () => {
      done++;
      if (done === 30 && killedAfter === undefined) {
        killedAfter = done;
        void victim.kill('SIGKILL');
      }
    });
    expect(killedAfter).toBe(30);
    expect(victim.running).toBe(false);
    expect(survivor.ready).toBe(true);

    const results = await settleCalls(temporal.client, plan.calls, records, 90_000);
    const outcomes = results.reduce<Record<string, number>>((acc, r) => {
      const key = `${r.plan.kind}: ${r.outcome?.outcome ?? r.workflow}`;
      acc[key] = (acc[key] ?? 0) + 1;
      return acc;
    }, {});
    console.log('multi-process outcomes', outcomes, 'front', front.stats());

    // Both webs took part, and no call was left running.
    const answeredBy = front.stats().answeredBy;
    for (const url of processes.webUrls) expect(answeredBy[url] ?? 0).toBeGreaterThan(0);
    expect(results.filter((r) => r.workflow !== 'completed').map((r) => `${r.record.callSid} ${r.workflow} ${r.step ?? ''}`)).toEqual([]);

    // Paid at most once: in Stripe (one succeeded, unrefunded PaymentIntent per order), in the
    // database (the order marked paid with exactly that one), and never paid without a record.
    const rows = await orderBook.rows();
    const stripe = createStripeClient({ secretKey: 'sk_test_multi_process_observer', apiBase: sandbox.url, maxNetworkRetries: 2 });
    const money = reconcile(
      await readStripeLedger(stripe),
      rows,
      results.map((r) => ({ callSid: r.record.callSid, heardConfirmation: heardOwnConfirmation(r), ...(r.plan.orderId ? { orderId: r.plan.orderId } : {}), ...(r.outcome?.paymentIntentId ? { paidWith: r.outcome.paymentIntentId } : {}) })),
    );
    expect(money.doubleCharges).toEqual([]);
    expect(money.paidButUnrecorded).toEqual([]);
    expect(money.recordedButUnpaid).toEqual([]);
    expect(money.toldPaidButNotPaid).toEqual([]);
    const pairs = new Map<number, number>();
    for (const r of results) if (r.plan.pair !== undefined && r.outcome?.outcome === 'paid') pairs.set(r.plan.pair, (pairs.get(r.plan.pair) ?? 0) + 1);
    expect([...pairs.values()].filter((n) => n > 1)).toEqual([]);
    const paid = results.filter((r) => r.outcome?.outcome === 'paid');
    expect(paid.length).toBeGreaterThan(0);
    expect(rows.filter((o) => o.status === 'paid').length).toBe(paid.length);

    // Every call that paid heard its own confirmation code.
    expect(paid.filter((r) => !heardOwnConfirmation(r)).map((r) => `${r.record.callSid} (${r.plan.kind})`)).toEqual([]);
  }, 8 * 60_000);
});
