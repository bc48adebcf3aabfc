/**
 * What happens to a refund after it is created, as in Stripe's test mode
 * (https://docs.stripe.com/testing#refunds): with most cards it is `succeeded` at once and never
 * changes; with the "asynchronous success" card (4000000000007726, pm_card_pendingRefund) it
 * starts `pending` (`pending_reason: 'processing'`) and later `succeeded`; with the
 * "asynchronous failure" card (4000000000005126, pm_card_refundFail) it starts `succeeded` and
 * later `failed` (`failure_reason: 'expired_or_canceled_card'`), and the amount is no longer
 * refunded on the charge. A dispute opened on a charge fails its pending refunds with
 * `charge_for_pending_refund_disputed`.
 *
 * Events: on create `charge.refunded` (the Charge) and `refund.created`; on settling
 * `refund.updated` and `charge.refund.updated`; on failing those two and `refund.failed`.
 */
import { invalidRequest, resourceMissing } from './errors.js';
import { automaticRequest, type EventRequest } from './event-objects.js';
import { changedAttributes } from './events.js';
import { renderCharge } from './charges.js';
import { newId, type ChargeRecord, type RefundFailureReason, type RefundObject } from './objects.js';
import { own, snapshot, type SandboxContext } from './routes.js';

/** The status a new refund of `charge` starts in, from its card's test behaviour. */
export function initialRefundStatus(ctx: SandboxContext, charge: ChargeRecord): 'pending' | 'succeeded' {
  return own(ctx.store.state.paymentMethods, charge.payment_method)?.aftermath === 'refund_pending' ? 'pending' : 'succeeded';
}

/** Emits the creation events of `refund` and schedules its later change, if its card has one. */
export function refundCreated(ctx: SandboxContext, refund: RefundObject, charge: ChargeRecord, request: EventRequest): void {
  ctx.events.emit('charge.refunded', renderCharge(ctx.store, charge), request);
  ctx.events.emit('refund.created', refund, request);
  const aftermath = own(ctx.store.state.paymentMethods, charge.payment_method)?.aftermath;
  if (refund.status === 'pending') ctx.lifecycle.schedule('refund.succeed', refund.id);
  else if (aftermath === 'refund_fails') ctx.lifecycle.schedule('refund.fail', refund.id, { failure_reason: 'expired_or_canceled_card' });
}

function findRefund(ctx: SandboxContext, id: string): RefundObject {
  const stored = own(ctx.store.state.refunds, id);
  if (!stored) throw resourceMissing('refund', id, 'id');
  return stored.object;
}

function emitUpdated(ctx: SandboxContext, before: RefundObject, refund: RefundObject, request: EventRequest): void {
  const previous = changedAttributes(before, refund);
  ctx.events.emit('refund.updated', refund, request, previous);
  ctx.events.emit('charge.refund.updated', refund, request, previous);
}

/** pending → succeeded. Refused (400) for a refund in any other status. */
export function settleRefund(ctx: SandboxContext, id: string, request: EventRequest = automaticRequest): RefundObject {
  const refund = findRefund(ctx, id);
  if (refund.status !== 'pending') {
    throw invalidRequest(`Refund ${id} has status ${refund.status}; only a pending refund can succeed.`, { param: 'id' });
  }
  const before = snapshot(refund);
  refund.status = 'succeeded';
  delete refund.pending_reason;
  ctx.lifecycle.cancel(id);
  emitUpdated(ctx, before, refund, request);
  return refund;
}

/** pending or succeeded → failed, giving the amount back to the charge. Refused (400) otherwise. */
export function failRefund(
  ctx: SandboxContext,
  id: string,
  reason: RefundFailureReason,
  request: EventRequest = automaticRequest,
): RefundObject {
  const refund = findRefund(ctx, id);
  if (refund.status !== 'pending' && refund.status !== 'succeeded') {
    throw invalidRequest(`Refund ${id} has status ${refund.status}; only a pending or succeeded refund can fail.`, { param: 'id' });
  }
  const before = snapshot(refund);
  refund.status = 'failed';
  refund.failure_reason = reason;
  refund.failure_balance_transaction = newId('txn');
  delete refund.pending_reason;
  const charge = own(ctx.store.state.charges, refund.charge)?.charge;
  if (charge) charge.amount_refunded = Math.max(0, charge.amount_refunded - refund.amount);
  ctx.lifecycle.cancel(id);
  emitUpdated(ctx, before, refund, request);
  ctx.events.emit('refund.failed', refund, request);
  return refund;
}

/** Fails the pending refunds of `chargeId` (a dispute was opened on it). */
export function failPendingRefundsOfDisputedCharge(ctx: SandboxContext, chargeId: string, request: EventRequest): void {
  for (const { object } of Object.values(ctx.store.state.refunds)) {
    if (object.charge === chargeId && object.status === 'pending') failRefund(ctx, object.id, 'charge_for_pending_refund_disputed', request);
  }
}

export function registerRefundTransitions(ctx: SandboxContext): void {
  ctx.lifecycle.register('refund.succeed', (t) => settleRefund(ctx, t.target));
  ctx.lifecycle.register('refund.fail', (t) => failRefund(ctx, t.target, (t.params.failure_reason ?? 'expired_or_canceled_card') as RefundFailureReason));
}
