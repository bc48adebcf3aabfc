/**
 * The money check after a run: what Stripe holds (every PaymentIntent and refund, read
 * through the real `stripe` client), what the order book says (every row), and what each
 * call's workflow decided, held against each other.
 *
 * - double charge: an order with more than one succeeded, unrefunded PaymentIntent;
 * - paid but unrecorded: a succeeded, unrefunded PaymentIntent whose order is not marked
 *   paid with it;
 * - recorded but unpaid: an order marked paid whose PaymentIntent did not succeed, or was
 *   refunded;
 * - told paid but not paid: a caller heard a confirmation for a payment that Stripe or the
 *   order book does not have.
 * A refund counts when it is pending or succeeded (a failed one gives the money back).
 */
import type Stripe from 'stripe';
import type { OrderRow } from '../helpers/postgres-orders.js';

export interface StripeLedger {
  intents: Stripe.PaymentIntent[];
  refunds: Stripe.Refund[];
}

export async function readStripeLedger(stripe: Stripe): Promise<StripeLedger> {
  const intents: Stripe.PaymentIntent[] = [];
  for await (const intent of stripe.paymentIntents.list({ limit: 100 })) intents.push(intent);
  const refunds: Stripe.Refund[] = [];
  for await (const refund of stripe.refunds.list({ limit: 100 })) refunds.push(refund);
  return { intents, refunds };
}

/** A call as the run saw it: which order it was about, what its workflow returned, what the caller heard. */
export interface CallFacts {
  callSid: string;
  /** From the workflow's result, when it finished as paid. */
  paidWith?: string;
  orderId?: string;
  heardConfirmation: boolean;
}

export interface MoneyProblem {
  orderId: string;
  paymentIntents: string[];
  detail: string;
}

export interface MoneyLines {
  doubleCharges: MoneyProblem[];
  paidButUnrecorded: MoneyProblem[];
  recordedButUnpaid: MoneyProblem[];
  toldPaidButNotPaid: MoneyProblem[];
  /** For the report: how much there was to reconcile. */
  counts: { paymentIntents: number; succeeded: number; refunded: number; ordersPaid: number };
}

export function reconcile(ledger: StripeLedger, orders: readonly OrderRow[], calls: readonly CallFacts[]): MoneyLines {
  const refundedIntents = new Set(
    ledger.refunds.filter((r) => r.status === 'succeeded' || r.status === 'pending').map((r) => (typeof r.payment_intent === 'string' ? r.payment_intent : r.payment_intent?.id)),
  );
  const intentsById = new Map(ledger.intents.map((i) => [i.id, i]));
  const kept = ledger.intents.filter((i) => i.status === 'succeeded' && !refundedIntents.has(i.id));
  const ordersById = new Map(orders.map((o) => [o.orderId, o]));

  const keptByOrder = new Map<string, Stripe.PaymentIntent[]>();
  for (const intent of kept) {
    const orderId = intent.metadata.order_id ?? '(no order_id)';
    keptByOrder.set(orderId, [...(keptByOrder.get(orderId) ?? []), intent]);
  }

  const doubleCharges: MoneyProblem[] = [];
  for (const [orderId, intents] of keptByOrder) {
    if (intents.length > 1) doubleCharges.push({ orderId, paymentIntents: intents.map((i) => i.id), detail: `${intents.length} succeeded, unrefunded PaymentIntents` });
  }

  const paidButUnrecorded: MoneyProblem[] = [];
  for (const intent of kept) {
    const orderId = intent.metadata.order_id ?? '(no order_id)';
    const order = ordersById.get(orderId);
    if (order?.status === 'paid' && order.paymentIntentId === intent.id) continue;
    paidButUnrecorded.push({
      orderId,
      paymentIntents: [intent.id],
      detail: !order ? 'no such order' : order.status === 'paid' ? `order is marked paid with ${order.paymentIntentId}` : 'order is unpaid',
    });
  }

  const recordedButUnpaid: MoneyProblem[] = [];
  for (const order of orders) {
    if (order.status !== 'paid') continue;
    const intent = order.paymentIntentId ? intentsById.get(order.paymentIntentId) : undefined;
    if (intent && intent.status === 'succeeded' && !refundedIntents.has(intent.id)) continue;
    recordedButUnpaid.push({
      orderId: order.orderId,
      paymentIntents: order.paymentIntentId ? [order.paymentIntentId] : [],
      detail: !intent ? 'Stripe has no such PaymentIntent' : intent.status !== 'succeeded' ? `PaymentIntent is ${intent.status}` : 'PaymentIntent was refunded',
    });
  }

  const toldPaidButNotPaid: MoneyProblem[] = [];
  for (const call of calls) {
    if (!call.heardConfirmation) continue;
    const intent = call.paidWith ? intentsById.get(call.paidWith) : undefined;
    const order = call.orderId ? ordersById.get(call.orderId) : undefined;
    const ok = intent?.status === 'succeeded' && !refundedIntents.has(intent.id) && order?.status === 'paid' && order.paymentIntentId === intent.id;
    if (!ok) toldPaidButNotPaid.push({ orderId: call.orderId ?? '(none)', paymentIntents: call.paidWith ? [call.paidWith] : [], detail: `call ${call.callSid} heard a confirmation` });
  }

  return {
    doubleCharges,
    paidButUnrecorded,
    recordedButUnpaid,
    toldPaidButNotPaid,
    counts: {
      paymentIntents: ledger.intents.length,
      succeeded: ledger.intents.filter((i) => i.status === 'succeeded').length,
      refunded: ledger.intents.filter((i) => refundedIntents.has(i.id)).length,
      ordersPaid: orders.filter((o) => o.status === 'paid').length,
    },
  };
}
