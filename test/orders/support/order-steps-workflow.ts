/**
 * A test-only workflow that runs the call workflow's two order-book steps (look the order
 * up, mark it paid) through real Temporal activity scheduling: the same non-retryable
 * failure types as the call workflow, shorter backoff so retries are quick in tests.
 */
import { ActivityFailure, ApplicationFailure, proxyActivities } from '@temporalio/workflow';
import type { CallActivities } from '../../../src/activities/types.js';
import { nonRetryableFailureTypes } from '../../../src/contract/failure-types.js';
import type { Order } from '../../../src/orders/order-book.js';

const { lookupOrder, markOrderPaid } = proxyActivities<Pick<CallActivities, 'lookupOrder' | 'markOrderPaid'>>({
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '50 ms', backoffCoefficient: 2, maximumInterval: '200 ms', maximumAttempts: 6, nonRetryableErrorTypes: nonRetryableFailureTypes },
});

export interface OrderStepsResult {
  found: Order | null;
  paid?: Order;
  /** When a step failed for good: the ApplicationFailure type and its message. */
  failure?: { step: 'lookup' | 'mark-paid'; type: string; message: string };
}

function failureOf(step: 'lookup' | 'mark-paid', err: unknown): OrderStepsResult['failure'] {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (cause instanceof ApplicationFailure) return { step, type: cause.type ?? 'unknown', message: cause.message };
  throw err;
}

export async function orderStepsWorkflow(input: { orderId: string; paymentIntentId: string }): Promise<OrderStepsResult> {
  let found: Order | null;
  try {
    found = await lookupOrder(input.orderId);
  } catch (err) {
    return { found: null, failure: failureOf('lookup', err) };
  }
  try {
    return { found, paid: await markOrderPaid(input) };
  } catch (err) {
    return { found, failure: failureOf('mark-paid', err) };
  }
}
