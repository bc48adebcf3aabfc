/**
 * POST /stripe/webhook: what Stripe reports after the call (refunds settling or failing,
 * disputes, charges). Thin, like the Twilio routes: verify the `Stripe-Signature` on the raw
 * body with STRIPE_WEBHOOK_SECRET (stripe.webhooks.constructEvent), keep the facts paycall
 * acts on (stripe-events.ts), signal them to the PaymentIntent's workflow
 * (PaymentEventsGateway), answer 200. A missing or bad signature gets 400 and one log line,
 * and nothing reaches Temporal. Types paycall does not act on get 200 (Stripe stops
 * resending) and a debug line. When Temporal cannot take the event, 503: Stripe retries.
 */
import express, { type Request, type Response, type Router } from 'express';
import Stripe from 'stripe';
import type { PaymentEventsGateway } from '../calls/payment-events-gateway.js';
import type { Logger } from '../logging/logger.js';
import { isHandledEventType, paymentEventOf } from './stripe-events.js';

export interface StripeRoutesDeps {
  events: PaymentEventsGateway;
  /** The endpoint's `whsec_…` signing secret (STRIPE_WEBHOOK_SECRET). */
  webhookSecret: string;
  logger: Logger;
}

/** Stripe's events are a few kilobytes; anything much bigger is not Stripe. */
const maxBodySize = '512kb';

export function createStripeRouter(deps: StripeRoutesDeps): Router {
  const router = express.Router();
  const log = deps.logger.child({ component: 'stripe-webhook' });

  // The raw bytes: the signature is over the body exactly as sent, so no JSON parser runs first.
  router.post('/webhook', express.raw({ type: () => true, limit: maxBodySize }), async (req: Request, res: Response) => {
    const signature = req.get('stripe-signature');
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    let event: Stripe.Event;
    try {
      if (!signature) throw new Error('no Stripe-Signature header');
      event = Stripe.webhooks.constructEvent(body, signature, deps.webhookSecret);
    } catch {
      // One line, without the body or header: a forged request learns nothing and changes nothing.
      log.warn({ reason: signature ? 'bad-signature' : 'no-signature' }, `refused a Stripe webhook: ${signature ? 'its signature does not verify' : 'it has no Stripe-Signature header'}`);
      res.status(400).json({ error: 'invalid signature' });
      return;
    }

    const fields = { eventId: event.id, type: event.type };
    if (!isHandledEventType(event.type)) {
      log.debug(fields, 'ignored a Stripe event paycall does not act on');
      res.json({ received: true, ignored: true });
      return;
    }
    const paymentEvent = paymentEventOf(event);
    if (!paymentEvent) {
      log.debug(fields, 'ignored a Stripe event that names no PaymentIntent');
      res.json({ received: true, ignored: true });
      return;
    }
    try {
      const workflowId = await deps.events.deliver(paymentEvent);
      log.info({ ...fields, paymentIntentId: paymentEvent.paymentIntentId, workflowId }, 'Stripe event delivered');
      res.json({ received: true });
    } catch (err) {
      log.error({ ...fields, paymentIntentId: paymentEvent.paymentIntentId, error: (err as Error).message }, 'could not deliver a Stripe event to Temporal; Stripe will retry');
      res.status(503).json({ error: 'temporarily unavailable' });
    }
  });
  return router;
}
