/** Money as operators read it: `1999, usd` → `19.99 USD`, `6480, jpy` → `6,480 JPY`. */
import { toDecimalString } from './money.js';

/** Minor units for a currency paycall does not know are shown as such, never guessed. */
export function formatMoney(amount: number | undefined, currency: string | undefined): string {
  if (amount === undefined) return '?';
  if (!currency) return `${amount} (minor units)`;
  try {
    const [whole = '', fraction] = toDecimalString(amount, currency).split('.');
    const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
    return `${grouped}${fraction !== undefined ? `.${fraction}` : ''} ${currency.toUpperCase()}`;
  } catch {
    return `${amount} ${currency.toUpperCase()} (minor units)`;
  }
}
