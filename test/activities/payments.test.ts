/**
 * The Stripe activities with the real `stripe` client against the local sandbox: declines
 * become typed non-retryable failures, transient trouble stays retryable, and a retry with
 * the workflow's idempotency key never charges twice.
 */
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createPaymentActivities } from '../../src/activities/payments.js';
import type { ChargeCardInput } from '../../src/activities/types.js';
import { uniqueCallSid } from '../helpers/temporal.js';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';

let sandbox: TestSandbox;
beforeAll(async () => {
  sandbox = await startTestSandbox();
});
afterAll(async () => {
  await sandbox?.stop();
});
beforeEach(() => {
  sandbox.sandbox.faults.reset();
});

function chargeInput(overrides: Partial<ChargeCardInput> = {}): ChargeCardInput {
  const callSid = overrides.callSid ?? uniqueCallSid();
  return {
    callSid,
    orderId: '73021',
    amount: 1999,
    currency: 'usd',
    description: 'two concert tickets',
    paymentMethodId: 'pm_card_visa',
    captureAttempt: 1,
    confirmationCode: '481523',
    idempotencyKey: `call-${callSid}/charge/1`,
    ...overrides,
  };
}

async function failureOf(promise: Promise<unknown>): Promise<ApplicationFailure> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApplicationFailure);
  return err as ApplicationFailure;
}

describe('chargeCard', () => {
  it('charges a good card once: PaymentIntent succeeded with metadata and the card brand', async () => {
    const { chargeCard } = createPaymentActivities({ stripe: sandbox.stripe(), moto: false });
    const input = chargeInput();
    const result = await chargeCard(input);
    expect(result).toMatchObject({ status: 'succeeded', cardBrand: 'visa', cardLast4: '4242' });
    expect(result.paymentIntentId).toMatch(/^pi_/);
    const [intent] = await sandbox.intentsForCall(input.callSid);
    expect(intent).toMatchObject({ id: result.paymentIntentId, amount: 1999, currency: 'usd', status: 'succeeded' });
    expect(intent?.metadata).toMatchObject({ order_id: '73021', confirmation_code: '481523', capture_attempt: '1' });
  });

  it('sends the MOTO flag when configured', async () => {
    const { chargeCard } = createPaymentActivities({ stripe: sandbox.stripe(), moto: true });
    const result = await chargeCard(chargeInput());
    const intent = await sandbox.stripe().paymentIntents.retrieve(result.paymentIntentId);
    expect((intent.payment_method_options?.card as { moto?: boolean } | undefined)?.moto).toBe(true);
  });

  it.each([
    ['pm_card_visa_chargeDeclined', 'card_declined', 'generic_decline'],
    ['pm_card_visa_chargeDeclinedInsufficientFunds', 'card_declined', 'insufficient_funds'],
    ['pm_card_chargeDeclinedExpiredCard', 'expired_card', undefined],
    ['pm_card_chargeDeclinedIncorrectCvc', 'incorrect_cvc', undefined],
    ['pm_card_chargeDeclinedProcessingError', 'processing_error', undefined],
    ['pm_card_threeDSecure2Required', 'authentication_required', undefined],
  ])('%s becomes a non-retryable CardDeclined failure (%s / %s)', async (paymentMethodId, code, declineCode) => {
    const { chargeCard } = createPaymentActivities({ stripe: sandbox.stripe(), moto: false });
    const failure = await failureOf(chargeCard(chargeInput({ paymentMethodId })));
    expect(failure.type).toBe('CardDeclined');
    expect(failure.nonRetryable).toBe(true);
    const details = failure.details?.[0] as { code: string; declineCode?: string; paymentIntentId?: string };
    expect(details.code).toBe(code);
    if (declineCode) expect(details.declineCode).toBe(declineCode);
    expect(details.paymentIntentId).toMatch(/^pi_/);
  });

  it('re-confirms the declined PaymentIntent with a new card on the next attempt', async () => {
    const { chargeCard } = createPaymentActivities({ stripe: sandbox.stripe(), moto: false });
    const callSid = uniqueCallSid();
    const declined = await failureOf(chargeCard(chargeInput({ callSid, paymentMethodId: 'pm_card_visa_chargeDeclined' })));
    const paymentIntentId = (declined.details?.[0] as { paymentIntentId: string }).paymentIntentId;
    const result = await chargeCard(chargeInput({ callSid, captureAttempt: 2, idempotencyKey: `call-${callSid}/charge/2`, paymentIntentId }));
    expect(result.paymentIntentId).toBe(paymentIntentId);
    const intents = await sandbox.intentsForCall(callSid);
    expect(intents.map((i) => i.status)).toEqual(['succeeded']);
  });

  it('a 500 is retryable, and the retry with the same key makes one PaymentIntent', async () => {
    const { chargeCard } = createPaymentActivities({ stripe: sandbox.stripe(), moto: false });
    const input = chargeInput();
    sandbox.sandbox.faults.set({ failNext: 1, failStatus: 500 });
    const failure = await failureOf(chargeCard(input));
    expect(failure.nonRetryable).toBe(false);
    const result = await chargeCard(input); // what Temporal's retry does
    expect(result.status).toBe('succeeded');
    expect(await sandbox.intentsForCall(input.callSid)).toHaveLength(1);
  });

  it('connection dropped after the charge: the retry returns the same PaymentIntent', async () => {
    const { chargeCard } = createPaymentActivities({ stripe: sandbox.stripe(), moto: false });
    const input = chargeInput();
    sandbox.sandbox.faults.set({ dropAfterChargeNext: 1 });
    const first = await chargeCard(input).then(
      (result) => result,
      (err: unknown) => err,
    );
    expect(sandbox.sandbox.faults.get().dropAfterChargeNext).toBe(0); // the drop happened
    // stripe-node retries a reset connection itself, with the same key; if it had not,
    // the failure must be retryable so Temporal's retry (same key) recovers.
    if (first instanceof ApplicationFailure) expect(first.nonRetryable).toBe(false);
    const result = first instanceof ApplicationFailure ? await chargeCard(input) : (first as Awaited<ReturnType<typeof chargeCard>>);
    const intents = await sandbox.intentsForCall(input.callSid);
    expect(intents).toHaveLength(1);
    expect(result.paymentIntentId).toBe(intents[0]?.id);
  });

  it('the same key with different parameters is surfaced as a bug, not retried', async () => {
    const { chargeCard } = createPaymentActivities({ stripe: sandbox.stripe(), moto: false });
    const input = chargeInput();
    await chargeCard(input);
    const failure = await failureOf(chargeCard({ ...input, amount: 2999 }));
    expect(failure.type).toBe('StripeIdempotencyMismatch');
    expect(failure.nonRetryable).toBe(true);
  });

  it('a bad API key is a non-retryable configuration failure', async () => {
    const { createStripeClient } = await import('../../src/stripe/stripe-client.js');
    const stripe = createStripeClient({ secretKey: 'sk_live_not_for_the_sandbox', apiBase: sandbox.sandbox.url, maxNetworkRetries: 0 });
    const failure = await failureOf(createPaymentActivities({ stripe, moto: false }).chargeCard(chargeInput()));
    expect(failure.type).toBe('StripeAuthentication');
    expect(failure.nonRetryable).toBe(true);
  });
});

describe('refundPayment', () => {
  it('refunds in full once per idempotency key, and refuses an over-refund', async () => {
    const { chargeCard, refundPayment } = createPaymentActivities({ stripe: sandbox.stripe(), moto: false });
    const { paymentIntentId } = await chargeCard(chargeInput());
    const key = `refund/${paymentIntentId}`;
    const first = await refundPayment({ paymentIntentId, idempotencyKey: key });
    const again = await refundPayment({ paymentIntentId, idempotencyKey: key });
    expect(again.refundId).toBe(first.refundId);
    expect(first).toMatchObject({ status: 'succeeded', amount: 1999 });
    const refunds = await sandbox.stripe().refunds.list({ payment_intent: paymentIntentId });
    expect(refunds.data).toHaveLength(1);
    const refused = await failureOf(refundPayment({ paymentIntentId, amount: 1, idempotencyKey: `${key}/more` }));
    expect(refused.type).toBe('RefundRefused');
    expect(refused.nonRetryable).toBe(true);
  });

  it('refunds part of a payment', async () => {
    const { chargeCard, refundPayment } = createPaymentActivities({ stripe: sandbox.stripe(), moto: false });
    const { paymentIntentId } = await chargeCard(chargeInput());
    const partial = await refundPayment({ paymentIntentId, amount: 500, idempotencyKey: `partial/${paymentIntentId}` });
    expect(partial.amount).toBe(500);
    const tooMuch = await failureOf(refundPayment({ paymentIntentId, amount: 1500, idempotencyKey: `toomuch/${paymentIntentId}` }));
    expect(tooMuch.type).toBe('RefundRefused');
  });
});
