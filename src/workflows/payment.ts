/**
 * The one charge path of a call, whoever captured the card (the caller at `<Pay>`, or an
 * operator on the live call): charge the PaymentMethod once per capture attempt with a key
 * made from business facts, then mark the order paid (or refund it when that fails for
 * good), then the SMS receipt. Each step is written to the step log.
 */
import { log } from '@temporalio/workflow';
import type { CardDeclinedDetails, ChargeCardResult } from '../activities/types.js';
import type { CallFailure, CallInput } from '../contract/call.js';
import type { Order } from '../orders/order-book.js';
import { cardDeclineOf, failureCodeOf, messageOf } from './activity-failures.js';
import type { CallActivitySet } from './call-activities.js';
import type { CallProgress } from './call-progress.js';
import { compensate } from './compensation.js';
import type { StepFacts } from './step-log.js';

/** What is being paid: an order from the order book, or an amount an operator entered (no order to mark). */
export interface ChargeTarget {
  order?: Order;
  amount: number;
  currency: string;
  description: string;
}

export type ChargeResult =
  | { kind: 'succeeded'; paymentIntentId: string; card?: { brand?: string; last4?: string } }
  | { kind: 'declined'; decline: CardDeclinedDetails; failure: CallFailure; paymentIntentId?: string }
  | { kind: 'failed'; failure: CallFailure };

export type SettleResult =
  | { kind: 'settled' }
  /** The order could not be marked paid; the charge went back (or, `refundFailure`, could not). */
  | { kind: 'compensated'; failure: CallFailure; refundFailure?: CallFailure };

export function targetOf(order: Order): ChargeTarget {
  return { order, amount: order.amount, currency: order.currency, description: order.description };
}

export class Payments {
  private code: string | undefined;
  /** A PaymentIntent a declined card left: the next card of the same amount confirms it again. */
  private openIntent: { id: string; amount: number; currency: string } | undefined;

  constructor(
    private readonly input: CallInput,
    private readonly progress: CallProgress,
    /** Stripe's transient failures are retried with the same idempotency key, declines never. */
    readonly activities: CallActivitySet,
  ) {}

  /** Chosen once, before the first charge, so every Stripe retry carries the same metadata. */
  get confirmationCode(): string {
    this.code ??= String(Math.floor(100000 + Math.random() * 900000));
    return this.code;
  }

  /** The PaymentIntent a decline left, if the next charge would reuse it. */
  get declinedIntentId(): string | undefined {
    return this.openIntent?.id;
  }

  async charge(target: ChargeTarget, paymentMethodId: string, captureAttempt: number, card: StepFacts['card'], facts: StepFacts = {}): Promise<ChargeResult> {
    const previous = this.openIntent && this.openIntent.amount === target.amount && this.openIntent.currency === target.currency ? this.openIntent.id : undefined;
    this.progress.enter('charge');
    const idempotencyKey = `call-${this.input.callSid}/charge/${captureAttempt}`;
    const entry = this.progress.begin(
      'charge',
      { activity: 'chargeCard', amount: target.amount, currency: target.currency, idempotencyKey, paymentMethodId, card, ...(previous ? { paymentIntentId: previous } : {}), ...facts },
      captureAttempt,
    );
    try {
      const result: ChargeCardResult = await this.activities.chargeCard({
        callSid: this.input.callSid,
        orderId: target.order?.orderId ?? '',
        amount: target.amount,
        currency: target.currency,
        description: target.description,
        paymentMethodId,
        captureAttempt,
        confirmationCode: this.confirmationCode,
        idempotencyKey,
        ...(previous ? { paymentIntentId: previous } : {}),
      });
      this.progress.state.paymentIntentId = result.paymentIntentId;
      this.openIntent = undefined;
      const charged = { ...card, ...(result.cardBrand ? { brand: result.cardBrand } : {}), ...(result.cardLast4 ? { last4: result.cardLast4 } : {}) };
      entry.ok({ paymentIntentId: result.paymentIntentId, card: charged });
      return { kind: 'succeeded', paymentIntentId: result.paymentIntentId, card: charged };
    } catch (err) {
      const decline = cardDeclineOf(err);
      if (!decline) return { kind: 'failed', failure: this.progress.fail(entry, { errorType: failureCodeOf(err), code: failureCodeOf(err), message: messageOf(err) }) };
      const paymentIntentId = decline.paymentIntentId ?? previous;
      if (paymentIntentId) {
        this.openIntent = { id: paymentIntentId, amount: target.amount, currency: target.currency };
        this.progress.state.paymentIntentId = paymentIntentId;
      }
      const failure = this.progress.fail(
        entry,
        { errorType: 'CardDeclined', code: decline.code, ...(decline.declineCode ? { declineCode: decline.declineCode } : {}), message: decline.message },
        paymentIntentId ? { paymentIntentId } : {},
      );
      return { kind: 'declined', decline, failure, ...(paymentIntentId ? { paymentIntentId } : {}) };
    }
  }

  /** After a good charge: mark the order paid (or refund when it cannot be), then the receipt. */
  async settle(target: ChargeTarget, paymentIntentId: string): Promise<SettleResult> {
    const order = target.order;
    if (order) {
      this.progress.enter('mark-paid');
      const markPaid = this.progress.begin('mark-paid', { activity: 'markOrderPaid', order: { orderId: order.orderId, amount: order.amount, currency: order.currency, description: order.description }, paymentIntentId });
      try {
        await this.activities.markOrderPaid({ orderId: order.orderId, paymentIntentId });
        markPaid.ok();
      } catch (err) {
        const failure = this.progress.fail(markPaid, { errorType: failureCodeOf(err), code: failureCodeOf(err), message: messageOf(err) });
        this.progress.enter('refund');
        const refundFailure = await compensate({ callSid: this.input.callSid, order, paymentIntentId, cause: failure.code, progress: this.progress });
        return { kind: 'compensated', failure, ...(refundFailure ? { refundFailure } : {}) };
      }
    }
    if (this.input.receiptTo) {
      this.progress.enter('receipt');
      const receipt = this.progress.begin('receipt', { activity: 'sendReceipt' });
      try {
        const sent = await this.activities.sendReceipt({
          callSid: this.input.callSid,
          to: this.input.receiptTo,
          locale: this.input.locale,
          orderId: order?.orderId ?? '',
          amount: target.amount,
          currency: target.currency,
          confirmationCode: this.confirmationCode,
        });
        if (sent.sent) receipt.ok(sent.messageSid ? { messageSid: sent.messageSid } : {});
        else receipt.info('not-sent', { message: sent.skippedBecause ?? 'skipped' });
      } catch (err) {
        // A lost receipt must not undo a good payment; it stays visible to operators.
        this.progress.fail(receipt, { errorType: failureCodeOf(err), code: failureCodeOf(err), message: messageOf(err) });
        log.warn('Receipt not sent', { error: messageOf(err) });
      }
    }
    return { kind: 'settled' };
  }
}
