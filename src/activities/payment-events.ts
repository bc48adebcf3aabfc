/**
 * Activities of the per-PaymentIntent payment events workflow that reach Stripe or the log:
 * reading paycall's metadata on a PaymentIntent (a dispute event names only the PaymentIntent,
 * not the call) and writing the structured alert line operators alert on. Each alert is
 * logged once per change Stripe reported: the workflow applies each event once.
 */
import Stripe from 'stripe';
import { callWorkflowId } from '../contract/call.js';
import type { PaymentAlert } from '../contract/payment-events.js';
import type { Logger } from '../logging/logger.js';
import { toActivityFailure } from './payments.js';
import type { PaymentEventActivities } from './types.js';

export interface PaymentEventActivityDeps {
  stripe: Stripe;
  /** Where alert lines go (JSON, `alert` names the kind; a metrics counter per kind belongs beside it). */
  logger: Logger;
}

export function createPaymentEventActivities({ stripe, logger }: PaymentEventActivityDeps): Omit<PaymentEventActivities, 'readCallRecord'> {
  async function lookupPaymentIntent(paymentIntentId: string): Promise<{ callWorkflowId?: string; orderId?: string } | null> {
    try {
      const intent = await stripe.paymentIntents.retrieve(paymentIntentId);
      const callSid = intent.metadata?.call_sid;
      const orderId = intent.metadata?.order_id;
      return { ...(callSid ? { callWorkflowId: callWorkflowId(callSid) } : {}), ...(orderId ? { orderId } : {}) };
    } catch (err) {
      if (err instanceof Stripe.errors.StripeInvalidRequestError && err.code === 'resource_missing') return null;
      throw toActivityFailure(err);
    }
  }

  async function reportPaymentAlert(alert: PaymentAlert): Promise<void> {
    const { level, message, ...fields } = alert;
    logger[level](fields, message);
  }

  return { lookupPaymentIntent, reportPaymentAlert };
}
