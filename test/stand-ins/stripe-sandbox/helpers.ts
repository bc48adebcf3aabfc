/** Test helpers for the Stripe sandbox's own suite (the sandbox itself: ../helpers/sandbox.ts). */
import type Stripe from 'stripe';

export { startTestSandbox, testApiKey, type TestSandbox } from '../../helpers/sandbox.js';

/** Runs `fn`, expecting it to throw; returns the error (fails the test if nothing is thrown). */
export async function caught(fn: () => Promise<unknown>): Promise<Stripe.errors.StripeError> {
  try {
    await fn();
  } catch (err) {
    return err as Stripe.errors.StripeError;
  }
  throw new Error('expected the call to throw, it resolved');
}
