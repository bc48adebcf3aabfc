/**
 * Reading a call workflow from the worker, for the payment events workflow's reconciliation:
 * is the call still running, and once it has ended, which PaymentIntents did it record as
 * charged? Built from the worker's own Temporal connection (src/worker/worker.ts), with the
 * same payload codec, so encrypted results read as the operator tools read them.
 */
import { WorkflowFailedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { CallOutcome } from '../contract/call.js';
import type { CallRecord } from '../contract/payment-events.js';
import type { PaymentEventActivities } from './types.js';

export function createCallRecordActivities(client: Client): Pick<PaymentEventActivities, 'readCallRecord'> {
  async function readCallRecord(callWorkflowId: string): Promise<CallRecord> {
    const handle = client.workflow.getHandle(callWorkflowId);
    let status: string;
    try {
      status = (await handle.describe()).status.name;
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return { state: 'not-found' };
      throw err;
    }
    if (status === 'RUNNING') return { state: 'running' };
    const closeStatus = status.toLowerCase().replace(/_/g, '-');
    try {
      const outcome = (await handle.result()) as CallOutcome;
      const chargedIntentIds = (outcome.steps ?? [])
        .filter((s) => s.step === 'charge' && s.status === 'ok' && s.paymentIntentId)
        .map((s) => s.paymentIntentId as string);
      return {
        state: 'closed',
        status: closeStatus,
        outcome: { outcome: outcome.outcome, ...(outcome.paymentIntentId ? { paymentIntentId: outcome.paymentIntentId } : {}), chargedIntentIds },
      };
    } catch (err) {
      if (err instanceof WorkflowFailedError) return { state: 'closed', status: closeStatus };
      throw err;
    }
  }
  return { readCallRecord };
}
