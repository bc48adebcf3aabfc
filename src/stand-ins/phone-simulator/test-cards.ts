/**
 * Stripe's test card numbers by name, so a scripted caller can say `pay=visa` or
 * `pay=declined` instead of typing numbers (they live here, in the stand-in, and in
 * tests only). Each pays or fails in the Stripe sandbox as Stripe documents.
 */
export const namedTestCards = {
  visa: '4242424242424242',
  mastercard: '5555555555554444',
  amex: '378282246310005',
  // Stripe's test cards by brand (docs.stripe.com/testing): JCB, and Diners Club's 16-digit number.
  jcb: '3566002020360505',
  diners: '3056930009020004',
  'diners-14': '36227206271667',
  declined: '4000000000000002',
  'insufficient-funds': '4000000000009995',
  'expired-card': '4000000000000069',
  'incorrect-cvc': '4000000000000127',
  'processing-error': '4000000000000119',
  'needs-authentication': '4000002500003155',
  // Later at Stripe (the sandbox's webhooks): a refund stays pending, a refund fails, the charge is disputed.
  'pending-refund': '4000000000007726',
  'refund-fails': '4000000000005126',
  disputed: '4000000000000259',
} as const;

export type TestCardName = keyof typeof namedTestCards;

/** A future expiry (MMYY) and a CVC of the right length, for a named card used without them. */
export const defaultTestExpiry = '1234';

export function defaultTestSecurityCode(name: TestCardName): string {
  return name === 'amex' ? '1234' : '123';
}

export function isTestCardName(value: string): value is TestCardName {
  return Object.hasOwn(namedTestCards, value);
}
