/**
 * Control calls that make "some time later" happen now, so tests drive every refund and dispute
 * case deterministically (programmatic as `sandbox.control`, over HTTP under `/_sandbox/`, see
 * control-routes.ts). Events they cause are automatic ones (`request: { id: null,
 * idempotency_key: null }`), as Stripe's own state changes are. Every call saves the state.
 * Refusals are Stripe-shaped errors (400, or 404 for an unknown id).
 */
import { closeDispute, disputeReasons, openDispute, type DisputeOutcome, type DisputeReason } from './disputes.js';
import { invalidRequest, resourceMissing } from './errors.js';
import { refundFailureReasons, type DisputeObject, type RefundFailureReason, type RefundObject } from './objects.js';
import { failRefund, settleRefund } from './refund-transitions.js';
import { own, type SandboxContext } from './routes.js';
import type { StoredTransition } from './store.js';

export class SandboxControl {
  constructor(private readonly ctx: SandboxContext) {}

  /** A `pending` refund succeeds now (`refund.updated`, `charge.refund.updated`). */
  succeedRefund(refundId: string): RefundObject {
    this.requireRefund(refundId);
    return this.saved(() => settleRefund(this.ctx, refundId));
  }

  /** A pending or succeeded refund fails now (`refund.failed`, …); default reason `expired_or_canceled_card`. */
  failRefund(refundId: string, failureReason: RefundFailureReason = 'expired_or_canceled_card'): RefundObject {
    this.requireRefund(refundId);
    if (!(refundFailureReasons as readonly string[]).includes(failureReason)) {
      throw invalidRequest(`Invalid failure_reason: must be one of ${refundFailureReasons.join(', ')}`, { param: 'failure_reason' });
    }
    return this.saved(() => failRefund(this.ctx, refundId, failureReason));
  }

  /** Opens a dispute now on the PaymentIntent's captured charge (replacing one a dispute card scheduled). */
  disputePaymentIntent(paymentIntentId: string, reason: DisputeReason = 'fraudulent'): DisputeObject {
    const pi = own(this.ctx.store.state.paymentIntents, paymentIntentId)?.object;
    if (!pi) throw resourceMissing('payment_intent', paymentIntentId, 'id');
    if (!(disputeReasons as readonly string[]).includes(reason)) {
      throw invalidRequest(`Invalid reason: must be one of ${disputeReasons.join(', ')}`, { param: 'reason' });
    }
    if (pi.latest_charge === null || pi.status !== 'succeeded') {
      throw invalidRequest(`PaymentIntent ${paymentIntentId} has no captured charge to dispute (status ${pi.status}).`, { param: 'id' });
    }
    const chargeId = pi.latest_charge;
    return this.saved(() => {
      const dispute = openDispute(this.ctx, chargeId, reason);
      this.ctx.lifecycle.cancel(chargeId, 'dispute.open');
      return dispute;
    });
  }

  /** Closes an open dispute now as won or lost (`charge.dispute.closed`, and `funds_reinstated` when won). */
  closeDispute(disputeId: string, outcome: DisputeOutcome): DisputeObject {
    if (!own(this.ctx.store.state.disputes, disputeId)) throw resourceMissing('dispute', disputeId, 'id');
    if (outcome !== 'won' && outcome !== 'lost') throw invalidRequest('Invalid status: must be won or lost', { param: 'status' });
    return this.saved(() => closeDispute(this.ctx, disputeId, outcome));
  }

  /** Scheduled transitions (soonest first), optionally of one object. */
  pending(target?: string): StoredTransition[] {
    return this.ctx.lifecycle.pending(target);
  }

  /** Runs every scheduled transition now; returns what ran. */
  runPending(): StoredTransition[] {
    return this.ctx.lifecycle.runAll();
  }

  private requireRefund(refundId: string): void {
    if (!own(this.ctx.store.state.refunds, refundId)) throw resourceMissing('refund', refundId, 'id');
  }

  private saved<T>(change: () => T): T {
    const result = change();
    this.ctx.store.save();
    return result;
  }
}
