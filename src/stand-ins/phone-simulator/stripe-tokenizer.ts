/**
 * Turning the card a caller keyed into a Stripe PaymentMethod, as Twilio's Stripe connector
 * does: the real `stripe` client against the (sandbox) Stripe API. The card details go only
 * to Stripe; the result is a `pm_…` id or Stripe's error, never the card.
 */
import Stripe from 'stripe';

export const DEFAULT_STRIPE_URL = 'http://127.0.0.1:12111';
export const SIMULATOR_STRIPE_KEY = 'sk_test_simulator';

/** Card details as typed; only ever passed to the tokenizer. */
export interface CardDetails {
  number: string;
  expMonth: number;
  expYear: number;
  cvc?: string;
  postalCode?: string;
}

export type TokenizeResult =
  | { ok: true; paymentMethodId: string }
  | { ok: false; cardError: boolean; message: string; code?: string; declineCode?: string; statusCode?: number };

export type Tokenizer = (card: CardDetails) => Promise<TokenizeResult>;

export interface StripeTokenizerOptions {
  /** Base URL of the Stripe API (the sandbox), default http://127.0.0.1:12111. */
  url?: string;
  apiKey?: string;
  timeoutMs?: number;
}

/** Tokenize with the real `stripe` client: `paymentMethods.create({ type: 'card', card })`. */
export function createStripeTokenizer(options: StripeTokenizerOptions = {}): Tokenizer {
  const u = new URL(options.url ?? DEFAULT_STRIPE_URL);
  const protocol = u.protocol === 'https:' ? 'https' : 'http';
  const stripe = new Stripe(options.apiKey ?? SIMULATOR_STRIPE_KEY, {
    host: u.hostname,
    port: u.port || (protocol === 'https' ? 443 : 80),
    protocol,
    maxNetworkRetries: 1,
    timeout: options.timeoutMs ?? 10_000,
    telemetry: false,
  });
  return async (card) => {
    try {
      const pm = await stripe.paymentMethods.create({
        type: 'card',
        card: {
          number: card.number,
          exp_month: card.expMonth,
          exp_year: card.expYear,
          ...(card.cvc === undefined ? {} : { cvc: card.cvc }),
        },
      });
      return { ok: true, paymentMethodId: pm.id };
    } catch (err) {
      if (err instanceof Stripe.errors.StripeError) {
        return {
          ok: false,
          cardError: err instanceof Stripe.errors.StripeCardError,
          message: err.message,
          ...(err.code ? { code: err.code } : {}),
          ...(err.decline_code ? { declineCode: err.decline_code } : {}),
          ...(err.statusCode ? { statusCode: err.statusCode } : {}),
        };
      }
      return { ok: false, cardError: false, message: (err as Error).message };
    }
  };
}
