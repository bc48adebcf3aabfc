/**
 * What <Pay> tells the app: the statusCallback's progress parameters at each prompt, and the
 * action's `Result` parameters when it ends (Twilio's `PayErrorCode`s and the connector's
 * error for a failed tokenization). Card data appears only masked, as Twilio masks it.
 */
import type { PayField } from './caller.js';
import { maskCardNumber, maskSecurityCode } from './card-validation.js';
import type { TokenizeResult } from './stripe-tokenizer.js';
import type { PayVerb } from './twiml-verbs.js';

/** Twilio error codes posted as `PayErrorCode`. */
export const PAY_ERROR_CODES = {
  /** Payment gateway rejected the card. */
  cardRejected: '64012',
  /** Payment gateway rejected token creation. */
  tokenRejected: '64010',
} as const;

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

/** The call the <Pay> runs in, as its callbacks name it. */
export interface PayCallIds {
  accountSid: string;
  callSid: string;
}

/** The fields entered and accepted so far (plain: masked before anything is posted). */
export interface CapturedCard {
  number?: string;
  cardType?: string;
  expiry?: string;
  cvc?: string;
  postalCode?: string;
}

/** The callback's name for an error (the <Prompt> says `timeout`, the callback `input-timeout`). */
export function callbackErrorType(errorType: string): string {
  return errorType === 'timeout' ? 'input-timeout' : errorType;
}

function maskedFields(c: CapturedCard, pay: PayVerb): Record<string, string> {
  const out: Record<string, string> = {};
  if (c.number) out.PaymentCardNumber = maskCardNumber(c.number, c.cardType);
  if (c.cardType) out.PaymentCardType = c.cardType;
  if (c.expiry) out.ExpirationDate = c.expiry;
  if (c.cvc) out.SecurityCode = maskSecurityCode(c.cvc);
  const postal = c.postalCode ?? (typeof pay.postalCode === 'string' ? pay.postalCode : undefined);
  if (postal) out.PaymentCardPostalCode = postal;
  return out;
}

/** The statusCallback parameters as a prompt plays: which field, which attempt, why again, what is captured. */
export function progressParams(
  ids: PayCallIds,
  field: PayField | 'payment-processing',
  attempt: number,
  errorType: string | undefined,
  captured: CapturedCard,
  pay: PayVerb,
): Record<string, string> {
  return {
    AccountSid: ids.accountSid,
    CallSid: ids.callSid,
    For: field,
    Attempt: String(attempt),
    ...(errorType ? { ErrorType: callbackErrorType(errorType) } : {}),
    ...maskedFields(captured, pay),
  };
}

/** The action's own parameters for a result (the session adds the standard voice parameters). */
export function resultParams(
  code: PayResultCode,
  captured: CapturedCard,
  pay: PayVerb,
  extra: Record<string, string> = {},
): Record<string, string> {
  return { Result: code, PaymentMethod: 'credit-card', ...maskedFields(captured, pay), ...extra };
}

/** A failed tokenization as the connector reports it: Stripe's message, Twilio's code, the decline code (or code). */
export function connectorErrorParams(token: Extract<TokenizeResult, { ok: false }>): {
  PaymentError: string;
  PayErrorCode: string;
  ConnectorError: string;
} {
  return {
    PaymentError: token.message,
    PayErrorCode: token.cardError ? PAY_ERROR_CODES.cardRejected : PAY_ERROR_CODES.tokenRejected,
    ConnectorError: token.declineCode || token.code || (token.statusCode ? `http_${token.statusCode}` : 'connection_error'),
  };
}
