/**
 * <Pay> as Twilio runs it with the Stripe connector, tokenize only (`chargeAmount="0"`,
 * `tokenType="payment-method"`): prompt for each field with the app's <Prompt> chosen by
 * `for`/`errorType`/`attempt`/`cardType` (else Twilio-like default wording), validate the
 * keypad input, re-prompt up to `maxAttempts`, report progress to `statusCallback`, turn the
 * card into a Stripe PaymentMethod through the (sandbox) Stripe API, and build the `action`
 * parameters. Only masked card data ever leaves this module.
 */
import Stripe from 'stripe';
import type { Caller, PayField } from './caller.js';
import {
  checkCardNumber,
  checkExpiry,
  checkPostalCode,
  checkSecurityCode,
  maskCardNumber,
  maskSecurityCode,
} from './card-validation.js';
import type { TranscriptEntry } from './record.js';
import type { AudioVerb, PayVerb, PromptElement } from './twiml-verbs.js';

export const DEFAULT_STRIPE_URL = 'http://127.0.0.1:12111';
export const SIMULATOR_STRIPE_KEY = 'sk_test_simulator';

/** Twilio error codes posted as `PayErrorCode`. */
export const PAY_ERROR_CODES = {
  /** Payment gateway rejected the card. */
  cardRejected: '64012',
  /** Payment gateway rejected token creation. */
  tokenRejected: '64010',
} as const;

/** Default wording when the app gives no matching <Prompt> (close to Twilio's English prompts). */
export const defaultPromptText: Record<PayField, string> = {
  'payment-card-number': 'Please enter your credit card number, followed by the pound key.',
  'expiration-date':
    'Please enter your expiration date, two digits for the month and two digits for the year, followed by the pound key.',
  'security-code': 'Please enter your security code, followed by the pound key.',
  'postal-code': 'Please enter your zip code, followed by the pound key.',
};

export const defaultErrorText: Record<string, string> = {
  timeout: 'Sorry, I did not receive any input.',
  'invalid-card-number': 'Sorry, that card number is not valid.',
  'invalid-card-type': 'Sorry, that card type is not accepted.',
  'invalid-date': 'Sorry, that expiration date is not valid.',
  'invalid-security-code': 'Sorry, that security code is not valid.',
  'invalid-postal-code': 'Sorry, that zip code is not valid.',
};

/** Card details as typed; only ever passed to the tokenizer. */
export interface CardDetails {
  number: string;
  expMonth: number;
  expYear: number;
  cvc?: string;
  postalCode?: string;
}

export type TokenizeResult =
  | { ok: true; paymentMethodId: string }
  | { ok: false; cardError: boolean; message: string; code?: string; declineCode?: string; statusCode?: number };

export type Tokenizer = (card: CardDetails) => Promise<TokenizeResult>;

export interface StripeTokenizerOptions {
  /** Base URL of the Stripe API (the sandbox), default http://127.0.0.1:12111. */
  url?: string;
  apiKey?: string;
  timeoutMs?: number;
}

/** Tokenize with the real `stripe` client: `paymentMethods.create({ type: 'card', card })`. */
export function createStripeTokenizer(options: StripeTokenizerOptions = {}): Tokenizer {
  const u = new URL(options.url ?? DEFAULT_STRIPE_URL);
  const protocol = u.protocol === 'https:' ? 'https' : 'http';
  const stripe = new Stripe(options.apiKey ?? SIMULATOR_STRIPE_KEY, {
    host: u.hostname,
    port: u.port || (protocol === 'https' ? 443 : 80),
    protocol,
    maxNetworkRetries: 1,
    timeout: options.timeoutMs ?? 10_000,
    telemetry: false,
  });
  return async (card) => {
    try {
      const pm = await stripe.paymentMethods.create({
        type: 'card',
        card: {
          number: card.number,
          exp_month: card.expMonth,
          exp_year: card.expYear,
          ...(card.cvc === undefined ? {} : { cvc: card.cvc }),
        },
      });
      return { ok: true, paymentMethodId: pm.id };
    } catch (err) {
      if (err instanceof Stripe.errors.StripeError) {
        return {
          ok: false,
          cardError: err instanceof Stripe.errors.StripeCardError,
          message: err.message,
          ...(err.code ? { code: err.code } : {}),
          ...(err.decline_code ? { declineCode: err.decline_code } : {}),
          ...(err.statusCode ? { statusCode: err.statusCode } : {}),
        };
      }
      return { ok: false, cardError: false, message: (err as Error).message };
    }
  };
}

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

export type PayResultCode =
  | 'success'
  | 'too-many-failed-attempts'
  | 'payment-connector-error'
  | 'caller-interrupted-with-star'
  | 'caller-hung-up';

export type PayOutcome =
  | { kind: 'result'; result: PayResultCode; actionParams: Record<string, string> }
  /** The script did not fit (the session ends with `error`). */
  | { kind: 'script-error'; message: string };

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

/** The callback's name for an error (the <Prompt> says `timeout`, the callback `input-timeout`). */
export function callbackErrorType(errorType: string): string {
  return errorType === 'timeout' ? 'input-timeout' : errorType;
}

export interface ChosenPrompt {
  source: 'prompt' | 'default';
  prompt?: PromptElement;
  /** Default wording spoken (error sentence and/or field prompt) when no <Prompt> fits. */
  defaultText?: string;
}

/**
 * Pick the <Prompt> for a step: same `for`, `cardType` and `attempt` compatible; with an
 * error, one listing that `errorType`; without, one with no `errorType`. The most specific
 * (attempt and cardType given) wins, then document order. With an error and no matching
 * error prompt: Twilio's error sentence, then the field's normal prompt.
 */
export function choosePrompt(
  prompts: readonly PromptElement[],
  field: PayField | 'payment-processing',
  attempt: number,
  errorType: string | undefined,
  cardType: string | undefined,
): ChosenPrompt {
  const candidates = prompts.filter(
    (p) =>
      p.for === field &&
      (!p.cardType || (cardType !== undefined && p.cardType.includes(cardType))) &&
      (!p.attempt || p.attempt.includes(attempt)),
  );
  const best = (list: PromptElement[]) => {
    let chosen: PromptElement | undefined;
    let score = -1;
    for (const p of list) {
      const s = (p.attempt ? 2 : 0) + (p.cardType ? 1 : 0);
      if (s > score) {
        chosen = p;
        score = s;
      }
    }
    return chosen;
  };
  const plain = best(candidates.filter((p) => !p.errorType));
  if (errorType) {
    const forError = best(candidates.filter((p) => p.errorType?.includes(errorType)));
    if (forError) return { source: 'prompt', prompt: forError };
    const sorry = defaultErrorText[errorType] ?? 'Sorry, that entry is not valid.';
    if (plain) return { source: 'prompt', prompt: plain, defaultText: sorry };
    if (field === 'payment-processing') return { source: 'default', defaultText: sorry };
    return { source: 'default', defaultText: `${sorry} ${defaultPromptText[field]}` };
  }
  if (plain) return { source: 'prompt', prompt: plain };
  if (field === 'payment-processing') return { source: 'default' };
  return { source: 'default', defaultText: defaultPromptText[field] };
}

interface Captured {
  number?: string;
  cardType?: string;
  expiry?: string;
  cvc?: string;
  postalCode?: string;
}

function maskedFields(c: Captured, pay: PayVerb): Record<string, string> {
  const out: Record<string, string> = {};
  if (c.number) out.PaymentCardNumber = maskCardNumber(c.number, c.cardType);
  if (c.cardType) out.PaymentCardType = c.cardType;
  if (c.expiry) out.ExpirationDate = c.expiry;
  if (c.cvc) out.SecurityCode = maskSecurityCode(c.cvc);
  const postal = c.postalCode ?? (typeof pay.postalCode === 'string' ? pay.postalCode : undefined);
  if (postal) out.PaymentCardPostalCode = postal;
  return out;
}

/** What the caller typed, safe for the transcript (card number: last four; security code: all masked). */
export function maskKeys(field: PayField, keys: string): string {
  const digits = keys.replace(/[^0-9]/g, '');
  if (field === 'payment-card-number') return `${'x'.repeat(Math.max(0, digits.length - 4))}${digits.slice(-4)}${keys.endsWith('#') ? '#' : ''}`;
  if (field === 'security-code') return `${'x'.repeat(digits.length)}${keys.endsWith('#') ? '#' : ''}`;
  return keys;
}

/** Run one <Pay>. The caller has already agreed to enter a card (`payBegin`). */
export async function emulatePay(pay: PayVerb, env: PayEnvironment, ids: { accountSid: string; callSid: string }): Promise<PayOutcome> {
  const fields: PayField[] = ['payment-card-number', 'expiration-date'];
  if (pay.securityCode) fields.push('security-code');
  if (pay.postalCode === true) fields.push('postal-code');

  const captured: Captured = {};
  const result = (code: PayResultCode, extra: Record<string, string> = {}): PayOutcome => {
    const actionParams: Record<string, string> = {
      Result: code,
      PaymentMethod: 'credit-card',
      ...maskedFields(captured, pay),
      ...extra,
    };
    env.hear({ verb: 'Pay', event: 'result', result: code, ...(extra.PaymentError ? { error: extra.PaymentError } : {}) });
    return { kind: 'result', result: code, actionParams };
  };

  const play = async (chosen: ChosenPrompt, meta: Partial<TranscriptEntry>): Promise<string[]> => {
    const heard: string[] = [];
    const base: Partial<TranscriptEntry> = { within: 'Pay', event: 'prompt', source: chosen.source, ...meta };
    if (chosen.defaultText && chosen.prompt) {
      // An error sentence of Twilio's before the app's normal prompt.
      env.hear({ verb: 'Say', text: chosen.defaultText, language: 'en-US', ...base, source: 'default' });
      heard.push(chosen.defaultText);
    } else if (chosen.defaultText) {
      env.hear({ verb: 'Say', text: chosen.defaultText, language: 'en-US', ...base });
      heard.push(chosen.defaultText);
    }
    for (const audio of chosen.prompt?.children ?? []) {
      heard.push(...(await playAudio(audio, env, base, pay.language)));
    }
    return heard;
  };

  for (const field of fields) {
    let attempt = 1;
    let errorType: string | undefined;
    for (;;) {
      const chosen = choosePrompt(pay.prompts, field, attempt, errorType, captured.cardType);
      const meta: Partial<TranscriptEntry> = { for: field, attempt, ...(errorType ? { errorType } : {}) };
      const heard = await play(chosen, meta);
      await env.postStatus({
        AccountSid: ids.accountSid,
        CallSid: ids.callSid,
        For: field,
        Attempt: String(attempt),
        ...(errorType ? { ErrorType: callbackErrorType(errorType) } : {}),
        ...maskedFields(captured, pay),
      });

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
  await play(processing, { for: 'payment-processing', attempt: 1 });
  await env.postStatus({
    AccountSid: ids.accountSid,
    CallSid: ids.callSid,
    For: 'payment-processing',
    Attempt: '1',
    ...maskedFields(captured, pay),
  });

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
  const connectorError = token.declineCode || token.code || (token.statusCode ? `http_${token.statusCode}` : 'connection_error');
  env.hear({ verb: 'Pay', event: 'tokenize', error: `${connectorError}: ${token.message}` });
  return result('payment-connector-error', {
    PaymentError: token.message,
    PayErrorCode: token.cardError ? PAY_ERROR_CODES.cardRejected : PAY_ERROR_CODES.tokenRejected,
    ConnectorError: connectorError,
  });
}

function validateField(
  field: PayField,
  value: string,
  pay: PayVerb,
  captured: Captured,
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

async function playAudio(
  audio: AudioVerb,
  env: PayEnvironment,
  base: Partial<TranscriptEntry>,
  language: string,
): Promise<string[]> {
  switch (audio.verb) {
    case 'Say':
      env.hear({ ...base, verb: 'Say', text: audio.text, language: audio.language ?? language, ...(audio.voice ? { voice: audio.voice } : {}) });
      return [audio.text];
    case 'Play':
      env.hear({ ...base, verb: 'Play', url: audio.url });
      return [];
    case 'Pause':
      env.hear({ ...base, verb: 'Pause', seconds: audio.length });
      await env.wait(audio.length);
      return [];
  }
}
