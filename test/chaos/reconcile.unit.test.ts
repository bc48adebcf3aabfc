/** The money lines: each kind of disagreement between Stripe, the order book and what callers heard. */
import type Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import type { OrderRow } from '../helpers/postgres-orders.js';
import { reconcile } from './reconcile.js';

const intent = (id: string, orderId: string, status: Stripe.PaymentIntent.Status = 'succeeded') => ({ id, status, metadata: { order_id: orderId } }) as unknown as Stripe.PaymentIntent;
const refund = (paymentIntent: string, status = 'succeeded') => ({ id: `re_${paymentIntent}`, payment_intent: paymentIntent, status }) as unknown as Stripe.Refund;
const order = (orderId: string, paymentIntentId: string | null): OrderRow => ({ orderId, amount: 100, currency: 'usd', status: paymentIntentId ? 'paid' : 'unpaid', paymentIntentId });

describe('reconcile', () => {
  it('is clean when every kept charge is its order’s recorded payment, and refunded ones are not', () => {
    const lines = reconcile(
      { intents: [intent('pi_1', '1'), intent('pi_2', '2'), intent('pi_2b', '2'), intent('pi_3', '3', 'requires_payment_method')], refunds: [refund('pi_2b')] },
      [order('1', 'pi_1'), order('2', 'pi_2'), order('3', null)],
      [{ callSid: 'CA1', orderId: '1', paidWith: 'pi_1', heardConfirmation: true }],
    );
    expect([lines.doubleCharges, lines.paidButUnrecorded, lines.recordedButUnpaid, lines.toldPaidButNotPaid]).toEqual([[], [], [], []]);
    expect(lines.counts).toEqual({ paymentIntents: 4, succeeded: 3, refunded: 1, ordersPaid: 2 });
  });

  it('names a double charge, a charge nobody recorded, a record without a charge, and a confirmation without a payment', () => {
    const lines = reconcile(
      { intents: [intent('pi_1', '1'), intent('pi_1b', '1'), intent('pi_4', '4'), intent('pi_5', '5')], refunds: [refund('pi_5'), refund('pi_1b', 'failed')] },
      [order('1', 'pi_1'), order('4', null), order('5', 'pi_5'), order('6', 'pi_missing')],
      [{ callSid: 'CA6', orderId: '6', paidWith: 'pi_missing', heardConfirmation: true }],
    );
    expect(lines.doubleCharges).toEqual([{ orderId: '1', paymentIntents: ['pi_1', 'pi_1b'], detail: '2 succeeded, unrefunded PaymentIntents' }]);
    expect(lines.paidButUnrecorded.map((p) => [p.orderId, p.paymentIntents[0], p.detail])).toEqual([
      ['1', 'pi_1b', 'order is marked paid with pi_1'],
      ['4', 'pi_4', 'order is unpaid'],
    ]);
    expect(lines.recordedButUnpaid.map((p) => [p.orderId, p.detail])).toEqual([
      ['5', 'PaymentIntent was refunded'],
      ['6', 'Stripe has no such PaymentIntent'],
    ]);
    expect(lines.toldPaidButNotPaid.map((p) => p.orderId)).toEqual(['6']);
  });
});
