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

/** `+15005550006` → `+•••••••0006`. */
export function maskPhone(phone: string): string {
  return phone.length <= 4 ? '••••' : `${phone.startsWith('+') ? '+' : ''}${'•'.repeat(Math.max(phone.length - 5, 3))}${phone.slice(-4)}`;
}
