/**
 * Stripe's test-mode payment methods and card numbers, and what each one does when a
 * PaymentIntent is confirmed with it (../../../../shared/reference/stripe.md §5, Stripe's
 * testing page, https://docs.stripe.com/testing: "Simulate a dispute", "Simulate an asynchronous
 * refund"). Card numbers live only here and in the sandbox's tests: the sandbox keeps brand,
 * last4 and expiry of a card plus the `Behaviour` and `Aftermath` tags below, never the number
 * or the CVC.
 */

export type Behaviour =
  | 'succeed'
  | 'decline_generic'
  | 'decline_insufficient_funds'
  | 'decline_lost_card'
  | 'decline_stolen_card'
  | 'decline_expired_card'
  | 'decline_incorrect_cvc'
  | 'decline_processing_error'
  | 'requires_authentication';

/**
 * What happens after a successful charge with the card (Stripe's testing page):
 * - `refund_pending` (4000000000007726, pm_card_pendingRefund): a refund starts `pending` and
 *   later `succeeded` (`refund.updated`);
 * - `refund_fails` (4000000000005126, pm_card_refundFail): a refund starts `succeeded` and later
 *   `failed` with `failure_reason: 'expired_or_canceled_card'` (`refund.failed`);
 * - `dispute_fraudulent` (4000000000000259, pm_card_createDispute) and
 *   `dispute_product_not_received` (4000000000002685, pm_card_createDisputeProductNotReceived):
 *   the charge succeeds, then is disputed (`charge.dispute.created`).
 */
export type Aftermath = 'refund_pending' | 'refund_fails' | 'dispute_fraudulent' | 'dispute_product_not_received';

export type CardBrand = 'visa' | 'mastercard' | 'amex' | 'discover' | 'jcb' | 'diners' | 'unionpay' | 'unknown';

export interface TestCard {
  brand: CardBrand;
  last4: string;
  behaviour: Behaviour;
  aftermath?: Aftermath;
}

/** What a declining behaviour answers: Stripe's `code`, `decline_code`, `message`, `param`. */
export interface DeclineShape {
  code: string;
  decline_code?: string;
  message: string;
  param?: string;
}

export const declines: Record<Exclude<Behaviour, 'succeed' | 'requires_authentication'>, DeclineShape> & {
  authentication_required: DeclineShape;
} = {
  decline_generic: { code: 'card_declined', decline_code: 'generic_decline', message: 'Your card was declined.' },
  decline_insufficient_funds: {
    code: 'card_declined',
    decline_code: 'insufficient_funds',
    message: 'Your card has insufficient funds.',
  },
  decline_lost_card: { code: 'card_declined', decline_code: 'lost_card', message: 'Your card was declined.' },
  decline_stolen_card: { code: 'card_declined', decline_code: 'stolen_card', message: 'Your card was declined.' },
  decline_expired_card: { code: 'expired_card', message: 'Your card has expired.', param: 'exp_month' },
  decline_incorrect_cvc: { code: 'incorrect_cvc', message: "Your card's security code is incorrect.", param: 'cvc' },
  decline_processing_error: {
    code: 'processing_error',
    message: 'An error occurred while processing your card. Try again in a little bit.',
  },
  authentication_required: {
    code: 'authentication_required',
    decline_code: 'authentication_required',
    message: 'Your card was declined. This transaction requires authentication.',
  },
};

/**
 * Test card numbers → brand and behaviour (Stripe's table). Any other number that passes the
 * Luhn check succeeds, with its brand guessed from the prefix.
 */
const testNumbers: Record<string, { brand: CardBrand; behaviour: Behaviour; aftermath?: Aftermath }> = {
  '4242424242424242': { brand: 'visa', behaviour: 'succeed' },
  '5555555555554444': { brand: 'mastercard', behaviour: 'succeed' },
  '378282246310005': { brand: 'amex', behaviour: 'succeed' },
  // JCB and Diners Club, as Stripe's testing page lists them (Diners also in its 14-digit form).
  '3566002020360505': { brand: 'jcb', behaviour: 'succeed' },
  '3056930009020004': { brand: 'diners', behaviour: 'succeed' },
  '36227206271667': { brand: 'diners', behaviour: 'succeed' },
  '4000000000000002': { brand: 'visa', behaviour: 'decline_generic' },
  '4000000000009995': { brand: 'visa', behaviour: 'decline_insufficient_funds' },
  '4000000000009987': { brand: 'visa', behaviour: 'decline_lost_card' },
  '4000000000009979': { brand: 'visa', behaviour: 'decline_stolen_card' },
  '4000000000000069': { brand: 'visa', behaviour: 'decline_expired_card' },
  '4000000000000127': { brand: 'visa', behaviour: 'decline_incorrect_cvc' },
  '4000000000000119': { brand: 'visa', behaviour: 'decline_processing_error' },
  '4000002500003155': { brand: 'visa', behaviour: 'requires_authentication' },
  '4000002760003184': { brand: 'visa', behaviour: 'requires_authentication' },
  '4000000000007726': { brand: 'visa', behaviour: 'succeed', aftermath: 'refund_pending' },
  '4000000000005126': { brand: 'visa', behaviour: 'succeed', aftermath: 'refund_fails' },
  '4000000000000259': { brand: 'visa', behaviour: 'succeed', aftermath: 'dispute_fraudulent' },
  '4000000000002685': { brand: 'visa', behaviour: 'succeed', aftermath: 'dispute_product_not_received' },
};

/** Test PaymentMethod ids (`pm_card_*`) and their card. Aliases share a row. */
const pmRows: Array<[ids: string[], card: TestCard]> = [
  [['pm_card_visa'], { brand: 'visa', last4: '4242', behaviour: 'succeed' }],
  [['pm_card_mastercard'], { brand: 'mastercard', last4: '4444', behaviour: 'succeed' }],
  [['pm_card_amex'], { brand: 'amex', last4: '0005', behaviour: 'succeed' }],
  [['pm_card_jcb'], { brand: 'jcb', last4: '0505', behaviour: 'succeed' }],
  [['pm_card_diners'], { brand: 'diners', last4: '0004', behaviour: 'succeed' }],
  [['pm_card_visa_chargeDeclined', 'pm_card_chargeDeclined'], { brand: 'visa', last4: '0002', behaviour: 'decline_generic' }],
  [
    ['pm_card_visa_chargeDeclinedInsufficientFunds', 'pm_card_chargeDeclinedInsufficientFunds'],
    { brand: 'visa', last4: '9995', behaviour: 'decline_insufficient_funds' },
  ],
  [
    ['pm_card_visa_chargeDeclinedLostCard', 'pm_card_chargeDeclinedLostCard'],
    { brand: 'visa', last4: '9987', behaviour: 'decline_lost_card' },
  ],
  [
    ['pm_card_visa_chargeDeclinedStolenCard', 'pm_card_chargeDeclinedStolenCard'],
    { brand: 'visa', last4: '9979', behaviour: 'decline_stolen_card' },
  ],
  [['pm_card_chargeDeclinedExpiredCard'], { brand: 'visa', last4: '0069', behaviour: 'decline_expired_card' }],
  [['pm_card_chargeDeclinedIncorrectCvc'], { brand: 'visa', last4: '0127', behaviour: 'decline_incorrect_cvc' }],
  [['pm_card_chargeDeclinedProcessingError'], { brand: 'visa', last4: '0119', behaviour: 'decline_processing_error' }],
  [['pm_card_threeDSecure2Required'], { brand: 'visa', last4: '3155', behaviour: 'requires_authentication' }],
  [['pm_card_authenticationRequired'], { brand: 'visa', last4: '3184', behaviour: 'requires_authentication' }],
  [['pm_card_pendingRefund'], { brand: 'visa', last4: '7726', behaviour: 'succeed', aftermath: 'refund_pending' }],
  [['pm_card_refundFail'], { brand: 'visa', last4: '5126', behaviour: 'succeed', aftermath: 'refund_fails' }],
  [['pm_card_createDispute'], { brand: 'visa', last4: '0259', behaviour: 'succeed', aftermath: 'dispute_fraudulent' }],
  [
    ['pm_card_createDisputeProductNotReceived'],
    { brand: 'visa', last4: '2685', behaviour: 'succeed', aftermath: 'dispute_product_not_received' },
  ],
];

export const testPaymentMethods: ReadonlyMap<string, TestCard> = new Map(
  pmRows.flatMap(([ids, card]) => ids.map((id) => [id, card] as const)),
);

/** `tok_*` test tokens accepted as `card[token]` when creating a PaymentMethod. */
export const testTokens: ReadonlyMap<string, TestCard> = new Map(
  [...testPaymentMethods].map(([id, card]) => [id.replace(/^pm_card_/, 'tok_'), card] as const),
);

export function luhnValid(number: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = number.length - 1; i >= 0; i--) {
    let digit = number.charCodeAt(i) - 48;
    if (double) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
    double = !double;
  }
  return sum % 10 === 0;
}

export function brandOf(number: string): CardBrand {
  if (/^4/.test(number)) return 'visa';
  if (/^(5[1-5]|2(2[2-9]|[3-6]\d|7[01]|720))/.test(number)) return 'mastercard';
  if (/^3[47]/.test(number)) return 'amex';
  if (/^(6011|65|64[4-9])/.test(number)) return 'discover';
  if (/^35(2[89]|[3-8])/.test(number)) return 'jcb';
  if (/^3(0[0-5]|[689])/.test(number)) return 'diners';
  if (/^62/.test(number)) return 'unionpay';
  return 'unknown';
}

/** Brand and behaviours of a (digits-only, Luhn-valid) card number. */
export function classifyNumber(number: string): { brand: CardBrand; behaviour: Behaviour; aftermath?: Aftermath } {
  return testNumbers[number] ?? { brand: brandOf(number), behaviour: 'succeed' };
}
