// Operator console: amounts typed by an operator ↔ minor units (the integers paycall and
// Stripe use: 1999 is $19.99, 6480 is ¥6,480). The currency's exponent comes from the
// server (a refund's `currencyExponent`, or the session's `currencies`).

/** Decimal text in the currency's units → minor units, or undefined when it is not a valid amount. */
export function toMinorUnits(text, exponent) {
  // "6,480" and "1,234.50": commas before groups of three digits are thousands separators.
  const match = /^\s*(\d{1,9})(?:[.,](\d*))?\s*$/.exec(text.replace(/,(?=\d{3}(?:\D|$))/g, ''));
  if (!match) return undefined;
  const fraction = match[2] ?? '';
  if (fraction.length > exponent) return undefined;
  return Number(match[1]) * 10 ** exponent + Number(fraction.padEnd(exponent, '0') || '0');
}

/** Minor units → decimal text in the currency's units (1999, 2 → "19.99"). */
export function toDecimal(minor, exponent) {
  if (exponent === 0) return String(minor);
  const text = String(minor).padStart(exponent + 1, '0');
  return `${text.slice(0, -exponent)}.${text.slice(-exponent)}`;
}

/** Minor units with the currency, as the server writes amounts for operators ("$19.99", "¥6,480"). */
export function moneyText(minor, currency, exponent) {
  const code = String(currency).toUpperCase();
  try {
    return new Intl.NumberFormat('en-US', { style: 'currency', currency: code, minimumFractionDigits: exponent, maximumFractionDigits: exponent }).format(Number(toDecimal(minor, exponent)));
  } catch {
    return `${toDecimal(minor, exponent)} ${code}`;
  }
}
