/**
 * Agent-assisted payments through Twilio's REST API on the live call: a Payment session
 * (tokenize only: a Stripe PaymentMethod, never a card number), capture of one field at a
 * time, complete or cancel; and a redirect that ends the call with a last word. Every write
 * carries the idempotency key the workflow made; Twilio's refusals (4xx) are final, its
 * outages and the network's are retried by Temporal.
 */
import { ApplicationFailure } from '@temporalio/activity';
import type { Twilio } from 'twilio';
import type { Locale } from '../contract/instructions.js';
import type { AgentCaptureField } from '../contract/operator.js';
import { renderGoodbye } from '../twiml/render.js';
import { failureTypes } from './types.js';

export interface LiveCallDeps {
  twilio?: Twilio;
  /** PUBLIC_BASE_URL: Twilio's status callbacks come back to `/twilio/payment-status` there. */
  publicBaseUrl: string;
  paymentConnector: string;
}

export interface PaymentSessionInput {
  callSid: string;
  idempotencyKey: string;
  currency: string;
  description: string;
  validCardTypes: string[];
}

export interface PaymentSessionStep {
  callSid: string;
  sessionSid: string;
  idempotencyKey: string;
}

export function createLiveCallActivities(deps: LiveCallDeps) {
  const statusCallback = `${deps.publicBaseUrl}/twilio/payment-status`;
  const client = (): Twilio => {
    if (!deps.twilio) throw ApplicationFailure.create({ type: failureTypes.twilioRejected, nonRetryable: true, message: 'Twilio is not configured (TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN)' });
    return deps.twilio;
  };

  async function createPaymentSession(input: PaymentSessionInput): Promise<{ sessionSid: string }> {
    const session = await twilioCall(() =>
      client()
        .calls(input.callSid)
        .payments.create({
          idempotencyKey: input.idempotencyKey,
          statusCallback,
          paymentConnector: deps.paymentConnector,
          tokenType: 'payment-method',
          chargeAmount: 0,
          currency: input.currency,
          description: input.description,
          validCardTypes: input.validCardTypes.join(' '),
          securityCode: true,
          postalCode: false,
        }),
    );
    return { sessionSid: session.sid };
  }

  async function capturePaymentField(input: PaymentSessionStep & { field: AgentCaptureField }): Promise<void> {
    await twilioCall(() => client().calls(input.callSid).payments(input.sessionSid).update({ idempotencyKey: input.idempotencyKey, statusCallback, capture: input.field }));
  }

  async function finishPaymentSession(input: PaymentSessionStep & { status: 'complete' | 'cancel' }): Promise<void> {
    await twilioCall(() => client().calls(input.callSid).payments(input.sessionSid).update({ idempotencyKey: input.idempotencyKey, statusCallback, status: input.status }));
  }

  /** The caller leaves the operator (the `<Dial>`), hears `text`, and the call ends. */
  async function endLiveCall(input: { callSid: string; text: string; locale: Locale }): Promise<void> {
    await twilioCall(() => client().calls(input.callSid).update({ twiml: renderGoodbye(input.text, input.locale) }));
  }

  return { createPaymentSession, capturePaymentField, finishPaymentSession, endLiveCall };
}

/** Twilio's 4xx (a refused request: the call is over, a bad parameter) is final; anything else is retried. */
async function twilioCall<T>(request: () => Promise<T>): Promise<T> {
  try {
    return await request();
  } catch (err) {
    const status = (err as { status?: number }).status;
    if (status !== undefined && status >= 400 && status < 500 && status !== 429) {
      const code = (err as { code?: number }).code;
      throw ApplicationFailure.create({
        type: failureTypes.twilioRejected,
        nonRetryable: true,
        message: `Twilio refused the request (${status}${code ? `, ${code}` : ''}): ${(err as Error).message}`,
        details: [{ status, code }],
      });
    }
    throw err;
  }
}
