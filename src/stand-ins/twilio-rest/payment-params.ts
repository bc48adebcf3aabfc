/**
 * The Payments create and update parameters, as twilio-node sends them (form fields named
 * `IdempotencyKey`, `StatusCallback`, `ChargeAmount`, …), checked like Twilio checks them.
 * What the stand-in does not emulate (charging, ACH, one-time/reusable tokens, matching inputs,
 * confirmation) is refused with a 64020 whose message says so, rather than faked.
 */
import { payCardTypes } from '../phone-simulator/card-validation.js';
import { captureFields, type CaptureField } from './control-protocol.js';
import { twilioErrors } from './errors.js';

export interface PaymentSettings {
  idempotencyKey: string;
  statusCallback: string;
  chargeAmount: string;
  currency: string;
  description?: string;
  paymentConnector: string;
  paymentMethod: 'credit-card';
  tokenType: 'payment-method';
  securityCode: boolean;
  postalCode: boolean;
  minPostalCodeLength?: number;
  /** Seconds to wait for the next digit (Twilio's default 5, max 600). */
  timeout: number;
  validCardTypes: string[];
}

export type PaymentUpdate =
  | { kind: 'capture'; idempotencyKey: string; statusCallback: string; field: CaptureField }
  | { kind: 'status'; idempotencyKey: string; statusCallback: string; status: 'complete' | 'cancel' };

type Form = Record<string, string>;

function required(form: Form, name: string): string {
  const value = form[name];
  if (value === undefined || value.trim() === '') throw twilioErrors.invalidParameter(`Missing required parameter ${name} in the post body`);
  return value;
}

/** `StatusCallback`: absolute http(s), or relative (resolved against the call's current document). */
export function resolveStatusCallback(value: string, documentUrl: string): string {
  let url: URL;
  try {
    url = new URL(value, documentUrl);
  } catch {
    throw twilioErrors.invalidCallbackUrl(value);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw twilioErrors.invalidCallbackUrl(value);
  return url.toString();
}

function bool(form: Form, name: string, fallback: boolean): boolean {
  const raw = form[name];
  if (raw === undefined || raw === '') return fallback;
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  throw twilioErrors.invalidParameter(`${name} must be true or false, got "${raw}"`);
}

function int(form: Form, name: string, fallback: number | undefined, min: number, max: number): number | undefined {
  const raw = form[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw twilioErrors.invalidParameter(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
  }
  return Number(raw);
}

function notEmulated(what: string): never {
  throw twilioErrors.invalidParameter(`${what} (the Twilio stand-in emulates the Stripe connector's tokenize-only card flow that paycall uses)`);
}

export function parseCreateParams(form: Form, documentUrl: string, connectors: readonly string[] | undefined): PaymentSettings {
  const idempotencyKey = required(form, 'IdempotencyKey');
  const statusCallback = resolveStatusCallback(required(form, 'StatusCallback'), documentUrl);

  const chargeAmount = form.ChargeAmount?.trim() ?? '';
  if (chargeAmount !== '') {
    if (!/^\d+(\.\d+)?$/.test(chargeAmount) || Number(chargeAmount) >= 1_000_000) {
      throw twilioErrors.invalidParameter(`ChargeAmount must be a positive decimal below 1,000,000, got "${chargeAmount}"`);
    }
    if (Number(chargeAmount) !== 0) notEmulated(`ChargeAmount=${chargeAmount}: charging on the call is not emulated; use 0 to tokenize`);
  }
  const paymentMethod = form.PaymentMethod || 'credit-card';
  if (paymentMethod === 'ach-debit') notEmulated('PaymentMethod=ach-debit is not emulated');
  if (paymentMethod !== 'credit-card') throw twilioErrors.invalidParameter(`PaymentMethod must be credit-card or ach-debit, got "${paymentMethod}"`);
  const tokenType = form.TokenType || 'reusable';
  if (!['one-time', 'reusable', 'payment-method'].includes(tokenType)) {
    throw twilioErrors.invalidParameter(`TokenType must be one-time, reusable or payment-method, got "${tokenType}"`);
  }
  if (tokenType !== 'payment-method') notEmulated(`TokenType=${tokenType} is not emulated; use payment-method`);
  const input = form.Input || 'dtmf';
  if (input !== 'dtmf') throw twilioErrors.invalidParameter(`Input must be dtmf, got "${input}"`);
  if (form.RequireMatchingInputs?.trim()) notEmulated('RequireMatchingInputs is not emulated');
  if (bool(form, 'Confirmation', false)) notEmulated('Confirmation=true is not emulated');

  const paymentConnector = form.PaymentConnector || 'Default';
  if (connectors && !connectors.includes(paymentConnector)) {
    throw twilioErrors.invalidParameter(`PaymentConnector "${paymentConnector}" is not an installed Pay Connector (${connectors.join(', ')})`);
  }
  const validCardTypes = (form.ValidCardTypes || 'visa mastercard amex').split(/\s+/).filter(Boolean);
  for (const type of validCardTypes) {
    if (!(payCardTypes as readonly string[]).includes(type)) {
      throw twilioErrors.invalidParameter(`ValidCardTypes: unknown card type "${type}" (${payCardTypes.join(' ')})`);
    }
  }
  const minPostalCodeLength = int(form, 'MinPostalCodeLength', undefined, 1, 20);
  return {
    idempotencyKey,
    statusCallback,
    chargeAmount,
    currency: (form.Currency || 'usd').toLowerCase(),
    ...(form.Description ? { description: form.Description } : {}),
    paymentConnector,
    paymentMethod: 'credit-card',
    tokenType: 'payment-method',
    securityCode: bool(form, 'SecurityCode', true),
    postalCode: bool(form, 'PostalCode', true),
    ...(minPostalCodeLength === undefined ? {} : { minPostalCodeLength }),
    timeout: int(form, 'Timeout', 5, 1, 600)!,
    validCardTypes,
  };
}

export function parseUpdateParams(form: Form, documentUrl: string): PaymentUpdate {
  const idempotencyKey = required(form, 'IdempotencyKey');
  const statusCallback = resolveStatusCallback(required(form, 'StatusCallback'), documentUrl);
  const capture = form.Capture?.trim() || undefined;
  const status = form.Status?.trim() || undefined;
  if ((capture === undefined) === (status === undefined)) throw twilioErrors.captureOrStatus();
  if (capture !== undefined) {
    if ((captureFields as readonly string[]).includes(capture)) {
      return { kind: 'capture', idempotencyKey, statusCallback, field: capture as CaptureField };
    }
    if (/^(bank-routing-number|bank-account-number)$/.test(capture)) notEmulated(`Capture=${capture} (ACH) is not emulated`);
    if (capture.endsWith('-matcher')) notEmulated(`Capture=${capture} (RequireMatchingInputs) is not emulated`);
    throw twilioErrors.invalidParameter(`Capture must be one of ${captureFields.join(', ')}, got "${capture}"`);
  }
  if (status !== 'complete' && status !== 'cancel') throw twilioErrors.invalidParameter(`Status must be complete or cancel, got "${status}"`);
  return { kind: 'status', idempotencyKey, statusCallback, status };
}
