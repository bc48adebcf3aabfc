/**
 * What each Twilio webhook may send, validated with zod. Card fields must arrive masked:
 * a card number with more than four digits is refused (and never echoed back), and the
 * security code is never read at all.
 */
import { z } from 'zod';
import { payResultCodes, type PayResult } from '../contract/call.js';

const callSid = z.string().regex(/^CA[0-9a-fA-F]{32}$/, 'CallSid must be CA followed by 32 hex digits');
const text = (max: number) => z.string().max(max).optional();

export const voiceParams = z.object({
  CallSid: callSid,
  AccountSid: z.string().regex(/^AC[0-9a-fA-F]{32}$/, 'AccountSid must be AC followed by 32 hex digits'),
  From: text(64),
  To: text(64),
  CallStatus: text(32),
});

export const turnQuery = z.object({
  turn: z.coerce.number().int().positive({ message: 'turn must be a positive integer' }),
});

export const gatherParams = voiceParams.extend({
  Digits: z
    .string()
    .max(64)
    .regex(/^[0-9*#]*$/, 'Digits may only contain 0-9, * and #')
    .default(''),
});

/** Masked by Twilio: at most the last four digits visible. */
const maskedCardNumber = z
  .string()
  .max(32)
  .refine((value) => (value.match(/[0-9]/g) ?? []).length <= 4, 'PaymentCardNumber must be masked (a full card number is refused)');

export const payParams = voiceParams.extend({
  Result: z.enum(payResultCodes),
  PaymentToken: z
    .string()
    .regex(/^pm_[A-Za-z0-9_]+$/, 'PaymentToken must be a Stripe PaymentMethod id (pm_…)')
    .optional()
    .or(z.literal('').transform(() => undefined)),
  PaymentCardType: text(32),
  PaymentCardNumber: maskedCardNumber.optional(),
  ExpirationDate: z
    .string()
    .regex(/^[0-9]{4}$/, 'ExpirationDate must be MMYY')
    .optional()
    .or(z.literal('').transform(() => undefined)),
  PaymentError: text(500),
  PayErrorCode: text(32),
  ConnectorError: text(500),
});

export const payStatusParams = z.object({
  CallSid: callSid,
  For: z.string().max(64).default(''),
  ErrorType: text(64),
  Attempt: z.coerce.number().int().min(0).max(10).optional(),
  PaymentCardNumber: maskedCardNumber.optional(),
});

export const statusParams = voiceParams.extend({
  CallStatus: z.string().max(32),
  CallDuration: z.coerce.number().int().min(0).optional(),
});

export type PayParams = z.infer<typeof payParams>;

/** Only the fields paycall keeps from a `<Pay>` action callback. */
export function toPayResult(params: PayParams): PayResult {
  const optional = {
    paymentToken: params.PaymentToken,
    paymentCardType: params.PaymentCardType,
    paymentCardNumber: params.PaymentCardNumber,
    expirationDate: params.ExpirationDate,
    paymentError: params.PaymentError,
    payErrorCode: params.PayErrorCode,
    connectorError: params.ConnectorError,
  };
  return {
    result: params.Result,
    ...Object.fromEntries(Object.entries(optional).filter(([, v]) => v !== undefined && v !== '')),
  };
}

/** A readable 400 message from a zod error: which parameter, what is wrong (never its value). */
export function describeProblems(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join('.') || 'request'}: ${issue.message}`).join('; ');
}
