/**
 * Money is integers in the currency's minor units everywhere in paycall (as Stripe wants):
 * USD 1999 is $19.99, JPY 6480 is ¥6,480 (JPY has no minor unit).
 */
import type { Locale } from '../contract/instructions.js';
import { currencyExponent, paycallCurrencies, type PaycallCurrency } from './currencies.js';

// Which currencies paycall takes, and their decimals, live in one place: currencies.ts.
export { currencyExponent, isSupportedCurrency } from './currencies.js';

/** Every currency paycall takes and its exponent (the console computes minor units with these). */
export function supportedCurrencies(): { code: string; exponent: number }[] {
  return paycallCurrencies.map((code) => ({ code, exponent: currencyExponent(code) }));
}
/** `1999, 'usd'` → `'19.99'`; `6480, 'jpy'` → `'6480'` (the decimal string `<Pay>` and Stripe use). */
export function toDecimalString(amount: number, currency: string): string {
  assertMinorUnits(amount);
  const exponent = currencyExponent(currency);
  if (exponent === 0) return String(amount);
  const divisor = 10 ** exponent;
  const whole = Math.floor(amount / divisor);
  const fraction = String(amount % divisor).padStart(exponent, '0');
  return `${whole}.${fraction}`;
}

function groupThousands(value: number): string {
  return String(value).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

function assertMinorUnits(amount: number): void {
  if (!Number.isSafeInteger(amount) || amount < 0) {
    throw new Error(`Amount must be a non-negative integer in minor units, got ${amount}`);
  }
}

interface SpokenUnits {
  major: (n: number) => string;
  minor?: (n: number) => string;
}

const spokenUnits: Record<Locale, Record<PaycallCurrency, SpokenUnits>> = {
  'en-US': {
    usd: { major: (n) => (n === 1 ? 'dollar' : 'dollars'), minor: (n) => (n === 1 ? 'cent' : 'cents') },
    eur: { major: () => 'euros', minor: (n) => (n === 1 ? 'cent' : 'cents') },
    gbp: { major: (n) => (n === 1 ? 'pound' : 'pounds'), minor: () => 'pence' },
    cad: { major: () => 'Canadian dollars', minor: (n) => (n === 1 ? 'cent' : 'cents') },
    aud: { major: () => 'Australian dollars', minor: (n) => (n === 1 ? 'cent' : 'cents') },
    jpy: { major: () => 'yen' },
    krw: { major: () => 'won' },
  },
  'ja-JP': {
    usd: { major: () => 'ドル', minor: () => 'セント' },
    eur: { major: () => 'ユーロ', minor: () => 'セント' },
    gbp: { major: () => 'ポンド', minor: () => 'ペンス' },
    cad: { major: () => 'カナダドル', minor: () => 'セント' },
    aud: { major: () => 'オーストラリアドル', minor: () => 'セント' },
    jpy: { major: () => '円' },
    krw: { major: () => 'ウォン' },
  },
};

/**
 * The amount as a text-to-speech engine should read it in the caller's language:
 * `1999 usd en-US` → `19 dollars and 99 cents`, `6480 jpy ja-JP` → `6,480円`.
 */
export function spokenAmount(amount: number, currency: string, locale: Locale): string {
  assertMinorUnits(amount);
  const code = currency.toLowerCase();
  const exponent = currencyExponent(code);
  const units = spokenUnits[locale][code as PaycallCurrency];
  const divisor = 10 ** exponent;
  const major = Math.floor(amount / divisor);
  const minor = amount % divisor;
  if (locale === 'ja-JP') {
    const majorText = `${groupThousands(major)}${units.major(major)}`;
    return minor > 0 && units.minor ? `${majorText}${minor}${units.minor(minor)}` : majorText;
  }
  const majorText = `${groupThousands(major)} ${units.major(major)}`;
  if (minor > 0 && units.minor) return `${majorText} and ${minor} ${units.minor(minor)}`;
  return majorText;
}
