/**
 * Plays the operator scenarios and fetches their histories: paid, declined, abandoned,
 * refunded (the call refunds itself when the order cannot be marked paid) and an operator
 * refund of the paid call (a refund workflow). Used by the timeline tests (live) and by
 * record-histories.ts, which writes them to test/operators/histories/ as fixtures.
 */
import type { Client } from '@temporalio/client';
import type { History } from '@temporalio/common/lib/proto-utils.js';
import { callWorkflowId } from '../../../src/contract/call.js';
import { CallQueries } from '../../../src/operators/read/call-queries.js';
import { RefundService } from '../../../src/operators/refunds.js';
import { playAbandoned, playCompensated, playDeclined, playPaid, type Played, type TestOrders } from './scenarios.js';

export const recordedScenarios = ['paid', 'declined', 'abandoned', 'refunded', 'operator-refund'] as const;
export type RecordedScenario = (typeof recordedScenarios)[number];

export interface Recorded {
  histories: Record<RecordedScenario, History>;
  played: Record<Exclude<RecordedScenario, 'operator-refund'>, Played>;
  refundWorkflowId: string;
}

export async function recordScenarios(client: Client, namespace: string, taskQueue: string, orders: TestOrders): Promise<Recorded> {
  const [paid, declined, abandoned, refunded] = await Promise.all([
    playPaid(client, taskQueue, orders.add()),
    playDeclined(client, taskQueue, orders.add()),
    playAbandoned(client, taskQueue, orders.add()),
    playCompensated(client, taskQueue, orders, orders.add()),
  ]);
  const queries = new CallQueries(client, { namespace });
  const refund = await new RefundService(client, queries, { taskQueue }).refund(paid.call.input.callSid, { full: true, requestId: 'fixture-refund' });
  if (refund.refund.status !== 'refunded') throw new Error(`operator refund did not go through: ${JSON.stringify(refund)}`);
  const history = (workflowId: string) => client.workflow.getHandle(workflowId).fetchHistory();
  const call = (p: Played) => history(callWorkflowId(p.call.input.callSid));
  return {
    histories: {
      paid: await call(paid),
      declined: await call(declined),
      abandoned: await call(abandoned),
      refunded: await call(refunded),
      'operator-refund': await history(refund.refund.workflowId),
    },
    played: { paid, declined, abandoned, refunded },
    refundWorkflowId: refund.refund.workflowId,
  };
}
