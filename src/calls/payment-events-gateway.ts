/**
 * How the web layer hands a verified Stripe event to its PaymentIntent's workflow:
 * signalWithStart on `payment-events-<PaymentIntent>` (src/contract/payment-events.ts), so the
 * first event starts it and later ones reach the same run. Under a short deadline: when
 * Temporal does not answer, the route answers 5xx and Stripe delivers the event again (the
 * workflow applies each event id once, so a delivery that did land is not applied twice).
 */
import type { Client } from '@temporalio/client';
import {
  paymentEventsWorkflowId,
  paymentEventsWorkflowType,
  stripeEventSignal,
  type PaymentEvent,
  type PaymentEventsInput,
  type PaymentEventsMemo,
} from '../contract/payment-events.js';
import { PaycallOrderId } from '../contract/search-attributes.js';

export class PaymentEventsGateway {
  constructor(
    private readonly client: Client,
    private readonly options: { taskQueue: string; deadlineMs: number },
  ) {}

  /** Delivers `event`; resolves with the workflow id once Temporal has recorded the signal. */
  async deliver(event: PaymentEvent): Promise<string> {
    const workflowId = paymentEventsWorkflowId(event.paymentIntentId);
    const input: PaymentEventsInput = { paymentIntentId: event.paymentIntentId };
    // The memo a brand-new run starts with: operator reads find it before its first workflow task.
    const memo: PaymentEventsMemo = {
      paymentIntentId: event.paymentIntentId,
      ...(event.callWorkflowId ? { callWorkflowId: event.callWorkflowId } : {}),
      state: { paymentIntentId: event.paymentIntentId, ...(event.callWorkflowId ? { callWorkflowId: event.callWorkflowId } : {}), ...(event.orderId ? { orderId: event.orderId } : {}), refunds: [], disputes: [], entries: [] },
    };
    await this.client.withDeadline(Date.now() + this.options.deadlineMs, () =>
      this.client.workflow.signalWithStart(paymentEventsWorkflowType, {
        workflowId,
        taskQueue: this.options.taskQueue,
        args: [input],
        signal: stripeEventSignal,
        signalArgs: [event],
        memo: { ...memo },
        ...(event.orderId ? { typedSearchAttributes: [{ key: PaycallOrderId, value: event.orderId }] } : {}),
      }),
    );
    return workflowId;
  }
}
