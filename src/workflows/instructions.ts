/** Builders for the instructions the call workflow emits, from the caller's catalog. */
import type { GatherInstruction, Instruction, Locale, PayInstruction, Turn } from '../contract/instructions.js';
import { catalogFor } from '../i18n/catalog.js';

export function say(text: string, locale: Locale): Instruction {
  return { kind: 'say', text, locale };
}

export function gatherDigits(prompt: string, locale: Locale, options: { numDigits?: number; finishOnKey?: string }): GatherInstruction {
  return { kind: 'gather', prompt, locale, timeoutSeconds: 6, ...options };
}

/** The greeting and the first ask for the order number: what every call hears first. */
export function openingInstructions(locale: Locale): Instruction[] {
  const text = catalogFor(locale);
  return [say(text.greeting, locale), gatherDigits(text.askOrderNumber, locale, { finishOnKey: '#' })];
}

/**
 * The call's first turn, as the workflow emits it: a pure function of the call's input, so
 * the web layer can answer the incoming call with it as soon as the workflow is started.
 */
export function openingTurn(locale: Locale): Turn {
  return { turn: 1, instructions: openingInstructions(locale), final: false };
}

/** `<Pay>`, tokenize only (chargeAmount 0, a Stripe PaymentMethod), with a prompt per field and error. */
export function capturePayment(input: { currency: string; description: string; locale: Locale }): PayInstruction {
  const text = catalogFor(input.locale).pay;
  return {
    kind: 'pay',
    chargeAmount: '0',
    tokenType: 'payment-method',
    currency: input.currency.toLowerCase(),
    description: input.description,
    locale: input.locale,
    validCardTypes: ['visa', 'mastercard', 'amex'],
    securityCode: true,
    postalCode: false,
    timeoutSeconds: 10,
    maxAttempts: 3,
    prompts: [
      { for: 'payment-card-number', text: text.cardNumber },
      { for: 'payment-card-number', errorType: 'invalid-card-number', text: `${text.invalidCardNumber} ${text.cardNumber}` },
      { for: 'payment-card-number', errorType: 'invalid-card-type', text: `${text.invalidCardType} ${text.cardNumber}` },
      { for: 'payment-card-number', errorType: 'timeout', text: `${text.timeout} ${text.cardNumber}` },
      { for: 'expiration-date', text: text.expirationDate },
      { for: 'expiration-date', errorType: 'invalid-date', text: `${text.invalidDate} ${text.expirationDate}` },
      { for: 'expiration-date', errorType: 'timeout', text: `${text.timeout} ${text.expirationDate}` },
      { for: 'security-code', cardType: ['visa', 'mastercard'], text: text.securityCode(3) },
      { for: 'security-code', cardType: ['amex'], text: text.securityCode(4) },
      { for: 'security-code', errorType: 'invalid-security-code', text: `${text.invalidSecurityCode} ${text.securityCode(3)}` },
      { for: 'security-code', errorType: 'timeout', text: `${text.timeout} ${text.securityCode(3)}` },
      { for: 'payment-processing', text: text.processing },
    ],
  };
}
