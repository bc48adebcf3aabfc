/**
 * How long paycall's activities may take and how they are retried, in one place for the
 * call and refund workflows. Transient failures are retried with backoff (for about a
 * minute); the typed failures in src/contract/failure-types.ts never are. Each activity
 * heartbeats every second (src/activities/keep-alive.ts): a worker killed mid-activity is
 * noticed after `heartbeatTimeout`, and the attempt moves to a live worker.
 */
import type { ActivityOptions, LocalActivityOptions } from '@temporalio/workflow';
import { nonRetryableFailureTypes } from '../contract/failure-types.js';

/** Order book and SMS receipt: quick calls (their clients time out at 8 s). */
export const orderBookActivityOptions: ActivityOptions = {
  startToCloseTimeout: '10 seconds',
  heartbeatTimeout: '3 seconds',
  retry: { initialInterval: '500 ms', backoffCoefficient: 2, maximumInterval: '10 seconds', maximumAttempts: 8, nonRetryableErrorTypes: nonRetryableFailureTypes },
};

/**
 * Stripe: one attempt is at most the stripe client's own budget (8 s a request, one network
 * retry: src/stripe/stripe-client.ts), under start-to-close; the same idempotency key on
 * every attempt makes the retries safe.
 */
export const stripeActivityOptions: ActivityOptions = {
  startToCloseTimeout: '20 seconds',
  heartbeatTimeout: '3 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '10 seconds', maximumAttempts: 8, nonRetryableErrorTypes: nonRetryableFailureTypes },
};

/**
 * The same budget for the order book when a call runs it as local activities (lean calls):
 * the look-ups and marking the order paid run inside the workflow task that needs them,
 * recorded as one marker each, instead of three events and a workflow task of their own.
 * Safe because running them again changes nothing and the workflow always runs them again:
 * a look-up only reads, and marking paid (idempotent by PaymentIntent) follows a charge the
 * history already holds, so a retried workflow task takes the same path.
 *
 * The charge is NOT a local activity. A local activity's effect comes before anything is in
 * the history; if its workflow task fails (a signal arriving mid-task makes the server refuse
 * the completion), the Update that carried the card is gone and a hang-up can take the call
 * down another path: Stripe has taken money the call never records. The e2e test "a hang-up
 * while the charge is processing" does exactly that. A scheduled activity is in the history
 * before Stripe is called, so the charge is always seen through.
 */
export const orderBookLocalActivityOptions: LocalActivityOptions = {
  startToCloseTimeout: orderBookActivityOptions.startToCloseTimeout!,
  retry: orderBookActivityOptions.retry!,
};
