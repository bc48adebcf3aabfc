/**
 * Refunds: create (by `payment_intent` or `charge`; omit `amount` to refund the remainder),
 * retrieve, list (`payment_intent=` / `charge=` filters). Refunds succeed immediately, except
 * with Stripe's asynchronous-refund test cards (refund-transitions.ts: `pending` then
 * `succeeded`, or `succeeded` then `failed`). Pending refunds count as refunded until they fail.
 *
 * Refusals (HTTP 400 `invalid_request_error`, saved under the Idempotency-Key like Stripe's):
 * - fully refunded already → `charge_already_refunded`;
 * - `amount` above what is left → `amount_too_large` (param `amount`);
 * - nothing captured to refund (PaymentIntent not succeeded, failed or uncaptured charge) →
 *   `charge_not_refundable` (cancel an uncaptured PaymentIntent instead);
 * - the charge has an open or lost dispute → `charge_disputed`.
 */
import { formatAmount } from './amounts.js';
import { invalidRequest, resourceMissing } from './errors.js';
import { newId, nowSeconds, type RefundObject } from './objects.js';
import { paginate, readPage } from './pagination.js';
import { checkAllowed, mergeMetadata, optEnum, optMetadata, optPositiveInt, optString, type ParamSpec } from './params.js';
import { initialRefundStatus, refundCreated } from './refund-transitions.js';
import { own, type Route, type SandboxContext } from './routes.js';
import type { StoredCharge } from './store.js';

const reasons = ['duplicate', 'fraudulent', 'requested_by_customer'] as const;

const createSpec: Record<string, ParamSpec> = {
  payment_intent: 'scalar',
  charge: 'scalar',
  amount: 'scalar',
  reason: 'scalar',
  metadata: 'metadata',
};

export function refundRoutes(ctx: SandboxContext): Route[] {
  const { store } = ctx;
  const chargeToRefund = (paymentIntentId: string | undefined, chargeId: string | undefined): StoredCharge => {
    let stored: StoredCharge | undefined;
    if (paymentIntentId !== undefined) {
      const pi = own(store.state.paymentIntents, paymentIntentId);
      if (!pi) throw resourceMissing('payment_intent', paymentIntentId, 'payment_intent', 400);
      const latest = pi.object.latest_charge !== null ? own(store.state.charges, pi.object.latest_charge) : undefined;
      if (pi.object.status !== 'succeeded' || !latest) {
        throw invalidRequest(`This PaymentIntent (${paymentIntentId}) does not have a successful charge to refund.`, {
          code: 'charge_not_refundable',
          param: 'payment_intent',
        });
      }
      if (chargeId !== undefined && chargeId !== latest.charge.id) {
        throw invalidRequest(`Charge ${chargeId} does not belong to PaymentIntent ${paymentIntentId}.`, { param: 'charge' });
      }
      stored = latest;
    } else if (chargeId !== undefined) {
      stored = own(store.state.charges, chargeId);
      if (!stored) throw resourceMissing('charge', chargeId, 'charge', 400);
    }
    if (!stored) throw invalidRequest('One of the following params should be provided for this request: payment_intent or charge.');
    if (stored.charge.status !== 'succeeded' || !stored.charge.captured) {
      throw invalidRequest(`Charge ${stored.charge.id} has not been captured successfully, so it cannot be refunded.`, {
        code: 'charge_not_refundable',
      });
    }
    if (stored.charge.disputed === true && isDisputeBlockingRefunds(ctx, stored.charge.id)) {
      throw invalidRequest(`Charge ${stored.charge.id} has been charged back; it cannot be refunded.`, { code: 'charge_disputed' });
    }
    return stored;
  };

  return [
    {
      method: 'POST',
      pattern: /^\/v1\/refunds$/,
      prepare(params) {
        checkAllowed(params, createSpec);
        const paymentIntentId = optString(params, 'payment_intent');
        const chargeId = optString(params, 'charge');
        if (paymentIntentId === undefined && chargeId === undefined) {
          throw invalidRequest('One of the following params should be provided for this request: payment_intent or charge.', {
            code: 'parameter_missing',
          });
        }
        const amount = optPositiveInt(params, 'amount');
        const reason = optEnum(params, reasons, 'reason');
        const metadata = mergeMetadata({}, optMetadata(params));
        return {
          run(exec) {
            const { charge } = chargeToRefund(paymentIntentId, chargeId);
            const remaining = charge.amount - charge.amount_refunded;
            if (remaining <= 0) {
              throw invalidRequest(`Charge ${charge.id} has already been refunded.`, { code: 'charge_already_refunded' });
            }
            const refundAmount = amount ?? remaining;
            if (refundAmount > remaining) {
              throw invalidRequest(
                `Refund amount (${formatAmount(refundAmount, charge.currency)}) is greater than unrefunded amount on charge (${formatAmount(remaining, charge.currency)})`,
                { code: 'amount_too_large', param: 'amount' },
              );
            }
            charge.amount_refunded += refundAmount;
            const status = initialRefundStatus(ctx, charge);
            const refund: RefundObject = {
              id: newId('re'),
              object: 'refund',
              amount: refundAmount,
              balance_transaction: newId('txn'),
              charge: charge.id,
              created: nowSeconds(),
              currency: charge.currency,
              metadata,
              payment_intent: charge.payment_intent,
              payment_method: charge.payment_method,
              ...(status === 'pending' ? { pending_reason: 'processing' as const } : {}),
              reason: reason ?? null,
              receipt_number: null,
              status,
            };
            store.state.refunds[refund.id] = { seq: store.nextSeq(), object: refund };
            refundCreated(ctx, refund, charge, exec.request);
            return refund;
          },
        };
      },
    },
    {
      method: 'GET',
      pattern: /^\/v1\/refunds\/([^/]+)$/,
      prepare(params, [id = '']) {
        checkAllowed(params, {});
        return {
          run() {
            const stored = own(store.state.refunds, id);
            if (!stored) throw resourceMissing('refund', id, 'id');
            return stored.object;
          },
        };
      },
    },
    {
      method: 'GET',
      pattern: /^\/v1\/refunds$/,
      prepare(params) {
        checkAllowed(params, { payment_intent: 'scalar', charge: 'scalar', limit: 'scalar', starting_after: 'scalar', ending_before: 'scalar' });
        const page = readPage(params);
        const paymentIntentId = optString(params, 'payment_intent');
        const chargeId = optString(params, 'charge');
        return {
          run() {
            const items = Object.values(store.state.refunds).filter(
              (r) =>
                (paymentIntentId === undefined || r.object.payment_intent === paymentIntentId) &&
                (chargeId === undefined || r.object.charge === chargeId),
            );
            return paginate(items, page, '/v1/refunds', (missing, param) => resourceMissing('refund', missing, param, 400));
          },
        };
      },
    },
  ];
}

/** A chargeback that is open or lost blocks refunds (a won one gave the money back). */
function isDisputeBlockingRefunds(ctx: SandboxContext, chargeId: string): boolean {
  return Object.values(ctx.store.state.disputes).some((d) => d.object.charge === chargeId && d.object.status !== 'won');
}
