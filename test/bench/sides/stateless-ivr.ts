/**
 * Reference A, the stateless baseline IVR: paycall's dialogue (same prompts, the same signed
 * webhooks, TwiML from twilio's VoiceResponse, the same `stripe` client charging the same
 * Stripe sandbox with a PaymentIntent created and confirmed under an idempotency key), with
 * the call's state in a Map and no durability at all. What a call costs without Temporal.
 */
import type { Router } from 'express';
import type Stripe from 'stripe';
import { localeForNumber } from '../../../src/config/config.js';
import type { Turn } from '../../../src/contract/instructions.js';
import { catalogFor } from '../../../src/i18n/catalog.js';
import { gatherParams, payParams, payStatusParams, statusParams, turnQuery, voiceParams } from '../../../src/webhooks/params.js';
import { renderGoodbye, renderTurn } from '../../../src/twiml/render.js';
import { advance, newConfirmationCode, newDialogue, orderDigits, type DialogueState, type DialogueStep } from './dialogue.js';
import { sendTwiml, type OrderEntry } from './reference-server.js';

export interface StatelessIvrDeps {
  stripe: Stripe;
  orders: Map<string, OrderEntry>;
  publicBaseUrl: string;
  paymentConnector: string;
}

interface LiveCall {
  dialogue: DialogueState;
  /** The last turn sent: a retried or late webhook gets it again. */
  last: Turn;
  payProgress?: string;
}

const localeConfig = { LOCALE: 'en-US', LOCALE_BY_NUMBER: { '+81': 'ja-JP' } } as const;

export function mountStatelessIvr(router: Router, deps: StatelessIvrDeps): void {
  const calls = new Map<string, LiveCall>();
  const renderOptions = { publicBaseUrl: deps.publicBaseUrl, paymentConnector: deps.paymentConnector };

  router.post('/voice', (req, res) => {
    const params = voiceParams.safeParse(req.body);
    if (!params.success) return void res.status(400).send('Bad request');
    let call = calls.get(params.data.CallSid);
    if (!call) {
      const dialogue = newDialogue(localeForNumber(localeConfig, params.data.To));
      call = { dialogue, last: advance(dialogue, { kind: 'start' }) };
      calls.set(params.data.CallSid, call);
    }
    sendTwiml(res, renderTurn(call.last, renderOptions));
  });

  router.post('/gather', (req, res) => {
    const params = gatherParams.safeParse(req.body);
    const query = turnQuery.safeParse(req.query);
    if (!params.success || !query.success) return void res.status(400).send('Bad request');
    const call = calls.get(params.data.CallSid);
    if (!call) return void sendTwiml(res, renderGoodbye(catalogFor('en-US').goodbye, 'en-US'));
    if (query.data.turn === call.last.turn) {
      const digits = params.data.Digits;
      const step: DialogueStep =
        call.dialogue.stage === 'order-entry'
          ? { kind: 'order-entered', digits: orderDigits(digits), order: unpaidOrder(deps.orders, orderDigits(digits)) }
          : { kind: 'menu-choice', digits };
      call.last = advance(call.dialogue, step);
    }
    sendTwiml(res, renderTurn(call.last, renderOptions));
  });

  router.post('/pay', async (req, res) => {
    const params = payParams.safeParse(req.body);
    const query = turnQuery.safeParse(req.query);
    if (!params.success || !query.success) return void res.status(400).send('Bad request');
    const sid = params.data.CallSid;
    const call = calls.get(sid);
    if (!call) return void sendTwiml(res, renderGoodbye(catalogFor('en-US').goodbye, 'en-US'));
    if (query.data.turn === call.last.turn && call.dialogue.stage === 'card-capture') {
      const token = params.data.Result === 'success' ? params.data.PaymentToken : undefined;
      const step = token ? await charge(deps, sid, call.dialogue, token) : ({ kind: 'capture-failed' } as const);
      if (step === 'unavailable') {
        sendTwiml(res, renderGoodbye(catalogFor(call.dialogue.locale).chargeUnavailable, call.dialogue.locale));
        return;
      }
      call.last = advance(call.dialogue, step);
    }
    sendTwiml(res, renderTurn(call.last, renderOptions));
  });

  router.post('/pay-status', (req, res) => {
    const params = payStatusParams.safeParse(req.body);
    if (!params.success) return void res.status(400).send('Bad request');
    const call = calls.get(params.data.CallSid);
    if (call) call.payProgress = params.data.For;
    res.status(204).end();
  });

  router.post('/status', (req, res) => {
    const params = statusParams.safeParse(req.body);
    if (!params.success) return void res.status(400).send('Bad request');
    calls.delete(params.data.CallSid);
    res.status(204).end();
  });
}

function unpaidOrder(orders: Map<string, OrderEntry>, orderId: string): OrderEntry | undefined {
  const order = orders.get(orderId);
  return order?.status === 'unpaid' ? order : undefined;
}

/** Create+confirm, as paycall's chargeCard activity does; a card error is a decline. */
async function charge(deps: StatelessIvrDeps, callSid: string, dialogue: DialogueState, paymentMethodId: string): Promise<DialogueStep | 'unavailable'> {
  const order = dialogue.order!;
  const confirmationCode = newConfirmationCode();
  try {
    const intent = await deps.stripe.paymentIntents.create(
      {
        amount: order.amount,
        currency: order.currency,
        confirm: true,
        description: order.description,
        metadata: { call_sid: callSid, order_id: order.orderId, capture_attempt: String(dialogue.captureAttempts), confirmation_code: confirmationCode },
        automatic_payment_methods: { enabled: true, allow_redirects: 'never' },
        payment_method: paymentMethodId,
        error_on_requires_action: true,
        expand: ['payment_method'],
      },
      { idempotencyKey: `call-${callSid}/charge/${dialogue.captureAttempts}` },
    );
    if (intent.status !== 'succeeded') return { kind: 'charge-declined' };
    const entry = deps.orders.get(order.orderId);
    if (entry) entry.status = 'paid';
    return { kind: 'charged', confirmationCode };
  } catch (err) {
    if ((err as { type?: string }).type === 'StripeCardError') return { kind: 'charge-declined' };
    return 'unavailable';
  }
}
