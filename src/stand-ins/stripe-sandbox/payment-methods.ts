/**
 * PaymentMethods: `POST /v1/payment_methods` (type `card`, from card details or a `tok_*` test
 * token) and `GET /v1/payment_methods/:id`. Test ids such as `pm_card_visa` become a new
 * `pm_…` PaymentMethod wherever they are used, as in Stripe test mode.
 *
 * Card checks are Stripe's card errors (HTTP 402): `invalid_number` (not 12–19 digits),
 * `incorrect_number` (Luhn), `invalid_expiry_month`, `invalid_expiry_year` (past, or more than 50
 * years ahead), `invalid_cvc` (not 3 digits, 4 for amex). The number and CVC are used for these
 * checks and dropped: only brand, last4, expiry and the behaviour tag are kept.
 */
import { createHash } from 'node:crypto';
import { cardError, invalidRequest, parameterMissing, resourceMissing } from './errors.js';
import type { FormObject } from './form.js';
import { newId, nowSeconds, type PaymentMethodObject } from './objects.js';
import { checkAllowed, mergeMetadata, optMetadata, optString, reqString, type ParamSpec } from './params.js';
import { own, type Route } from './routes.js';
import type { Store, StoredPaymentMethod } from './store.js';
import { classifyNumber, luhnValid, testPaymentMethods, testTokens, type Aftermath, type Behaviour, type CardBrand } from './test-cards.js';

const createSpec: Record<string, ParamSpec> = {
  type: 'scalar',
  card: { number: 'scalar', exp_month: 'scalar', exp_year: 'scalar', cvc: 'scalar', token: 'scalar' },
  billing_details: {
    name: 'scalar',
    email: 'scalar',
    phone: 'scalar',
    address: { city: 'scalar', country: 'scalar', line1: 'scalar', line2: 'scalar', postal_code: 'scalar', state: 'scalar' },
  },
  metadata: 'metadata',
};

interface CardFacts {
  brand: CardBrand;
  last4: string;
  expMonth: number;
  expYear: number;
  behaviour: Behaviour;
  aftermath?: Aftermath;
  cvcChecked: boolean;
}

function buildPaymentMethod(card: CardFacts, params: FormObject | undefined): PaymentMethodObject {
  const bd = (key: string): string | null => (params ? (optString(params, 'billing_details', key) ?? null) : null);
  const addr = (key: string): string | null => (params ? (optString(params, 'billing_details', 'address', key) ?? null) : null);
  return {
    id: newId('pm'),
    object: 'payment_method',
    allow_redisplay: 'unspecified',
    billing_details: {
      address: {
        city: addr('city'),
        country: addr('country'),
        line1: addr('line1'),
        line2: addr('line2'),
        postal_code: addr('postal_code'),
        state: addr('state'),
      },
      email: bd('email'),
      name: bd('name'),
      phone: bd('phone'),
    },
    card: {
      brand: card.brand,
      checks: {
        address_line1_check: null,
        address_postal_code_check: null,
        cvc_check: card.cvcChecked ? 'pass' : null,
      },
      country: 'US',
      display_brand: card.brand === 'amex' ? 'american_express' : card.brand,
      exp_month: card.expMonth,
      exp_year: card.expYear,
      // Stable per card like Stripe's, but derived only from what we may keep (never the number).
      fingerprint: createHash('sha256')
        .update(`${card.brand}:${card.last4}:${card.expMonth}:${card.expYear}`)
        .digest('base64url')
        .slice(0, 16),
      funding: 'credit',
      last4: card.last4,
      networks: { available: [card.brand], preferred: null },
      three_d_secure_usage: { supported: true },
      wallet: null,
    },
    created: nowSeconds(),
    customer: null,
    livemode: false,
    metadata: params ? mergeMetadata({}, optMetadata(params)) : {},
    type: 'card',
  };
}

function save(store: Store, card: CardFacts, object: PaymentMethodObject): StoredPaymentMethod {
  const stored: StoredPaymentMethod = { seq: store.nextSeq(), behaviour: card.behaviour, object };
  if (card.aftermath !== undefined) stored.aftermath = card.aftermath;
  store.state.paymentMethods[object.id] = stored;
  return stored;
}

/** A card from Stripe's test table, expiring a year from now (as Stripe's test PaymentMethods do). */
function testCardFacts(card: { brand: CardBrand; last4: string; behaviour: Behaviour; aftermath?: Aftermath }): CardFacts {
  const now = new Date();
  return { ...card, expMonth: now.getUTCMonth() + 1, expYear: now.getUTCFullYear() + 1, cvcChecked: true };
}

/**
 * The PaymentMethod named by `id` (a stored `pm_…`, or a test id like `pm_card_visa`, which
 * creates a new one). Unknown ids → `resource_missing` on `param`.
 */
export function resolvePaymentMethod(store: Store, id: string, param: string, status = 400): StoredPaymentMethod {
  const stored = own(store.state.paymentMethods, id);
  if (stored) return stored;
  const test = testPaymentMethods.get(id);
  if (test) {
    const facts = testCardFacts(test);
    return save(store, facts, buildPaymentMethod(facts, undefined));
  }
  throw resourceMissing('PaymentMethod', id, param, status);
}

function checkCard(params: FormObject): CardFacts {
  const number = reqString(params, 'card', 'number').replace(/[\s-]/g, '');
  const expMonthRaw = reqString(params, 'card', 'exp_month');
  const expYearRaw = reqString(params, 'card', 'exp_year');
  const cvc = optString(params, 'card', 'cvc');
  if (!/^\d{12,19}$/.test(number)) {
    throw cardError({ code: 'invalid_number', message: 'The card number is not a valid credit card number.', param: 'number' });
  }
  if (!luhnValid(number)) {
    throw cardError({ code: 'incorrect_number', message: 'Your card number is incorrect.', param: 'number' });
  }
  const { brand, behaviour, aftermath } = classifyNumber(number);
  const expMonth = /^\d{1,2}$/.test(expMonthRaw) ? Number(expMonthRaw) : NaN;
  if (!(expMonth >= 1 && expMonth <= 12)) {
    throw cardError({ code: 'invalid_expiry_month', message: "Your card's expiration month is invalid.", param: 'exp_month' });
  }
  let expYear = /^\d{2}$|^\d{4}$/.test(expYearRaw) ? Number(expYearRaw) : NaN;
  if (expYearRaw.length === 2) expYear += 2000;
  const now = new Date();
  const year = now.getUTCFullYear();
  if (!(expYear >= year && expYear <= year + 50)) {
    throw cardError({ code: 'invalid_expiry_year', message: "Your card's expiration year is invalid.", param: 'exp_year' });
  }
  if (expYear === year && expMonth < now.getUTCMonth() + 1) {
    throw cardError({ code: 'invalid_expiry_month', message: "Your card's expiration month is invalid.", param: 'exp_month' });
  }
  if (cvc !== undefined && cvc !== '') {
    const expected = brand === 'amex' ? 4 : 3;
    if (!/^\d+$/.test(cvc) || cvc.length !== expected) {
      throw cardError({ code: 'invalid_cvc', message: "Your card's security code is invalid.", param: 'cvc' });
    }
  }
  const facts: CardFacts = { brand, last4: number.slice(-4), expMonth, expYear, behaviour, cvcChecked: cvc !== undefined && cvc !== '' };
  if (aftermath !== undefined) facts.aftermath = aftermath;
  return facts;
}

export function paymentMethodRoutes(store: Store): Route[] {
  return [
    {
      method: 'POST',
      pattern: /^\/v1\/payment_methods$/,
      prepare(params) {
        checkAllowed(params, createSpec);
        const type = reqString(params, 'type');
        if (type !== 'card') {
          throw invalidRequest(`Invalid type: the Stripe sandbox supports only type=card (got ${type}).`, { param: 'type' });
        }
        if (!Object.hasOwn(params, 'card')) throw parameterMissing('card');
        const token = optString(params, 'card', 'token');
        if (token !== undefined) {
          for (const key of ['number', 'exp_month', 'exp_year', 'cvc']) {
            if (optString(params, 'card', key) !== undefined) {
              throw invalidRequest(`You cannot pass card[${key}] together with card[token].`, { param: `card[${key}]` });
            }
          }
        } else {
          reqString(params, 'card', 'number');
          reqString(params, 'card', 'exp_month');
          reqString(params, 'card', 'exp_year');
        }
        return {
          run() {
            if (token !== undefined) {
              const card = testTokens.get(token);
              if (!card) throw resourceMissing('token', token, 'card[token]', 400);
              const facts = testCardFacts(card);
              return save(store, facts, buildPaymentMethod(facts, params)).object;
            }
            const facts = checkCard(params);
            return save(store, facts, buildPaymentMethod(facts, params)).object;
          },
        };
      },
    },
    {
      method: 'GET',
      pattern: /^\/v1\/payment_methods\/([^/]+)$/,
      prepare(params, [id]) {
        checkAllowed(params, {});
        return { run: () => resolvePaymentMethod(store, id ?? '', 'id', 404).object };
      },
    },
  ];
}
