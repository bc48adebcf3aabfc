/**
 * <Pay> as Twilio runs it with the Stripe connector, tokenize only (`chargeAmount="0"`,
 * `tokenType="payment-method"`), field by field: play each field's prompt (pay-prompts.ts),
 * report progress to `statusCallback`, validate the keypad input, re-prompt up to
 * `maxAttempts`, then play the payment-processing prompt, turn the card into a Stripe
 * PaymentMethod (stripe-tokenizer.ts) and build the `action` parameters (pay-params.ts).
 * Only masked card data ever leaves this module.
 */
import type { Caller, PayField } from './caller.js';
import { checkCardNumber, checkExpiry, checkPostalCode, checkSecurityCode } from './card-validation.js';
import {
  callbackErrorType,
  connectorErrorParams,
  progressParams,
  resultParams,
  type CapturedCard,
  type PayCallIds,
  type PayOutcome,
  type PayResultCode,
} from './pay-params.js';
import { choosePrompt, playPrompt } from './pay-prompts.js';
import type { TranscriptEntry } from './record.js';
import type { Tokenizer } from './stripe-tokenizer.js';
import type { PayVerb } from './twiml-verbs.js';

// What this module held before it was split, re-exported so imports from it keep working
// (the Twilio REST stand-in takes the tokenizer and the error codes from here).
export {
  DEFAULT_STRIPE_URL,
  SIMULATOR_STRIPE_KEY,
  createStripeTokenizer,
  type CardDetails,
  type StripeTokenizerOptions,
  type TokenizeResult,
  type Tokenizer,
} from './stripe-tokenizer.js';
export { choosePrompt, defaultErrorText, defaultPromptText, type ChosenPrompt } from './pay-prompts.js';
export { PAY_ERROR_CODES, callbackErrorType, type PayOutcome, type PayResultCode } from './pay-params.js';

export interface PayEnvironment {
  caller: Caller;
  /** Append to the transcript (and tell the caller). */
  hear(entry: TranscriptEntry): void;
  /** Wait (simulated unless realtime). */
  wait(seconds: number): Promise<void>;
  /** POST (or GET) to the <Pay statusCallback>, if any. Failures are ignored, as Twilio does. */
  postStatus(params: Record<string, string>): Promise<void>;
  tokenize: Tokenizer;
  now(): Date;
}

export class UnsupportedPayError extends Error {
  override name = 'UnsupportedPayError';
}

/** What this emulator can run; anything else is reported, not faked. */
export function checkPaySupported(pay: PayVerb): void {
  if (pay.input !== 'dtmf') throw new UnsupportedPayError(`<Pay input="${pay.input}"> (only dtmf)`);
  if (pay.paymentMethod !== 'credit-card') {
    throw new UnsupportedPayError(`<Pay paymentMethod="${pay.paymentMethod}"> (only credit-card is emulated)`);
  }
  if (pay.chargeAmount !== undefined && pay.chargeAmount.trim() !== '' && Number(pay.chargeAmount) !== 0) {
    throw new UnsupportedPayError(`<Pay chargeAmount="${pay.chargeAmount}"> (only tokenize, chargeAmount="0", is emulated)`);
  }
  if (pay.tokenType !== 'payment-method') {
    throw new UnsupportedPayError(`<Pay tokenType="${pay.tokenType}"> (only payment-method is emulated)`);
  }
}

/** What the caller typed, safe for the transcript (card number: last four; security code: all masked). */
export function maskKeys(field: PayField, keys: string): string {
  const digits = keys.replace(/[^0-9]/g, '');
  if (field === 'payment-card-number') return `${'x'.repeat(Math.max(0, digits.length - 4))}${digits.slice(-4)}${keys.endsWith('#') ? '#' : ''}`;
  if (field === 'security-code') return `${'x'.repeat(digits.length)}${keys.endsWith('#') ? '#' : ''}`;
  return keys;
}

/** Run one <Pay>. The caller has already agreed to enter a card (`payBegin`). */
export async function emulatePay(pay: PayVerb, env: PayEnvironment, ids: PayCallIds): Promise<PayOutcome> {
  const fields: PayField[] = ['payment-card-number', 'expiration-date'];
  if (pay.securityCode) fields.push('security-code');
  if (pay.postalCode === true) fields.push('postal-code');

  const captured: CapturedCard = {};
  const result = (code: PayResultCode, extra: Record<string, string> = {}): PayOutcome => {
    env.hear({ verb: 'Pay', event: 'result', result: code, ...(extra.PaymentError ? { error: extra.PaymentError } : {}) });
    return { kind: 'result', result: code, actionParams: resultParams(code, captured, pay, extra) };
  };

  for (const field of fields) {
    let attempt = 1;
    let errorType: string | undefined;
    for (;;) {
      const chosen = choosePrompt(pay.prompts, field, attempt, errorType, captured.cardType);
      const meta: Partial<TranscriptEntry> = { for: field, attempt, ...(errorType ? { errorType } : {}) };
      const heard = await playPrompt(chosen, meta, env, pay.language);
      await env.postStatus(progressParams(ids, field, attempt, errorType, captured, pay));

      const reply = await env.caller.payField({
        field,
        attempt,
        ...(errorType ? { errorType } : {}),
        ...(captured.cardType ? { cardType: captured.cardType } : {}),
        timeoutSeconds: pay.timeout,
        heard,
      });
      if (reply.kind === 'script-error') return { kind: 'script-error', message: reply.message };
      if (reply.kind === 'hangup') {
        env.hear({ verb: 'Pay', event: 'input', for: field, attempt, input: 'hangup' });
        return result('caller-hung-up');
      }
      let error: string | undefined;
      let reason = '';
      if (reply.kind === 'no-input') {
        await env.wait(pay.timeout);
        env.hear({ verb: 'Pay', event: 'input', for: field, attempt, input: 'no-input', seconds: pay.timeout, errorType: 'timeout' });
        error = 'timeout';
        reason = 'no input';
      } else if (reply.keys.includes('*')) {
        env.hear({ verb: 'Pay', event: 'input', for: field, attempt, input: 'star', keys: maskKeys(field, reply.keys.slice(0, reply.keys.indexOf('*') + 1)) });
        return result('caller-interrupted-with-star');
      } else {
        const hash = reply.keys.indexOf('#');
        const value = hash === -1 ? reply.keys : reply.keys.slice(0, hash);
        if (hash === -1) await env.wait(pay.timeout); // no finish key: <Pay> validates after the timeout
        if (value === '') {
          error = 'timeout';
          reason = 'no digits';
        } else {
          const check = validateField(field, value, pay, captured, env.now());
          if (check.ok) {
            if (field === 'payment-card-number') {
              captured.number = value;
              captured.cardType = check.cardType;
            } else if (field === 'expiration-date') captured.expiry = value;
            else if (field === 'security-code') captured.cvc = value;
            else captured.postalCode = value;
          } else {
            error = check.errorType;
            reason = check.reason;
          }
        }
        env.hear({
          verb: 'Pay',
          event: 'input',
          for: field,
          attempt,
          input: 'keys',
          keys: maskKeys(field, reply.keys),
          ...(error ? { errorType: error, detail: reason } : {}),
        });
      }
      if (!error) break;
      if (attempt >= pay.maxAttempts) {
        return result('too-many-failed-attempts', {
          PaymentError: `${field}: ${callbackErrorType(error)} (${reason}), ${attempt} attempt${attempt === 1 ? '' : 's'}`,
        });
      }
      attempt++;
      errorType = error;
    }
  }

  // payment-processing: the app's prompt (if any) plays while the connector works.
  const processing = choosePrompt(pay.prompts, 'payment-processing', 1, undefined, captured.cardType);
  await playPrompt(processing, { for: 'payment-processing', attempt: 1 }, env, pay.language);
  await env.postStatus(progressParams(ids, 'payment-processing', 1, undefined, captured, pay));

  const expiry = captured.expiry!;
  const token = await env.tokenize({
    number: captured.number!,
    expMonth: Number(expiry.slice(0, 2)),
    expYear: 2000 + Number(expiry.slice(2)),
    ...(captured.cvc === undefined ? {} : { cvc: captured.cvc }),
    ...(captured.postalCode === undefined ? {} : { postalCode: captured.postalCode }),
  });
  if (token.ok) {
    env.hear({ verb: 'Pay', event: 'tokenize', paymentToken: token.paymentMethodId });
    return result('success', { PaymentToken: token.paymentMethodId });
  }
  const failure = connectorErrorParams(token);
  env.hear({ verb: 'Pay', event: 'tokenize', error: `${failure.ConnectorError}: ${token.message}` });
  return result('payment-connector-error', failure);
}

function validateField(
  field: PayField,
  value: string,
  pay: PayVerb,
  captured: CapturedCard,
  now: Date,
): { ok: true; cardType?: string } | { ok: false; errorType: string; reason: string } {
  switch (field) {
    case 'payment-card-number':
      return checkCardNumber(value, pay.validCardTypes);
    case 'expiration-date':
      return checkExpiry(value, now);
    case 'security-code':
      return checkSecurityCode(value, captured.cardType);
    case 'postal-code':
      return checkPostalCode(value, pay.minPostalCodeLength);
  }
}
