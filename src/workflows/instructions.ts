/** Builders for the instructions the call workflow emits, from the caller's catalog. */
import type { GatherInstruction, Instruction, Locale, PayInstruction, PayOptions, PayPrompt, Turn } from '../contract/instructions.js';
import { catalogFor } from '../i18n/catalog.js';

export function say(text: string, locale: Locale): Instruction {
  return { kind: 'say', text, locale };
}

export function gatherDigits(prompt: string, locale: Locale, options: { numDigits?: number; finishOnKey?: string }): GatherInstruction {
  return { kind: 'gather', prompt, locale, timeoutSeconds: 6, ...options };
}

/** The greeting and the first ask for the order number: what every call hears first. */
export function openingInstructions(locale: Locale): Instruction[] {
  return [say(catalogFor(locale).greeting, locale), askOrderNumber(locale)];
}

/** The `<Gather>` for an order number, ended by `#`. */
export function askOrderNumber(locale: Locale): GatherInstruction {
  return gatherDigits(catalogFor(locale).askOrderNumber, locale, { finishOnKey: '#' });
}

/**
 * The call's first turn, as the workflow emits it: a pure function of the call's input, so
 * the web layer can answer the incoming call with it as soon as the workflow is started.
 */
export function openingTurn(locale: Locale): Turn {
  return { turn: 1, instructions: openingInstructions(locale), final: false };
}

/**
 * The `<Pay>` settings of a call whose input has none (it began before they were
 * configurable): the constants paycall used then, so its replay and its prompts are unchanged.
 */
export const legacyPayOptions: PayOptions = {
  validCardTypes: ['visa', 'mastercard', 'amex'],
  securityCode: true,
  postalCode: false,
  timeoutSeconds: 10,
  maxAttempts: 3,
};

/** Card types whose security code has four digits (American Express); every other has three. */
const fourDigitSecurityCodes: readonly string[] = ['amex'];

/** `<Pay>`, tokenize only (chargeAmount 0, a Stripe PaymentMethod), with a prompt per field and error. */
export function capturePayment(input: { currency: string; description: string; locale: Locale; options?: PayOptions }): PayInstruction {
  const options = input.options ?? legacyPayOptions;
  return {
    kind: 'pay',
    chargeAmount: '0',
    tokenType: 'payment-method',
    currency: input.currency.toLowerCase(),
    description: input.description,
    locale: input.locale,
    validCardTypes: [...options.validCardTypes],
    securityCode: options.securityCode,
    postalCode: options.postalCode,
    timeoutSeconds: options.timeoutSeconds,
    maxAttempts: options.maxAttempts,
    prompts: payPrompts(input.locale, options),
  };
}

/** A prompt for each field `<Pay>` asks for, and for each way it can go wrong there. */
function payPrompts(locale: Locale, options: PayOptions): PayPrompt[] {
  const text = catalogFor(locale).pay;
  const prompts: PayPrompt[] = [
    { for: 'payment-card-number', text: text.cardNumber },
    { for: 'payment-card-number', errorType: 'invalid-card-number', text: `${text.invalidCardNumber} ${text.cardNumber}` },
    { for: 'payment-card-number', errorType: 'invalid-card-type', text: `${text.invalidCardType} ${text.cardNumber}` },
    { for: 'payment-card-number', errorType: 'timeout', text: `${text.timeout} ${text.cardNumber}` },
    { for: 'expiration-date', text: text.expirationDate },
    { for: 'expiration-date', errorType: 'invalid-date', text: `${text.invalidDate} ${text.expirationDate}` },
    { for: 'expiration-date', errorType: 'timeout', text: `${text.timeout} ${text.expirationDate}` },
  ];
  if (options.securityCode) {
    // `<Prompt cardType>` may only name accepted types: one prompt for the 3-digit brands, one for amex.
    const threeDigits = options.validCardTypes.filter((type) => !fourDigitSecurityCodes.includes(type));
    const fourDigits = options.validCardTypes.filter((type) => fourDigitSecurityCodes.includes(type));
    if (threeDigits.length) prompts.push({ for: 'security-code', cardType: threeDigits, text: text.securityCode(3) });
    if (fourDigits.length) prompts.push({ for: 'security-code', cardType: fourDigits, text: text.securityCode(4) });
    prompts.push(
      { for: 'security-code', errorType: 'invalid-security-code', text: `${text.invalidSecurityCode} ${text.securityCode(threeDigits.length ? 3 : 4)}` },
      { for: 'security-code', errorType: 'timeout', text: `${text.timeout} ${text.securityCode(threeDigits.length ? 3 : 4)}` },
    );
  }
  if (options.postalCode) {
    prompts.push(
      { for: 'postal-code', text: text.postalCode },
      { for: 'postal-code', errorType: 'invalid-postal-code', text: `${text.invalidPostalCode} ${text.postalCode}` },
      { for: 'postal-code', errorType: 'timeout', text: `${text.timeout} ${text.postalCode}` },
    );
  }
  prompts.push({ for: 'payment-processing', text: text.processing });
  return prompts;
}
