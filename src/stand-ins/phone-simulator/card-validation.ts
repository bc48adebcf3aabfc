/**
 * What Twilio's <Pay> checks on the keypad input before it hands a card to the connector:
 * Luhn, card brand (by IIN range) against `validCardTypes`, expiry `MMYY` not in the past,
 * security code length by brand, postal code present. Also the masking Twilio applies to
 * what it posts back (`xxxx-xxxx-xxxx-4242`, `xxx`).
 */

/** The card types `<Pay validCardTypes>` knows. */
export const payCardTypes = [
  'visa',
  'mastercard',
  'amex',
  'maestro',
  'discover',
  'optima',
  'jcb',
  'diners-club',
  'enroute',
] as const;
export type PayCardType = (typeof payCardTypes)[number];

/** `<Prompt errorType>` values this emulator produces for card capture. */
export type CardErrorType =
  | 'invalid-card-number'
  | 'invalid-card-type'
  | 'invalid-date'
  | 'invalid-security-code'
  | 'invalid-postal-code';

export function luhnValid(digits: string): boolean {
  if (!/^\d+$/.test(digits)) return false;
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

interface BrandRule {
  type: PayCardType;
  /** Inclusive prefix ranges, compared on the first `digits` of the number. */
  ranges: Array<[number, number]>;
  lengths: number[];
}

/** First match wins: the more specific ranges come before the broad ones (maestro last). */
const brandRules: BrandRule[] = [
  { type: 'amex', ranges: [[34, 34], [37, 37]], lengths: [15] },
  { type: 'enroute', ranges: [[2014, 2014], [2149, 2149]], lengths: [15] },
  { type: 'diners-club', ranges: [[300, 305], [36, 36], [38, 39]], lengths: [14, 15, 16, 17, 18, 19] },
  { type: 'jcb', ranges: [[3528, 3589]], lengths: [16, 17, 18, 19] },
  { type: 'visa', ranges: [[4, 4]], lengths: [13, 16, 19] },
  { type: 'mastercard', ranges: [[51, 55], [2221, 2720]], lengths: [16] },
  {
    type: 'discover',
    ranges: [[6011, 6011], [644, 649], [65, 65], [622126, 622925]],
    lengths: [16, 17, 18, 19],
  },
  { type: 'maestro', ranges: [[50, 50], [56, 69]], lengths: [12, 13, 14, 15, 16, 17, 18, 19] },
];

/** The brand of a card number by its IIN, or undefined when no brand's range matches. */
export function detectCardType(number: string): PayCardType | undefined {
  if (!/^\d+$/.test(number)) return undefined;
  for (const rule of brandRules) {
    for (const [lo, hi] of rule.ranges) {
      const width = String(lo).length;
      if (number.length < width) continue;
      const prefix = Number(number.slice(0, width));
      if (prefix >= lo && prefix <= hi) return rule.type;
    }
  }
  return undefined;
}

export type CardNumberCheck =
  | { ok: true; cardType: PayCardType }
  | { ok: false; errorType: 'invalid-card-number' | 'invalid-card-type'; reason: string };

/** Twilio's card-number step: digits, a known brand with a plausible length, Luhn, and an accepted brand. */
export function checkCardNumber(number: string, validCardTypes: readonly string[]): CardNumberCheck {
  if (!/^\d{12,19}$/.test(number)) {
    return { ok: false, errorType: 'invalid-card-number', reason: 'not 12 to 19 digits' };
  }
  if (!luhnValid(number)) return { ok: false, errorType: 'invalid-card-number', reason: 'fails the Luhn check' };
  const cardType = detectCardType(number);
  if (!cardType) return { ok: false, errorType: 'invalid-card-number', reason: 'unknown card brand' };
  const rule = brandRules.find((r) => r.type === cardType);
  if (rule && !rule.lengths.includes(number.length)) {
    return { ok: false, errorType: 'invalid-card-number', reason: `wrong length for ${cardType}` };
  }
  if (!validCardTypes.includes(cardType)) {
    return { ok: false, errorType: 'invalid-card-type', reason: `${cardType} is not in validCardTypes` };
  }
  return { ok: true, cardType };
}

export type SimpleCheck = { ok: true } | { ok: false; errorType: CardErrorType; reason: string };

/** `MMYY`, a real month, and not before the current month (a card is valid through its month's end). */
export function checkExpiry(mmyy: string, now: Date = new Date()): SimpleCheck {
  if (!/^\d{4}$/.test(mmyy)) return { ok: false, errorType: 'invalid-date', reason: 'not 4 digits (MMYY)' };
  const month = Number(mmyy.slice(0, 2));
  const year = 2000 + Number(mmyy.slice(2));
  if (month < 1 || month > 12) return { ok: false, errorType: 'invalid-date', reason: 'month out of range' };
  const current = now.getUTCFullYear() * 12 + now.getUTCMonth();
  if (year * 12 + (month - 1) < current) return { ok: false, errorType: 'invalid-date', reason: 'card has expired' };
  return { ok: true };
}

/** How many digits the security code has for a brand: 4 for amex, 3 for the rest. */
export function securityCodeLength(cardType: string | undefined): number {
  return cardType === 'amex' ? 4 : 3;
}

export function checkSecurityCode(code: string, cardType: string | undefined): SimpleCheck {
  const length = securityCodeLength(cardType);
  if (!/^\d+$/.test(code) || code.length !== length) {
    return { ok: false, errorType: 'invalid-security-code', reason: `expected ${length} digits` };
  }
  return { ok: true };
}

export function checkPostalCode(code: string, minLength = 1): SimpleCheck {
  if (!/^\d+$/.test(code) || code.length < Math.max(1, minLength)) {
    return { ok: false, errorType: 'invalid-postal-code', reason: `expected at least ${Math.max(1, minLength)} digits` };
  }
  return { ok: true };
}

/** Twilio's masked card number: groups like the printed card, only the last four digits shown. */
export function maskCardNumber(number: string, cardType?: string): string {
  const groups =
    cardType === 'amex' || (cardType === 'enroute' && number.length === 15)
      ? [4, 6, 5]
      : cardType === 'diners-club' && number.length === 14
        ? [4, 6, 4]
        : chunk(number.length, 4);
  const masked = 'x'.repeat(Math.max(0, number.length - 4)) + number.slice(-4);
  const out: string[] = [];
  let at = 0;
  for (const g of groups) {
    out.push(masked.slice(at, at + g));
    at += g;
  }
  if (at < masked.length) out.push(masked.slice(at));
  return out.filter((g) => g.length > 0).join('-');
}

function chunk(length: number, size: number): number[] {
  const groups: number[] = [];
  for (let left = length; left > 0; left -= size) groups.push(Math.min(size, left));
  return groups;
}

/** Twilio's redacted security code: one `x` per digit. */
export function maskSecurityCode(code: string): string {
  return 'x'.repeat(code.length);
}
