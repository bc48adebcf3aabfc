/**
 * Stripe activities: charge a PaymentMethod from `<Pay>` and refund a PaymentIntent.
 * Every POST carries the idempotency key the workflow derived from business facts, so a
 * Temporal retry can never charge twice. Errors are sorted into retryable (connection,
 * 5xx, 409, 429) and non-retryable typed failures the workflow handles; Stripe refusing the
 * MOTO flag (an account it has not enabled for MOTO) is its own failure naming STRIPE_MOTO.
 */
import { ApplicationFailure } from '@temporalio/activity';
import Stripe from 'stripe';
import type { CardDeclinedDetails, ChargeCardInput, ChargeCardResult, RefundInput, RefundResult } from './types.js';
import { failureTypes } from './types.js';

export interface PaymentActivityDeps {
  stripe: Stripe;
  /** Mark charges as MOTO (mail order / telephone order); Stripe must enable it for the account. */
  moto: boolean;
}

export function createPaymentActivities({ stripe, moto }: PaymentActivityDeps) {
  async function chargeCard(input: ChargeCardInput): Promise<ChargeCardResult> {
    const confirmParams = {
      payment_method: input.paymentMethodId,
      error_on_requires_action: true,
      expand: ['payment_method'],
      ...(moto ? { payment_method_options: { card: { moto: true } } } : {}),
    };
    try {
      const intent = input.paymentIntentId
        ? await stripe.paymentIntents.confirm(input.paymentIntentId, confirmParams, { idempotencyKey: input.idempotencyKey })
        : await stripe.paymentIntents.create(
            {
              amount: input.amount,
              currency: input.currency,
              confirm: true,
              description: input.description,
              metadata: {
                call_sid: input.callSid,
                order_id: input.orderId,
                capture_attempt: String(input.captureAttempt),
                confirmation_code: input.confirmationCode,
              },
              automatic_payment_methods: { enabled: true, allow_redirects: 'never' },
              ...confirmParams,
            },
            { idempotencyKey: input.idempotencyKey },
          );
      if (intent.status !== 'succeeded') {
        // error_on_requires_action should make this unreachable for cards; treat it as a decline.
        throw ApplicationFailure.create({
          type: failureTypes.cardDeclined,
          nonRetryable: true,
          message: `PaymentIntent ${intent.id} is ${intent.status}`,
          details: [{ code: intent.status, message: `PaymentIntent is ${intent.status}`, paymentIntentId: intent.id } satisfies CardDeclinedDetails],
        });
      }
      return { paymentIntentId: intent.id, status: intent.status, ...(await cardFacts(intent)) };
    } catch (err) {
      if (moto && isMotoRefusal(err)) throw motoNotEnabled(err);
      throw toActivityFailure(err);
    }
  }

  async function refundPayment(input: RefundInput): Promise<RefundResult> {
    try {
      const refund = await stripe.refunds.create(
        {
          payment_intent: input.paymentIntentId,
          ...(input.amount !== undefined ? { amount: input.amount } : {}),
          ...(input.reason ? { reason: input.reason } : {}),
          ...(input.metadata ? { metadata: input.metadata } : {}),
        },
        { idempotencyKey: input.idempotencyKey },
      );
      return { refundId: refund.id, status: refund.status ?? 'unknown', amount: refund.amount, ...(refund.pending_reason ? { pendingReason: refund.pending_reason } : {}) };
    } catch (err) {
      if (err instanceof Stripe.errors.StripeInvalidRequestError) {
        throw ApplicationFailure.create({
          type: failureTypes.refundRefused,
          nonRetryable: true,
          message: err.message,
          details: [{ code: err.code ?? 'invalid_request', message: err.message }],
        });
      }
      throw toActivityFailure(err);
    }
  }

  /** Brand and last four of the card, for receipts and operators (never the number). */
  async function cardFacts(intent: Stripe.PaymentIntent): Promise<{ cardBrand?: string; cardLast4?: string }> {
    const method = intent.payment_method;
    if (method && typeof method === 'object' && method.card) return { cardBrand: method.card.brand, cardLast4: method.card.last4 };
    return {};
  }

  return { chargeCard, refundPayment };
}

const motoParam = 'payment_method_options[card][moto]';

/** Stripe's answer to the MOTO flag from an account it has not enabled: 400 parameter_unknown on that parameter. */
function isMotoRefusal(err: unknown): err is Stripe.errors.StripeInvalidRequestError {
  return err instanceof Stripe.errors.StripeInvalidRequestError && err.param === motoParam;
}

function motoNotEnabled(err: Stripe.errors.StripeInvalidRequestError): ApplicationFailure {
  return ApplicationFailure.create({
    type: failureTypes.stripeMotoNotEnabled,
    nonRetryable: true,
    message: `Stripe refused ${motoParam}: MOTO is not enabled for this Stripe account. Set STRIPE_MOTO=false, or ask Stripe support to enable MOTO. Nothing was charged.`,
    details: [{ code: err.code, param: err.param, requestId: err.requestId, stripeMessage: err.message }],
  });
}

/** Sorts a stripe-node error into what Temporal should do with it. */
export function toActivityFailure(err: unknown): Error {
  if (err instanceof ApplicationFailure) return err;
  if (err instanceof Stripe.errors.StripeCardError) {
    const details: CardDeclinedDetails = {
      code: err.code ?? 'card_declined',
      message: err.message,
      ...(err.decline_code ? { declineCode: err.decline_code } : {}),
      ...(err.payment_intent?.id ? { paymentIntentId: err.payment_intent.id } : {}),
    };
    return ApplicationFailure.create({ type: failureTypes.cardDeclined, nonRetryable: true, message: err.message, details: [details] });
  }
  if (err instanceof Stripe.errors.StripeIdempotencyError) {
    return ApplicationFailure.create({
      type: failureTypes.stripeIdempotencyMismatch,
      nonRetryable: true,
      message: `Idempotency key reused with different parameters (a bug): ${err.message}`,
    });
  }
  if (err instanceof Stripe.errors.StripeAuthenticationError || err instanceof Stripe.errors.StripePermissionError) {
    return ApplicationFailure.create({ type: failureTypes.stripeAuthentication, nonRetryable: true, message: err.message });
  }
  if (err instanceof Stripe.errors.StripeInvalidRequestError) {
    return ApplicationFailure.create({
      type: failureTypes.stripeInvalidRequest,
      nonRetryable: true,
      message: err.message,
      details: [{ code: err.code, param: err.param, requestId: err.requestId }],
    });
  }
  if (err instanceof Stripe.errors.StripeError) {
    // Connection errors, 5xx, 409 (key in use) and 429: retry with the same key, with backoff.
    return ApplicationFailure.create({
      type: err.type,
      nonRetryable: false,
      message: `${err.message}${err.statusCode ? ` (HTTP ${err.statusCode})` : ''}`,
    });
  }
  return err instanceof Error ? err : new Error(String(err));
}
