/**
 * Confirming a PaymentIntent: the charge attempt and its outcome, from the PaymentMethod's test
 * behaviour (test-cards.ts), with the events Stripe emits for each outcome:
 * - `succeed` → a succeeded charge (`charge.succeeded`); status `succeeded`
 *   (`payment_intent.succeeded`), or `requires_capture` with `capture_method=manual`
 *   (`payment_intent.amount_capturable_updated`);
 * - a decline → a failed charge (`charge.failed`); the PaymentIntent goes back to
 *   `requires_payment_method` with `last_payment_error` and `payment_method: null`
 *   (`payment_intent.payment_failed`), and the request fails with HTTP 402 `card_error` carrying
 *   `code`, `decline_code`, `charge`, `payment_intent` and `payment_method` (stripe-node throws
 *   StripeCardError with `err.payment_intent`);
 * - `requires_authentication` (3DS test cards) → `requires_action` with a `next_action`
 *   (`payment_intent.requires_action`); with `error_on_requires_action=true` or `off_session`,
 *   the 402 decline `authentication_required` instead. `payment_method_options[card][moto]` does
 *   not exempt these cards: they model an issuer that does not honour the MOTO exemption.
 * Once a charge is captured, a dispute test card schedules its dispute (disputes.ts).
 */
import { failureMessageOf, renderCharge } from './charges.js';
import { cardError, invalidRequest, type StripeSandboxError } from './errors.js';
import { chargeCaptured } from './disputes.js';
import { newId, nowSeconds, type LastPaymentError, type PaymentIntentObject, type PaymentIntentStatus } from './objects.js';
import { snapshot, type Execution, type SandboxContext } from './routes.js';
import type { StoredPaymentMethod } from './store.js';
import { declines, type DeclineShape } from './test-cards.js';

export const captureMethods = ['automatic', 'automatic_async', 'manual'] as const;
export type CaptureMethod = (typeof captureMethods)[number];

export const confirmableStatuses: PaymentIntentStatus[] = ['requires_payment_method', 'requires_confirmation', 'requires_action'];

export interface ConfirmOptions {
  paymentMethod?: string;
  errorOnRequiresAction: boolean;
  offSession: boolean;
  moto?: boolean;
  captureMethod?: CaptureMethod;
}

export function unexpectedState(pi: PaymentIntentObject, action: 'confirm' | 'cancel' | 'capture', allowed: PaymentIntentStatus[]): StripeSandboxError {
  const message =
    action === 'confirm' && pi.status === 'succeeded'
      ? 'You cannot confirm this PaymentIntent because it has already succeeded after being previously confirmed.'
      : `You cannot ${action} this PaymentIntent because it has a status of ${pi.status}. Only a PaymentIntent with one of the following statuses may be ${action === 'cancel' ? 'canceled' : `${action}ed`}: ${allowed.join(', ')}.`;
  return invalidRequest(message, { code: 'payment_intent_unexpected_state', payment_intent: snapshot(pi) });
}

export function createConfirmer(ctx: SandboxContext): {
  confirm(pi: PaymentIntentObject, options: ConfirmOptions, pm: StoredPaymentMethod | undefined, exec: Execution): PaymentIntentObject;
} {
  const { store, events } = ctx;

  /** Records a charge attempt for `pi` with `pm`. */
  const charge = (pi: PaymentIntentObject, pm: StoredPaymentMethod, status: 'succeeded' | 'failed', failureCode: string | null) => {
    const id = newId('ch');
    const captured = status === 'succeeded' && pi.capture_method !== 'manual';
    const record = {
      id,
      amount: pi.amount,
      amount_refunded: 0,
      captured,
      currency: pi.currency,
      payment_intent: pi.id,
      payment_method: pm.object.id,
      status,
      failure_code: failureCode,
      failure_message: failureMessageOf(failureCode),
      disputed: false,
      created: nowSeconds(),
    };
    store.state.charges[id] = { seq: store.nextSeq(), charge: record };
    pi.latest_charge = id;
    return record;
  };

  const decline = (pi: PaymentIntentObject, pm: StoredPaymentMethod, shape: DeclineShape, exec: Execution): never => {
    const failed = charge(pi, pm, 'failed', shape.code);
    failed.failure_message = shape.message;
    const error: LastPaymentError = {
      type: 'card_error',
      code: shape.code,
      ...(shape.decline_code !== undefined ? { decline_code: shape.decline_code } : {}),
      message: shape.message,
      ...(shape.param !== undefined ? { param: shape.param } : {}),
      doc_url: `https://stripe.com/docs/error-codes/${shape.code.replace(/_/g, '-')}`,
      charge: failed.id,
      payment_method: snapshot(pm.object),
    };
    pi.status = 'requires_payment_method';
    pi.payment_method = null;
    pi.next_action = null;
    pi.last_payment_error = error;
    events.emit('charge.failed', renderCharge(store, failed), exec.request);
    events.emit('payment_intent.payment_failed', pi, exec.request);
    const { type: _type, ...fields } = error;
    throw cardError({ ...fields, payment_intent: snapshot(pi) });
  };

  /** Confirms `pi` (mutating it); returns it, or throws the card error after recording the attempt. */
  const confirm = (pi: PaymentIntentObject, options: ConfirmOptions, pm: StoredPaymentMethod | undefined, exec: Execution) => {
    if (!confirmableStatuses.includes(pi.status)) throw unexpectedState(pi, 'confirm', confirmableStatuses);
    if (pm === undefined) {
      throw invalidRequest(
        `You cannot confirm this PaymentIntent because it's missing a payment method. To confirm the PaymentIntent with ${pi.id}, specify a payment method attachment or update the PaymentIntent with a payment method and then confirm it again.`,
        { code: 'payment_intent_unexpected_state', payment_intent: snapshot(pi) },
      );
    }
    if (options.moto !== undefined) pi.payment_method_options.card.moto = options.moto;
    if (options.captureMethod !== undefined) pi.capture_method = options.captureMethod;
    pi.payment_method = pm.object.id;
    if (pm.behaviour === 'requires_authentication') {
      if (options.errorOnRequiresAction || options.offSession) {
        exec.charged = true;
        return decline(pi, pm, declines.authentication_required, exec);
      }
      pi.status = 'requires_action';
      pi.last_payment_error = null;
      pi.next_action = {
        type: 'use_stripe_sdk',
        use_stripe_sdk: { type: 'three_d_secure_redirect', stripe_js: `https://hooks.stripe.com/3d_secure_2/hosted?payment_intent=${pi.id}`, source: newId('src') },
      };
      events.emit('payment_intent.requires_action', pi, exec.request);
      return pi;
    }
    exec.charged = true;
    if (pm.behaviour !== 'succeed') return decline(pi, pm, declines[pm.behaviour], exec);
    const succeeded = charge(pi, pm, 'succeeded', null);
    pi.last_payment_error = null;
    pi.next_action = null;
    if (pi.capture_method === 'manual') {
      pi.status = 'requires_capture';
      pi.amount_capturable = pi.amount;
    } else {
      pi.status = 'succeeded';
      pi.amount_received = pi.amount;
    }
    events.emit('charge.succeeded', renderCharge(store, succeeded), exec.request);
    if (pi.status === 'requires_capture') {
      events.emit('payment_intent.amount_capturable_updated', pi, exec.request);
    } else {
      events.emit('payment_intent.succeeded', pi, exec.request);
      chargeCaptured(ctx, succeeded);
    }
    return pi;
  };

  return { confirm };
}
