/**
 * What must never reach an operator's screen, an API response or a log line: digit runs as
 * long as a card number, and phone numbers in full. The one place paycall scrubs free text.
 */

/** Removes card-length digit runs and masks phone numbers in free text. */
export function scrubText(text: string): string {
  return text
    .replace(/\b\d(?:[ -]?\d){11,18}\b/g, '[number removed]')
    .replace(/\+\d{7,15}\b/g, (phone) => maskPhone(phone));
}

/**
 * A billing postal code as operators see it: `94107` → `***07`, `100-0001` → `*****01`.
 * Twilio posts it in the clear; paycall keeps only this, so it never sits in a history.
 */
export function maskPostalCode(code: string): string {
  const kept = code.replace(/[^0-9A-Za-z]/g, '').slice(0, 12);
  return kept.length <= 2 ? '*'.repeat(kept.length) : `${'*'.repeat(kept.length - 2)}${kept.slice(-2)}`;
}

/** `+15005550006` → `+•••••••0006`. */
export function maskPhone(phone: string): string {
  return phone.length <= 4 ? '••••' : `${phone.startsWith('+') ? '+' : ''}${'•'.repeat(Math.max(phone.length - 5, 3))}${phone.slice(-4)}`;
}
