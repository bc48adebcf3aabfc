/**
 * The exact parameter sets of the Payments StatusCallbacks the stand-in POSTs, one builder per
 * phase, with Twilio's names and masking (PaymentCardNumber like `xxxx-xxxx-xxxx-4242`,
 * SecurityCode one `x` per digit). This is the only place callback parameters are spelled, and
 * nothing here ever holds a full card number or security code.
 *
 *   every callback     AccountSid CallSid Sid DateCreated BankAccountType ChargeAmount
 *                      PaymentConnector PaymentMethod TokenType
 *   after a Capture    + DateUpdated Capture PartialResult ErrorType Required + captured card fields
 *   when it ends       + DateUpdated Result PaymentToken ProfileId PaymentConfirmationCode
 *                        PaymentError PayErrorCode ConnectorError + captured card fields
 */
import { maskCardNumber, maskSecurityCode } from '../phone-simulator/card-validation.js';
import type { CaptureField } from './control-protocol.js';
import type { PaymentSettings } from './payment-params.js';

/** What the caller keyed and Twilio accepted so far. Stays inside the stand-in. */
export interface CapturedCard {
  number?: string;
  cardType?: string;
  /** MMYY. */
  expiry?: string;
  securityCode?: string;
  postalCode?: string;
}

export interface SessionFacts {
  accountSid: string;
  callSid: string;
  sid: string;
  dateCreated: Date;
  settings: PaymentSettings;
}

/** `Result` values of a finished session. */
export const paymentResults = {
  success: 'success',
  connectorError: 'payment-connector-error',
  callerHungUp: 'caller-hung-up',
  /**
   * Twilio does not document the `Result` of a session ended with `Status=cancel`; the stand-in
   * says `cancelled`. paycall should treat every Result other than `success` as "no token".
   */
  cancelled: 'cancelled',
} as const;
export type PaymentResult = (typeof paymentResults)[keyof typeof paymentResults];

export function sessionParams(f: SessionFacts): Record<string, string> {
  return {
    AccountSid: f.accountSid,
    CallSid: f.callSid,
    Sid: f.sid,
    DateCreated: f.dateCreated.toISOString(),
    BankAccountType: '',
    ChargeAmount: f.settings.chargeAmount,
    PaymentConnector: f.settings.paymentConnector,
    PaymentMethod: f.settings.paymentMethod,
    TokenType: f.settings.tokenType,
  };
}

/** The masked card fields captured so far (only those captured). */
export function maskedCardParams(card: CapturedCard): Record<string, string> {
  const out: Record<string, string> = {};
  if (card.number) out.PaymentCardNumber = maskCardNumber(card.number, card.cardType);
  if (card.cardType) out.PaymentCardType = card.cardType;
  if (card.expiry) out.ExpirationDate = card.expiry;
  if (card.securityCode) out.SecurityCode = maskSecurityCode(card.securityCode);
  if (card.postalCode) out.PaymentCardPostalCode = card.postalCode;
  return out;
}

export interface CaptureProgress {
  dateUpdated: Date;
  capture: CaptureField;
  /** true: the caller is still keying this field; false: the field's entry is over (valid or not). */
  partial: boolean;
  /** `input-timeout`, `invalid-card-number`, … ('' when none). */
  errorType?: string;
  /** Fields still missing, in Twilio's order. */
  required: readonly CaptureField[];
}

export function captureParams(f: SessionFacts, card: CapturedCard, p: CaptureProgress): Record<string, string> {
  return {
    ...sessionParams(f),
    DateUpdated: p.dateUpdated.toISOString(),
    Capture: p.capture,
    PartialResult: String(p.partial),
    ErrorType: p.errorType ?? '',
    Required: p.required.join(','),
    ...maskedCardParams(card),
  };
}

export interface SessionOutcome {
  dateUpdated: Date;
  result: PaymentResult;
  /** `pm_…` on success. */
  paymentToken?: string;
  paymentError?: string;
  payErrorCode?: string;
  connectorError?: string;
}

export function resultParams(f: SessionFacts, card: CapturedCard, o: SessionOutcome): Record<string, string> {
  return {
    ...sessionParams(f),
    DateUpdated: o.dateUpdated.toISOString(),
    Result: o.result,
    PaymentToken: o.paymentToken ?? '',
    ProfileId: '',
    PaymentConfirmationCode: '',
    PaymentError: o.paymentError ?? '',
    PayErrorCode: o.payErrorCode ?? '',
    ConnectorError: o.connectorError ?? '',
    ...maskedCardParams(card),
  };
}
