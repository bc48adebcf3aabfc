/** The shape of a call's (or a refund's) timeline, as the operator API, console and CLI show it. */
import type { History } from '@temporalio/common/lib/proto-utils.js';
import type { CallOutcome } from '../../contract/call.js';
import type { Reconciliation } from '../../contract/payment-events.js';
import type { RefundOutcome, RefundRequest } from '../../contract/refund.js';
import type { CallStep } from '../../contract/vocabulary.js';

export type HistoryEvent = NonNullable<History['events']>[number];

/** A timeline entry is a step attempt, or the call's start, a hang-up, its outcome, or a dispute Stripe reported. */
export type TimelineStep = CallStep | 'call' | 'outcome' | 'dispute';
export type EntryStatus = 'ok' | 'failed' | 'running' | 'info';

export interface TimelineError {
  /** The failure type (`CardDeclined`, `OrderNotPayable`, …) or `<Pay>`. */
  type?: string;
  /** Stripe's `code`, paycall's failure code, or `<Pay>`'s Result. */
  code?: string;
  /** Stripe's `decline_code`, for card declines. */
  declineCode?: string;
  message: string;
}

export interface TimelineEntry {
  /** Stable key: `<workflow id>#<first event id>`, or `<workflow id>#step-<n>` for step log entries. */
  id: string;
  step: TimelineStep;
  /** Human title: "Charge", "Card capture", "Order entry", … */
  title: string;
  /** Which try of this step (card capture 2 → charge 2). */
  attempt?: number;
  status: EntryStatus;
  startedAt: string;
  endedAt?: string;
  durationMs?: number;
  /** One line in business terms. */
  summary: string;
  error?: TimelineError;
  paymentIntentId?: string;
  refundId?: string;
  paymentMethodId?: string;
  idempotencyKey?: string;
  card?: { brand?: string; last4?: string };
  /** Temporal's attempt count when an activity was retried (transient failures). */
  activityAttempts?: number;
  /** The last transient failure before the final attempt. */
  retriedAfter?: string;
  /** This is where the call failed. */
  failing?: boolean;
  /** Which workflow and history events this entry was read from. */
  source: { workflowId: string; eventIds: number[] };
  /** Entries from Stripe's reports: the Stripe event that said so. */
  stripeEventId?: string;
  /** Entries from Stripe's reports: the Stripe event's own time (`created`, whole seconds). */
  reportedAt?: string;
  disputeId?: string;
}

/** A dispute (chargeback) of the call's payment, as Stripe last reported it. */
export interface DisputeSummary {
  disputeId: string;
  paymentIntentId: string;
  /** Stripe's status: needs_response, under_review, won, lost, … */
  status: string;
  /** The cardholder's reason: fraudulent, product_not_received, … */
  reason: string;
  amount: number;
  currency: string;
  open: boolean;
  openedAt: string;
  /** When evidence is due (open disputes). */
  dueBy?: string;
}

export type ExecutionStatus = 'running' | 'completed' | 'failed' | 'terminated' | 'canceled' | 'timed-out' | 'continued-as-new';

export interface Timeline {
  workflowId: string;
  runId?: string;
  workflowType: string;
  status: ExecutionStatus;
  /**
   * Where the steps came from: the workflow's own step log, or (`legacy-history`) a
   * reconstruction from history for calls recorded before the step log, or a running call
   * whose state no worker answered for.
   */
  source: 'step-log' | 'legacy-history';
  startedAt?: string;
  closedAt?: string;
  callSid?: string;
  /** The call's outcome (call workflows, once closed). */
  outcome?: CallOutcome;
  /** The refund's outcome (refund workflows, once closed). */
  refund?: RefundOutcome;
  /** A refund workflow's request. */
  refundRequest?: RefundRequest;
  /** Current step of a running call. */
  stage?: string;
  orderId?: string;
  amount?: number;
  currency?: string;
  paymentIntentId?: string;
  /** What an operator should see: the call's outcome, or `refunded` once an operator refund went through. */
  effectiveOutcome?: string;
  /** How many payloads could not be read: encrypted, and no PAYLOAD_ENCRYPTION_KEY to decrypt them. */
  unreadablePayloads?: number;
  /** Total of operator refunds that went through (mergeRefunds). */
  refundedAmount?: number;
  /** Disputes Stripe reported (mergeStripeReports). */
  disputes?: DisputeSummary[];
  /** What paycall did about a charge Stripe reported that the call never recorded (mergeStripeReports). */
  reconciliations?: (Reconciliation & { paymentIntentId: string })[];
  entries: TimelineEntry[];
  /** One line: where (and why) the payment failed, or what happened instead. */
  whereFailed: string;
  failingEntryId?: string;
}
