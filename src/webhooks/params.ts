/**
 * What each Twilio webhook may send, validated with zod. Strict where it protects
 * (signatures are checked before this, ids, turn numbers, the PaymentMethod id); tolerant
 * where Twilio's formats may vary, because a 400 makes Twilio play its application-error
 * message to a caller: an unknown `<Pay>` Result is a failed capture with its raw value
 * kept, an odd expiry is kept as sent, long addresses (SIP) are accepted. Card data never
 * passes: a card number is masked down to its last four digits, card-like numbers in free
 * text are redacted, and the security code is never read at all.
 */
import { z } from 'zod';
import { payResultCodes, type PayResult, type PayResultCode } from '../contract/call.js';
import type { PaymentStatusEvent } from '../contract/operator.js';
import { isCardLike, redactCardNumbers } from '../privacy/card-numbers.js';
import { maskPostalCode } from '../privacy/redact.js';

const callSid = z.string().regex(/^CA[0-9a-fA-F]{32}$/, 'CallSid must be CA followed by 32 hex digits');

/** Free text from Twilio: cut to `max` characters, card-like numbers redacted, '' → absent. */
const freeText = (max: number) =>
  z
    .string()
    .optional()
    .transform((value) => (value === undefined || value === '' ? undefined : redactCardNumbers(value).slice(0, max)));

/** A phone number, `client:…` or a SIP address (which can be long). */
const address = z.string().max(2048).optional();

export const voiceParams = z.object({
  CallSid: callSid,
  AccountSid: z.string().regex(/^AC[0-9a-fA-F]{32}$/, 'AccountSid must be AC followed by 32 hex digits'),
  From: address,
  To: address,
  CallStatus: freeText(64),
});

export const turnQuery = z.object({
  turn: z.coerce.number().int().positive({ message: 'turn must be a positive integer' }),
});

export const gatherParams = voiceParams.extend({
  Digits: z
    .string()
    .max(256)
    .regex(/^[0-9*#]*$/, 'Digits may only contain 0-9, * and #')
    .default(''),
});

/** Twilio masks the card number (`xxxx-xxxx-xxxx-4242`); whatever arrives, only the last four digits are kept. */
export function maskCardNumber(value: string): string | undefined {
  const digits = value.replace(/[^0-9]/g, '');
  if (digits.length === 0) return value.slice(0, 32) || undefined;
  if (digits.length <= 4) return value.slice(0, 32);
  return `xxxx-xxxx-xxxx-${digits.slice(-4)}`;
}

const cardNumber = z
  .string()
  .optional()
  .transform((value) => (value ? maskCardNumber(value) : undefined));

/** MMYY as Twilio sends it; anything else is kept as sent (short, never card-like). */
const expiry = z
  .string()
  .optional()
  .transform((value) => (value && !isCardLike(value.replace(/[^0-9]/g, '')) ? value.slice(0, 16) : undefined));

export const payParams = voiceParams.extend({
  Result: z.string().min(1, 'Result is required').max(256),
  PaymentToken: z
    .string()
    .regex(/^pm_[A-Za-z0-9_]+$/, 'PaymentToken must be a Stripe PaymentMethod id (pm_…)')
    .optional()
    .or(z.literal('').transform(() => undefined)),
  PaymentCardType: freeText(32),
  PaymentCardNumber: cardNumber,
  ExpirationDate: expiry,
  // Posted in the clear when <Pay postalCode> asked; masked here, before any workflow sees it.
  PaymentCardPostalCode: freeText(32).transform((v) => (v ? maskPostalCode(v) : undefined)),
  PaymentError: freeText(500),
  PayErrorCode: freeText(32),
  ConnectorError: freeText(500),
});

export const payStatusParams = z.object({
  CallSid: callSid,
  For: freeText(64).transform((v) => v ?? ''),
  ErrorType: freeText(64),
  Attempt: z.coerce.number().int().min(0).max(100).optional().catch(undefined),
  PaymentCardNumber: cardNumber,
});

export const statusParams = voiceParams.extend({
  CallStatus: z.string().min(1).max(64),
  CallDuration: z.coerce.number().int().min(0).optional().catch(undefined),
});

export type PayParams = z.infer<typeof payParams>;

/** Only the fields paycall keeps from a `<Pay>` action callback. */
export function toPayResult(params: PayParams): PayResult {
  const known = (payResultCodes as readonly string[]).includes(params.Result);
  const optional = {
    rawResult: known ? undefined : params.Result.replace(/[^A-Za-z0-9_-]/g, '').slice(0, 64),
    paymentToken: params.PaymentToken,
    paymentCardType: params.PaymentCardType,
    paymentCardNumber: params.PaymentCardNumber,
    expirationDate: params.ExpirationDate,
    postalCode: params.PaymentCardPostalCode,
    paymentError: params.PaymentError,
    payErrorCode: params.PayErrorCode,
    connectorError: params.ConnectorError,
  };
  return {
    result: known ? (params.Result as PayResultCode) : 'unrecognized-result',
    ...Object.fromEntries(Object.entries(optional).filter(([, v]) => v !== undefined && v !== '')),
  };
}

/** A readable 400 message from a zod error: which parameter, what is wrong (never its value). */
export function describeProblems(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join('.') || 'request'}: ${issue.message}`).join('; ');
}

/** The `<Dial>` action: the operator's leg ended. */
export const dialParams = voiceParams.extend({
  DialCallStatus: z.string().min(1).max(64),
  DialCallDuration: z.coerce.number().int().min(0).optional().catch(undefined),
});

const flag = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value === '' ? undefined : value === 'true'));

/** Twilio's Payments status callback on a live call (agent-assisted capture): masked values only are kept. */
export const paymentStatusParams = z.object({
  CallSid: callSid,
  Sid: z.string().regex(/^PK[0-9a-fA-F]{32}$/, 'Sid must be a Payment session id (PK…)'),
  Capture: freeText(64),
  PartialResult: flag,
  ErrorType: freeText(64),
  Required: freeText(256),
  PaymentCardNumber: cardNumber,
  PaymentCardType: freeText(32),
  ExpirationDate: expiry,
  SecurityCode: z.string().optional(),
  Result: freeText(64),
  PaymentToken: z
    .string()
    .regex(/^pm_[A-Za-z0-9_]+$/, 'PaymentToken must be a Stripe PaymentMethod id (pm_…)')
    .optional()
    .or(z.literal('').transform(() => undefined)),
  PaymentError: freeText(500),
  PayErrorCode: freeText(32),
  ConnectorError: freeText(500),
});

export type PaymentStatusParams = z.infer<typeof paymentStatusParams>;

/** What the call workflow is told of a Payments callback: card facts masked, the security code only as "keyed". */
export function toPaymentStatus(params: PaymentStatusParams, callbackId: string): PaymentStatusEvent {
  const last4 = params.PaymentCardNumber?.match(/(\d{4})\s*$/)?.[1];
  const card = {
    ...(params.PaymentCardType ? { brand: params.PaymentCardType } : {}),
    ...(last4 ? { last4 } : {}),
    ...(params.ExpirationDate ? { expiry: params.ExpirationDate } : {}),
  };
  const optional = {
    capture: params.Capture,
    partialResult: params.PartialResult,
    errorType: params.ErrorType,
    required: params.Required ? params.Required.split(',').map((r) => r.trim()).filter(Boolean) : undefined,
    card: Object.keys(card).length ? card : undefined,
    securityCodeKeyed: params.SecurityCode ? true : undefined,
    result: params.Result,
    paymentToken: params.PaymentToken,
    paymentError: params.PaymentError,
    payErrorCode: params.PayErrorCode,
    connectorError: params.ConnectorError,
  };
  return { callbackId, sessionSid: params.Sid, ...Object.fromEntries(Object.entries(optional).filter(([, v]) => v !== undefined)) };
}
