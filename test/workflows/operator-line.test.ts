/**
 * The operator line in the call workflow, on a real Temporal server with mocked
 * activities: the live-call Payments activities answer as Twilio would by signalling the
 * workflow with status callbacks (masked values only), so the capture's state machine,
 * the shared charge path and the step log are tested without the web layer.
 */
import { ApplicationFailure } from '@temporalio/activity';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChargeCardInput, WorkerActivities } from '../../src/activities/types.js';
import type { CallInput } from '../../src/contract/call.js';
import type { PayCardType } from '../../src/contract/instructions.js';
import type { AgentCaptureField, PaymentStatusEvent } from '../../src/contract/operator.js';
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

const order: Order = { orderId: '73021', amount: 1999, currency: 'usd', description: 'two concert tickets', status: 'unpaid' };

/** What the caller keys for each asked field, in order: 'ok', 'invalid' or 'silent'. */
type Keying = Partial<Record<AgentCaptureField, ('ok' | 'invalid' | 'silent')[]>>;

class FakeTwilio {
  captures: { field: string; key: string }[] = [];
  finishes: string[] = [];
  /** The card brands each payment session was opened with. */
  sessionCardTypes: string[][] = [];
  charges: ChargeCardInput[] = [];
  ended: { text: string }[] = [];
  call!: TestCall;
  private seq = 0;

  constructor(
    private readonly keying: Keying = {},
    private readonly chargeResults: ('ok' | 'decline')[] = ['ok'],
    private readonly duplicateAndReorder = false,
  ) {}

  private send(event: Omit<PaymentStatusEvent, 'callbackId' | 'sessionSid'>, sessionSid: string): Promise<void> {
    return this.call.paymentStatus({ callbackId: `cb-${++this.seq}`, sessionSid, ...event });
  }

  activities(): WorkerActivities {
    let sessions = 0;
    return {
      lookupOrder: async (id) => (id === order.orderId ? order : null),
      chargeCard: async (input) => {
        this.charges.push(input);
        if ((this.chargeResults.shift() ?? 'ok') === 'decline') {
          throw ApplicationFailure.create({ type: 'CardDeclined', nonRetryable: true, message: 'Your card was declined.', details: [{ code: 'card_declined', declineCode: 'generic_decline', message: 'Your card was declined.', paymentIntentId: 'pi_agent' }] });
        }
        return { paymentIntentId: 'pi_agent', status: 'succeeded', cardBrand: 'visa', cardLast4: '4242' };
      },
      markOrderPaid: async ({ paymentIntentId }) => ({ ...order, status: 'paid', paymentIntentId }),
      refundPayment: async () => ({ refundId: 're_1', status: 'succeeded', amount: 1999 }),
      sendReceipt: async () => ({ sent: false }),
      createPaymentSession: async ({ validCardTypes }) => {
        this.sessionCardTypes.push(validCardTypes);
        return { sessionSid: `PK${++sessions}` };
      },
      capturePaymentField: async ({ field, sessionSid, idempotencyKey }) => {
        this.captures.push({ field, key: idempotencyKey });
        const how = this.keying[field]?.shift() ?? 'ok';
        // Twilio answers the REST call, then reports progress and the field's end.
        setTimeout(async () => {
          const partial = { capture: field, partialResult: true };
          const final =
            how === 'ok'
              ? { capture: field, partialResult: false, ...(field === 'payment-card-number' ? { card: { brand: 'visa', last4: '4242' } } : {}) }
              : { capture: field, partialResult: false, errorType: how === 'silent' ? 'input-timeout' : field === 'expiration-date' ? 'invalid-date' : 'invalid-card-number' };
          if (this.duplicateAndReorder) {
            // The final callback first, then the stale partial one, then the final again (a retry).
            const finalId = `cb-${++this.seq}`;
            await this.call.paymentStatus({ callbackId: finalId, sessionSid, ...final });
            await this.send(partial, sessionSid);
            await this.call.paymentStatus({ callbackId: finalId, sessionSid, ...final });
          } else {
            await this.send(partial, sessionSid);
            await this.send(final, sessionSid);
          }
        }, 5);
      },
      finishPaymentSession: async ({ status, sessionSid }) => {
        this.finishes.push(status);
        setTimeout(() => void this.send(status === 'complete' ? { result: 'success', paymentToken: 'pm_card_visa' } : { result: 'cancelled' }, sessionSid), 5);
      },
      endLiveCall: async ({ text }) => {
        this.ended.push({ text });
        setTimeout(() => void this.call.hangUp(), 5);
      },
    };
  }
}

async function onTheLine(fake: FakeTwilio, play: (call: TestCall) => Promise<void>, input: Partial<CallInput> = {}): Promise<TestCall> {
  const taskQueue = uniqueTaskQueue('operator');
  const worker = await Worker.create({ connection: temporal.nativeConnection, namespace: temporal.namespace, taskQueue, workflowBundle: await workflowBundle(), activities: fake.activities() });
  const call = new TestCall(temporal.client, taskQueue, { callSid: uniqueCallSid(), locale: 'en-US', operatorNumber: '+15005550000', ...input });
  fake.call = call;
  await worker.runUntil(async () => {
    await call.start();
    await call.press('73021');
    const connect = await call.press('0');
    expect(connect.instructions.at(-1)).toMatchObject({ kind: 'connect-operator', to: '+15005550000', orderId: '73021' });
    await play(call);
    await call.outcome();
  });
  return call;
}

async function captureStatus(call: TestCall, status: string): Promise<void> {
  await expect.poll(async () => (await call.state()).operatorLine?.capture?.status, { timeout: 15_000 }).toBe(status);
}

describe('agent-assisted payment in the call workflow', () => {
  it('the operator takes the payment: fields one by one, one charge, the code for the operator, the step log says who', async () => {
    const fake = new FakeTwilio();
    const call = await onTheLine(fake, async (c) => {
      const accepted = await c.operator({ kind: 'start-capture', operator: 'alice', charge: { orderId: '73021' } });
      expect(accepted.accepted).toBe(true);
      await captureStatus(c, 'paid');
      const capture = (await c.state()).operatorLine!.capture!;
      expect(capture).toMatchObject({ operator: 'alice', orderId: '73021', card: { last4: '4242', brand: 'visa' }, paymentIntentId: 'pi_agent' });
      expect(capture.confirmationCode).toMatch(/^\d{6}$/);
      expect(capture.fields.map((f) => `${f.field}:${f.state}:${f.attempts}`)).toEqual(['payment-card-number:entered:1', 'expiration-date:entered:1', 'security-code:entered:1']);
      await c.operator({ kind: 'end-call', operator: 'alice' });
    });
    const outcome = await call.outcome();
    expect(outcome).toMatchObject({ outcome: 'paid', orderId: '73021', amount: 1999, paymentIntentId: 'pi_agent' });
    expect(fake.charges.map((c) => c.idempotencyKey)).toEqual([`call-${call.input.callSid}/charge/1`]);
    expect(fake.captures.map((c) => c.key)).toEqual([
      `call-${call.input.callSid}/agent-capture/1/payment-card-number/1`,
      `call-${call.input.callSid}/agent-capture/1/expiration-date/1`,
      `call-${call.input.callSid}/agent-capture/1/security-code/1`,
    ]);
    expect(fake.finishes).toEqual(['complete']);
    // A call whose input names no <Pay> settings (begun before they existed): the old brands.
    expect(fake.sessionCardTypes).toEqual([['visa', 'mastercard', 'amex']]);
    expect(fake.ended[0]!.text).toContain(outcome.confirmationCode!.split('').join(' '));
    const steps = outcome.steps!;
    expect(steps.find((s) => s.step === 'card-capture')).toMatchObject({ status: 'ok', via: 'operator', operator: 'alice', paymentMethodId: 'pm_card_visa', paymentSessionSid: 'PK1' });
    expect(steps.find((s) => s.step === 'charge')).toMatchObject({ status: 'ok', via: 'operator', operator: 'alice' });
    expect(steps.find((s) => s.step === 'with-operator')).toMatchObject({ status: 'ok', code: 'ended-by-operator', operator: 'alice' });
  });

  it("the operator's session takes the brands the call's <Pay> takes (PAY_VALID_CARD_TYPES)", async () => {
    const fake = new FakeTwilio();
    const pay = { validCardTypes: ['jcb', 'visa', 'diners-club'] as PayCardType[], securityCode: true, postalCode: false, timeoutSeconds: 10, maxAttempts: 3 as const };
    const call = await onTheLine(
      fake,
      async (c) => {
        await c.operator({ kind: 'start-capture', operator: 'alice', charge: { orderId: '73021' } });
        await captureStatus(c, 'paid');
        await c.operator({ kind: 'end-call', operator: 'alice' });
      },
      { pay },
    );
    expect((await call.outcome()).outcome).toBe('paid');
    expect(fake.sessionCardTypes).toEqual([['jcb', 'visa', 'diners-club']]);
  });

  it('a mistyped card number is asked again, and the operator can ask again for a field already entered', async () => {
    const fake = new FakeTwilio({ 'payment-card-number': ['invalid', 'ok'] });
    const call = await onTheLine(fake, async (c) => {
      await c.operator({ kind: 'start-capture', operator: 'bob', charge: { orderId: '73021' } });
      await expect.poll(async () => (await c.state()).operatorLine?.capture?.fields[1]?.state, { timeout: 15_000 }).toMatch(/asking|keying|entered/);
      await c.operator({ kind: 'reask', operator: 'bob', field: 'payment-card-number' });
      await captureStatus(c, 'paid');
      await c.dialEnded('completed');
    });
    const capture = fake.captures.filter((c) => c.field === 'payment-card-number').map((c) => c.key.split('/').at(-1));
    expect(capture).toEqual(['1', '2', '3']); // invalid, then right, then the operator's re-ask
    const step = (await call.outcome()).steps!.find((s) => s.step === 'card-capture')!;
    expect(step.fields?.find((f) => f.field === 'payment-card-number')).toMatchObject({ attempts: 3, reaskedBy: 'bob' });
  });

  it('the caller hanging up mid-capture charges nothing and records where', async () => {
    const fake = new FakeTwilio({ 'expiration-date': ['silent', 'silent', 'silent'] });
    const call = await onTheLine(fake, async (c) => {
      await c.operator({ kind: 'start-capture', operator: 'alice', charge: { orderId: '73021' } });
      await expect.poll(async () => (await c.state()).operatorLine?.capture?.fields[1]?.attempts, { timeout: 15_000 }).toBeGreaterThanOrEqual(1);
      await c.hangUp();
    });
    expect(fake.charges).toEqual([]);
    const outcome = await call.outcome();
    expect(outcome).toMatchObject({ outcome: 'abandoned', failure: { step: 'with-operator', code: 'caller-hung-up' } });
    expect(outcome.steps!.find((s) => s.step === 'card-capture')).toMatchObject({ status: 'failed', code: 'caller-hung-up', via: 'operator' });
  });

  it('duplicated and reordered status callbacks change nothing: one ask per field, one charge', async () => {
    const fake = new FakeTwilio({}, ['ok'], true);
    const call = await onTheLine(fake, async (c) => {
      await c.operator({ kind: 'start-capture', operator: 'alice', charge: { orderId: '73021' } });
      await captureStatus(c, 'paid');
      await c.dialEnded('completed');
    });
    expect(fake.captures).toHaveLength(3);
    expect(fake.charges).toHaveLength(1);
    expect((await call.outcome()).outcome).toBe('paid');
  });

  it('a decline lets the operator ask for another card; the operator cancels a capture; commands the line cannot take are refused', async () => {
    const fake = new FakeTwilio({}, ['decline', 'ok']);
    const call = await onTheLine(fake, async (c) => {
      await expect(c.operator({ kind: 'reask', operator: 'alice', field: 'security-code' })).rejects.toMatchObject({ cause: { message: expect.stringMatching(/no card capture is in progress/) } });
      await c.operator({ kind: 'start-capture', operator: 'alice', charge: { orderId: '73021' } });
      await expect(c.operator({ kind: 'start-capture', operator: 'alice', charge: { orderId: '73021' } })).rejects.toMatchObject({ cause: { message: expect.stringMatching(/already in progress/) } });
      await captureStatus(c, 'declined');
      await c.operator({ kind: 'start-capture', operator: 'alice', charge: { orderId: '73021' } });
      await captureStatus(c, 'paid');
      await c.dialEnded('completed');
    });
    expect(fake.charges.map((c) => c.idempotencyKey)).toEqual([`call-${call.input.callSid}/charge/1`, `call-${call.input.callSid}/charge/2`]);
    // The second card confirms the PaymentIntent the decline left.
    expect(fake.charges[1]!.paymentIntentId).toBe('pi_agent');
    expect((await call.outcome()).outcome).toBe('paid');

    const cancelling = new FakeTwilio({ 'security-code': ['silent', 'silent', 'silent'] });
    const cancelled = await onTheLine(cancelling, async (c) => {
      await c.operator({ kind: 'start-capture', operator: 'carol', charge: { amount: 500, currency: 'usd', description: 'a phone order' } });
      await expect.poll(async () => (await c.state()).operatorLine?.capture?.fields[2]?.attempts, { timeout: 15_000 }).toBeGreaterThanOrEqual(1);
      await c.operator({ kind: 'cancel-capture', operator: 'carol' });
      await captureStatus(c, 'cancelled');
      await c.dialEnded('completed');
    });
    expect(cancelling.finishes).toEqual(['cancel']);
    expect(cancelling.charges).toEqual([]);
    const outcome = await cancelled.outcome();
    expect(outcome.outcome).toBe('transferred');
    expect(outcome.steps!.find((s) => s.step === 'card-capture')).toMatchObject({ status: 'failed', code: 'cancelled-by-operator', operator: 'carol' });
  });
});
