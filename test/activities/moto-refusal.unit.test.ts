/**
 * STRIPE_MOTO=true on an account Stripe has not enabled for MOTO: the real `stripe` client
 * against the sandbox, told which accounts have MOTO. The charge fails for good, naming
 * STRIPE_MOTO, and nothing is charged; on an enabled account the same flag charges.
 */
import { randomUUID } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createPaymentActivities } from '../../src/activities/payments.js';
import type { ChargeCardInput } from '../../src/activities/types.js';
import { startTestSandbox, testApiKey, type TestSandbox } from '../helpers/sandbox.js';

let sandbox: TestSandbox;
beforeAll(async () => {
  sandbox = await startTestSandbox();
});
afterAll(async () => {
  await sandbox?.stop();
});
beforeEach(() => {
  sandbox.sandbox.moto.reset();
});

function chargeInput(): ChargeCardInput {
  const callSid = `CA${randomUUID().replaceAll('-', '')}`;
  return {
    callSid,
    orderId: '8801',
    amount: 6480,
    currency: 'jpy',
    description: '抹茶セット',
    paymentMethodId: 'pm_card_jcb',
    captureAttempt: 1,
    confirmationCode: '275319',
    idempotencyKey: `call-${callSid}/charge/1`,
  };
}

describe('chargeCard with STRIPE_MOTO=true', () => {
  it('on an account without MOTO: a non-retryable StripeMotoNotEnabled failure naming STRIPE_MOTO, nothing charged', async () => {
    sandbox.sandbox.moto.set('none');
    const { chargeCard } = createPaymentActivities({ stripe: sandbox.stripe(), moto: true });
    const input = chargeInput();
    const err = await chargeCard(input).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ApplicationFailure);
    const failure = err as ApplicationFailure;
    expect(failure.type).toBe('StripeMotoNotEnabled');
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toContain('STRIPE_MOTO');
    expect(failure.message).toContain('payment_method_options[card][moto]');
    expect(failure.details?.[0]).toMatchObject({ code: 'parameter_unknown', param: 'payment_method_options[card][moto]' });
    expect(await sandbox.intentsForCall(input.callSid)).toEqual([]);
  });

  it('on an account Stripe enabled for MOTO: charged, marked MOTO', async () => {
    sandbox.sandbox.moto.set([testApiKey]);
    const { chargeCard } = createPaymentActivities({ stripe: sandbox.stripe(), moto: true });
    const input = chargeInput();
    const result = await chargeCard(input);
    expect(result).toMatchObject({ status: 'succeeded', cardBrand: 'jcb', cardLast4: '0505' });
    const [intent] = await sandbox.intentsForCall(input.callSid);
    // stripe-node types `moto` on requests only; the sandbox echoes it on the PaymentIntent.
    expect((intent?.payment_method_options?.card as { moto?: boolean } | undefined)?.moto).toBe(true);
  });

  it('without STRIPE_MOTO the same account charges (the flag is not sent)', async () => {
    sandbox.sandbox.moto.set('none');
    const { chargeCard } = createPaymentActivities({ stripe: sandbox.stripe(), moto: false });
    expect((await chargeCard(chargeInput())).status).toBe('succeeded');
  });
});
