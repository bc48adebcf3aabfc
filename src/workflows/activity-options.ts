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
 * The same budgets for the activities a call runs as local activities (since the one call
 * deadline): the order look-ups, the charge and marking the order paid run inside the
 * workflow task that needs them, recorded as one marker each, instead of three events and a
 * workflow task of their own. Safe to run again: a worker that dies mid-attempt loses the
 * workflow task, and the next worker runs the attempt again with the same idempotency key
 * (the order book's look-up reads; marking paid is idempotent by PaymentIntent).
 */
export const orderBookLocalActivityOptions: LocalActivityOptions = {
  startToCloseTimeout: orderBookActivityOptions.startToCloseTimeout!,
  retry: orderBookActivityOptions.retry!,
};

export const stripeLocalActivityOptions: LocalActivityOptions = {
  startToCloseTimeout: stripeActivityOptions.startToCloseTimeout!,
  retry: stripeActivityOptions.retry!,
};
