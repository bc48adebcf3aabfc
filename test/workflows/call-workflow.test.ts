/**
 * The call workflow on a real Temporal server with mocked activities: each test plays a
 * caller through the Update protocol and checks the outcome and what the caller heard.
 */
import { ApplicationFailure } from '@temporalio/activity';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallActivities, ChargeCardInput } from '../../src/activities/types.js';
import type { CallInput, PayResult } from '../../src/contract/call.js';
import type { Order } from '../../src/orders/order-book.js';
import { connectTestTemporal, uniqueCallSid, uniqueTaskQueue, workflowBundle, type TestTemporal } from '../helpers/temporal.js';
import { TestCall } from '../helpers/test-call.js';

let temporal: TestTemporal;
beforeAll(async () => {
  temporal = await connectTestTemporal();
});
afterAll(async () => {
  await temporal?.close();
});

const order73021: Order = { orderId: '73021', amount: 1999, currency: 'usd', description: 'two concert tickets', status: 'unpaid' };
const okCard: PayResult = { result: 'success', paymentToken: 'pm_card_visa', paymentCardType: 'visa', paymentCardNumber: 'xxxx-xxxx-xxxx-4242' };

type ChargeStep = 'ok' | 'decline' | 'insufficient' | 'transient';

class MockActivities {
  charges: ChargeCardInput[] = [];
  refunds: unknown[] = [];
  markPaidCalls = 0;
  receipts = 0;
  constructor(
    private readonly orders: Record<string, Order>,
    private readonly chargeSteps: ChargeStep[] = ['ok'],
    private readonly markPaidFails = false,
  ) {}

  build(): CallActivities {
    return {
      lookupOrder: async (orderId) => this.orders[orderId] ?? null,
      chargeCard: async (input) => {
        this.charges.push(input);
        const step = this.chargeSteps.shift() ?? 'ok';
        if (step === 'transient') throw ApplicationFailure.retryable('Stripe 500', 'StripeAPIError');
        if (step === 'decline' || step === 'insufficient') {
          throw ApplicationFailure.create({
            type: 'CardDeclined',
            nonRetryable: true,
            message: 'Your card was declined.',
            details: [{ code: 'card_declined', declineCode: step === 'decline' ? 'generic_decline' : 'insufficient_funds', message: 'Your card was declined.', paymentIntentId: 'pi_declined' }],
          });
        }
        return { paymentIntentId: 'pi_paid', status: 'succeeded', cardBrand: 'visa', cardLast4: '4242' };
      },
      markOrderPaid: async ({ orderId, paymentIntentId }) => {
        this.markPaidCalls++;
        if (this.markPaidFails) throw ApplicationFailure.nonRetryable('order book rejected the payment', 'OrderNotPayable');
        return { ...this.orders[orderId]!, status: 'paid', paymentIntentId };
      },
      refundPayment: async (input) => {
        this.refunds.push(input);
        return { refundId: 're_1', status: 'succeeded', amount: 1999 };
      },
      sendReceipt: async () => {
        this.receipts++;
        return { sent: true, messageSid: 'SM1' };
      },
    };
  }
}

async function withCall(
  mocks: MockActivities,
  play: (call: TestCall) => Promise<void>,
  input: Partial<CallInput> = {},
): Promise<TestCall> {
  const taskQueue = uniqueTaskQueue('wf');
  const worker = await Worker.create({
    connection: temporal.nativeConnection,
    namespace: temporal.namespace,
    taskQueue,
    workflowBundle: await workflowBundle(),
    activities: mocks.build(),
  });
  const call = new TestCall(temporal.client, taskQueue, { callSid: uniqueCallSid(), locale: 'en-US', ...input });
  await worker.runUntil(async () => {
    await play(call);
    await call.outcome();
  });
  return call;
}

describe('call workflow', () => {
  it('happy path: order, amount, card, one charge, confirmation code', async () => {
    const mocks = new MockActivities({ '73021': order73021 });
    const call = await withCall(mocks, async (c) => {
      const first = await c.start();
      expect(first.turn).toBe(1);
      expect(c.lastInstruction()).toMatchObject({ kind: 'gather', finishOnKey: '#' });
      await c.press('73021');
      expect(c.heard().at(-1)).toContain('19 dollars and 99 cents');
      expect(c.lastInstruction()).toMatchObject({ kind: 'gather', numDigits: 1 });
      const payTurn = await c.press('1');
      expect(payTurn.instructions.at(-1)).toMatchObject({ kind: 'pay', chargeAmount: '0', tokenType: 'payment-method', currency: 'usd' });
      const last = await c.pay(okCard);
      expect(last.final).toBe(true);
      expect(last.instructions.at(-1)).toEqual({ kind: 'hangup' });
    }, { receiptTo: '+15005550006' });
    const outcome = await call.outcome();
    expect(outcome).toMatchObject({ outcome: 'paid', orderId: '73021', amount: 1999, currency: 'usd', paymentIntentId: 'pi_paid', captureAttempts: 1 });
    expect(outcome.confirmationCode).toMatch(/^\d{6}$/);
    expect(call.heard().at(-1)).toContain(outcome.confirmationCode!.split('').join(' '));
    expect(mocks.charges).toHaveLength(1);
    expect(mocks.charges[0]).toMatchObject({ idempotencyKey: `call-${call.input.callSid}/charge/1`, paymentMethodId: 'pm_card_visa', amount: 1999 });
    expect(mocks.markPaidCalls).toBe(1);
    expect(mocks.receipts).toBe(1);
  });

  it('three unknown orders end the call as failed at order-entry', async () => {
    const mocks = new MockActivities({});
    const call = await withCall(mocks, async (c) => {
      await c.start();
      await c.press('111');
      expect(c.heard().at(-1)).toContain('could not find order 1 1 1');
      await c.press('222');
      const last = await c.press('333');
      expect(last.final).toBe(true);
    });
    expect(await call.outcome()).toMatchObject({ outcome: 'failed', failure: { step: 'order-entry', code: 'order-not-found' } });
    expect(mocks.charges).toHaveLength(0);
  });

  it('connects to an operator instead of hanging up when one is configured, and stays on the call until the operator hangs up', async () => {
    const call = await withCall(new MockActivities({}), async (c) => {
      await c.start();
      await c.press('1');
      await c.press('');
      const connect = await c.press('3');
      expect(connect.final).toBe(false);
      expect(connect.instructions.at(-1)).toEqual({ kind: 'connect-operator', to: '+15005550000', timeoutSeconds: 30 });
      expect((await c.state()).step).toBe('with-operator');
      const last = await c.dialEnded('completed');
      expect(last.final).toBe(true);
    }, { operatorNumber: '+15005550000' });
    const outcome = await call.outcome();
    expect(outcome).toMatchObject({ outcome: 'transferred', failure: { step: 'order-entry' } });
    expect(outcome.steps?.at(-1)).toMatchObject({ step: 'with-operator', status: 'ok', code: 'operator-hung-up' });
  });

  it('a decline sends the caller straight back to <Pay>, and a new card pays', async () => {
    const mocks = new MockActivities({ '73021': order73021 }, ['decline', 'ok']);
    const call = await withCall(mocks, async (c) => {
      await c.start();
      await c.press('73021');
      await c.press('1');
      const retry = await c.pay({ ...okCard, paymentToken: 'pm_card_visa_chargeDeclined' });
      expect(retry.instructions.at(-1)?.kind).toBe('pay');
      expect(c.heard().at(-1)).toContain('declined');
      await c.pay(okCard);
    });
    expect(await call.outcome()).toMatchObject({ outcome: 'paid', captureAttempts: 2 });
    expect(mocks.charges.map((c) => c.idempotencyKey)).toEqual([
      `call-${call.input.callSid}/charge/1`,
      `call-${call.input.callSid}/charge/2`,
    ]);
    // The second attempt re-confirms the PaymentIntent the decline left behind.
    expect(mocks.charges[1]?.paymentIntentId).toBe('pi_declined');
  });

  it('three declines end as declined with the decline code', async () => {
    const mocks = new MockActivities({ '73021': order73021 }, ['insufficient', 'insufficient', 'insufficient']);
    const call = await withCall(mocks, async (c) => {
      await c.start();
      await c.press('73021');
      await c.press('1');
      await c.pay(okCard);
      expect(c.heard().at(-1)).toContain('insufficient funds');
      await c.pay(okCard);
      const last = await c.pay(okCard);
      expect(last.final).toBe(true);
    });
    expect(await call.outcome()).toMatchObject({
      outcome: 'declined',
      captureAttempts: 3,
      paymentIntentId: 'pi_declined',
      failure: { step: 'charge', code: 'insufficient_funds' },
    });
    expect(mocks.markPaidCalls).toBe(0);
    // The workflow's result carries its own step log: each attempt, with Stripe's codes and ids.
    const { steps } = await call.outcome();
    expect(steps?.map((s) => `${s.step}#${s.attempt}:${s.status}`)).toEqual([
      'order-entry#1:ok',
      'amount-confirmation#1:ok',
      'card-capture#1:ok',
      'charge#1:failed',
      'card-capture#2:ok',
      'charge#2:failed',
      'card-capture#3:ok',
      'charge#3:failed',
    ]);
    expect(steps?.[0]).toMatchObject({ input: '73021', activity: 'lookupOrder', order: { orderId: '73021', amount: 1999, currency: 'usd' } });
    expect(steps?.[1]).toMatchObject({ input: '1', code: 'confirmed' });
    expect(steps?.[2]).toMatchObject({ paymentMethodId: 'pm_card_visa', card: { brand: 'visa', last4: '4242' } });
    expect(steps?.at(-1)).toMatchObject({
      errorType: 'CardDeclined',
      code: 'card_declined',
      declineCode: 'insufficient_funds',
      paymentIntentId: 'pi_declined',
      idempotencyKey: `call-${call.input.callSid}/charge/3`,
      activity: 'chargeCard',
    });
    for (const step of steps ?? []) expect(Date.parse(step.endedAt!)).toBeGreaterThanOrEqual(Date.parse(step.startedAt));
  });

  it('a failed capture re-prompts, then success pays', async () => {
    const mocks = new MockActivities({ '73021': order73021 });
    const call = await withCall(mocks, async (c) => {
      await c.start();
      await c.press('73021');
      await c.press('1');
      const again = await c.pay({ result: 'too-many-failed-attempts', paymentError: 'invalid-card-number' });
      expect(again.instructions.at(-1)?.kind).toBe('pay');
      expect(c.heard().at(-1)).toContain('could not read your card');
      await c.pay(okCard);
    });
    expect(await call.outcome()).toMatchObject({ outcome: 'paid', captureAttempts: 2 });
    expect(mocks.charges).toHaveLength(1);
  });

  it('a hang-up before capture ends the call as abandoned, nothing charged', async () => {
    const mocks = new MockActivities({ '73021': order73021 });
    const call = await withCall(mocks, async (c) => {
      await c.start();
      await c.press('73021');
      await c.hangUp();
    });
    expect(await call.outcome()).toMatchObject({ outcome: 'abandoned', orderId: '73021', failure: { step: 'amount-confirmation', code: 'caller-hung-up' } });
    expect(mocks.charges).toHaveLength(0);
  });

  it('a hang-up after capture still completes the payment', async () => {
    const mocks = new MockActivities({ '73021': order73021 }, ['transient', 'ok']);
    const call = await withCall(mocks, async (c) => {
      await c.start();
      await c.press('73021');
      await c.press('1');
      // Deliver the card, then hang up while the (slow, retried) charge is running.
      const delivered = c.pay(okCard);
      await c.hangUp();
      await delivered.catch(() => undefined);
      await c.outcome();
      expect((await c.state()).hungUp).toBe(true);
    });
    expect(await call.outcome()).toMatchObject({ outcome: 'paid', paymentIntentId: 'pi_paid' });
    expect(mocks.markPaidCalls).toBe(1);
  });

  it('marking the order paid failing for good refunds the charge, through the refund workflow as a child', async () => {
    const mocks = new MockActivities({ '73021': order73021 }, ['ok'], true);
    const call = await withCall(mocks, async (c) => {
      await c.start();
      await c.press('73021');
      await c.press('1');
      const last = await c.pay(okCard);
      expect(last.final).toBe(true);
    });
    const outcome = await call.outcome();
    expect(outcome).toMatchObject({ outcome: 'compensated', paymentIntentId: 'pi_paid', failure: { step: 'mark-paid', code: 'OrderNotPayable' } });
    expect(call.heard().at(-1)).toContain('refunded');
    // One refund path: the same workflow and key scheme as an operator's refund.
    expect(mocks.refunds).toEqual([expect.objectContaining({ paymentIntentId: 'pi_paid', idempotencyKey: 'paycall/refund-pi_paid-compensation' })]);
    const child = temporal.client.workflow.getHandle('refund-pi_paid-compensation');
    expect(await child.result()).toMatchObject({ status: 'refunded', refundId: 're_1', callWorkflowId: `call-${call.input.callSid}` });
    expect((await child.describe()).memo).toMatchObject({ callWorkflowId: `call-${call.input.callSid}`, requestKey: 'compensation' });
    expect(outcome.steps?.map((s) => `${s.step}:${s.status}`).slice(-3)).toEqual(['charge:ok', 'mark-paid:failed', 'refund:ok']);
  });

  it('an order book that refuses the look-up for good ends the call politely, recorded at order entry', async () => {
    const mocks = new MockActivities({});
    const activities = mocks.build();
    activities.lookupOrder = async () => {
      throw ApplicationFailure.nonRetryable('The order API refused the request (401)', 'OrderBookRejected');
    };
    const taskQueue = uniqueTaskQueue('wf');
    const worker = await Worker.create({ connection: temporal.nativeConnection, namespace: temporal.namespace, taskQueue, workflowBundle: await workflowBundle(), activities });
    const call = new TestCall(temporal.client, taskQueue, { callSid: uniqueCallSid(), locale: 'en-US' });
    await worker.runUntil(async () => {
      await call.start();
      const last = await call.press('73021');
      expect(last.final).toBe(true);
    });
    const outcome = await call.outcome();
    expect(outcome).toMatchObject({ outcome: 'failed', failure: { step: 'order-entry', code: 'OrderBookRejected' } });
    expect(call.heard().at(-1)).toContain('cannot look up orders right now');
    expect(outcome.steps?.at(-1)).toMatchObject({ step: 'order-entry', status: 'failed', errorType: 'OrderBookRejected', input: '73021' });
  });

  it('transient Stripe failures are retried with the same key: one charge', async () => {
    const mocks = new MockActivities({ '73021': order73021 }, ['transient', 'transient', 'ok']);
    const call = await withCall(mocks, async (c) => {
      await c.start();
      await c.press('73021');
      await c.press('1');
      await c.pay(okCard);
    });
    expect(await call.outcome()).toMatchObject({ outcome: 'paid', captureAttempts: 1 });
    expect(mocks.charges).toHaveLength(3);
    expect(new Set(mocks.charges.map((c) => c.idempotencyKey))).toEqual(new Set([`call-${call.input.callSid}/charge/1`]));
  });

  it('speaks Japanese with yen amounts for ja-JP callers', async () => {
    const yenOrder: Order = { orderId: '55001', amount: 6480, currency: 'jpy', description: 'コンサートチケット', status: 'unpaid' };
    const call = await withCall(new MockActivities({ '55001': yenOrder }), async (c) => {
      await c.start();
      expect(c.heard()[0]).toContain('ペイコール');
      await c.press('55001');
      expect(c.heard().at(-1)).toContain('6,480円');
      await c.press('1');
      await c.pay(okCard);
    }, { locale: 'ja-JP' });
    expect(await call.outcome()).toMatchObject({ outcome: 'paid', amount: 6480, currency: 'jpy' });
  });

  it('an already-paid order is refused and re-prompted', async () => {
    const paid: Order = { ...order73021, status: 'paid' };
    const call = await withCall(new MockActivities({ '73021': paid }), async (c) => {
      await c.start();
      await c.press('73021');
      expect(c.heard().at(-1)).toContain('already been paid');
      expect((await c.state()).lastError).toMatchObject({ code: 'order-already-paid' });
      await c.hangUp();
    });
    expect(await call.outcome()).toMatchObject({ outcome: 'abandoned' });
  });
});
