/**
 * Charge objects, in Stripe's shape, for `charge.*` events (the sandbox has no /v1/charges
 * routes). Built from the internal charge record, its PaymentIntent (description, metadata,
 * the captured amount) and its PaymentMethod (card brand/last4/expiry only). As in API versions
 * since 2022-11-15, the `refunds` list is not included.
 */
import type { ChargeRecord } from './objects.js';
import { own } from './routes.js';
import type { Store } from './store.js';

/** Messages Stripe gives with the failure codes the sandbox produces. */
const failureMessages: Record<string, string> = {
  card_declined: 'Your card was declined.',
  expired_card: 'Your card has expired.',
  incorrect_cvc: "Your card's security code is incorrect.",
  processing_error: 'An error occurred while processing your card. Try again in a little bit.',
  authentication_required: 'Your card was declined. This transaction requires authentication.',
};

export function failureMessageOf(code: string | null): string | null {
  if (code === null) return null;
  return failureMessages[code] ?? 'Your card was declined.';
}

export function renderCharge(store: Store, charge: ChargeRecord): Record<string, unknown> {
  const pi = own(store.state.paymentIntents, charge.payment_intent)?.object;
  const pm = own(store.state.paymentMethods, charge.payment_method)?.object;
  const succeeded = charge.status === 'succeeded';
  const amountCaptured = succeeded && charge.captured ? (pi && pi.amount_received > 0 ? pi.amount_received : charge.amount) : 0;
  return {
    id: charge.id,
    object: 'charge',
    amount: charge.amount,
    amount_captured: amountCaptured,
    amount_refunded: charge.amount_refunded,
    application: null,
    application_fee: null,
    application_fee_amount: null,
    balance_transaction: null,
    billing_details: pm?.billing_details ?? {
      address: { city: null, country: null, line1: null, line2: null, postal_code: null, state: null },
      email: null,
      name: null,
      phone: null,
    },
    calculated_statement_descriptor: null,
    captured: charge.captured,
    created: charge.created,
    currency: charge.currency,
    customer: null,
    description: pi?.description ?? null,
    disputed: charge.disputed === true,
    failure_balance_transaction: null,
    failure_code: charge.failure_code,
    failure_message: charge.failure_message ?? failureMessageOf(charge.failure_code),
    fraud_details: {},
    livemode: false,
    metadata: pi?.metadata ?? {},
    on_behalf_of: null,
    outcome: succeeded
      ? { network_status: 'approved_by_network', reason: null, risk_level: 'normal', seller_message: 'Payment complete.', type: 'authorized' }
      : { network_status: 'declined_by_network', reason: null, risk_level: 'normal', seller_message: 'The bank did not return any further details with this decline.', type: 'issuer_declined' },
    paid: succeeded,
    payment_intent: charge.payment_intent,
    payment_method: charge.payment_method,
    payment_method_details: pm
      ? {
          card: {
            brand: pm.card.brand,
            country: pm.card.country,
            exp_month: pm.card.exp_month,
            exp_year: pm.card.exp_year,
            fingerprint: pm.card.fingerprint,
            funding: pm.card.funding,
            last4: pm.card.last4,
            network: pm.card.brand,
          },
          type: 'card',
        }
      : null,
    receipt_email: null,
    receipt_number: null,
    receipt_url: null,
    refunded: charge.amount_refunded >= charge.amount && charge.amount > 0,
    review: null,
    shipping: null,
    source: null,
    source_transfer: null,
    statement_descriptor: null,
    statement_descriptor_suffix: null,
    status: charge.status,
    transfer_data: null,
    transfer_group: null,
  };
}
