/**
 * Operator filters (API query string, CLI flags) and the Temporal list query they become.
 * Every value is validated against the contract's vocabulary or a pattern first.
 */
import { z } from 'zod';
import { callWorkflowType } from '../../contract/call.js';
import { paymentEventsWorkflowType } from '../../contract/payment-events.js';
import { refundWorkflowType } from '../../contract/refund.js';
import { PaycallFailureStep, PaycallOrderId, PaycallOutcome, PaycallRefundStatus, PaycallStage } from '../../contract/search-attributes.js';
import { callSteps, refundStatusOfShownOutcome, shownOutcomes, type ShownOutcome } from '../../contract/vocabulary.js';

/** `45s`, `30m`, `2h`, `7d`, `1w` before now, or an ISO date/time. */
export function parseSince(text: string, now = new Date()): Date {
  const relative = /^(\d{1,6})\s*(s|m|h|d|w)$/.exec(text.trim());
  if (relative) {
    const unitMs = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[relative[2] as 's' | 'm' | 'h' | 'd' | 'w'];
    return new Date(now.getTime() - Number(relative[1]) * unitMs);
  }
  const absolute = new Date(text);
  if (!/^\d{4}-\d{2}-\d{2}/.test(text.trim()) || Number.isNaN(absolute.getTime())) {
    throw new Error(`"${text}" is not a duration like 30m, 2h, 7d or an ISO date like 2026-11-27T09:00Z`);
  }
  return absolute;
}

export const callFiltersSchema = z.object({
  outcome: z.enum(shownOutcomes).optional(),
  failedAt: z.enum(callSteps).optional(),
  stage: z.enum(callSteps).optional(),
  order: z.string().regex(/^[0-9]{1,20}$/, 'must be the order number (digits)').optional(),
  since: z
    .string()
    .max(40)
    .transform((text, ctx) => {
      try {
        return parseSince(text);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message });
        return z.NEVER;
      }
    })
    .optional(),
  pageSize: z.coerce.number().int().min(1).max(100).default(25),
  pageToken: z.string().max(4096).regex(/^[A-Za-z0-9+/=_-]+$/, 'not a page token from this API').optional(),
});
export type CallFilters = z.input<typeof callFiltersSchema>;
export type ParsedCallFilters = z.output<typeof callFiltersSchema>;

/** The refund outcomes are found through refund workflows (their status attribute), then shown as their calls. */
export function findsRefundWorkflows(filters: ParsedCallFilters): boolean {
  return Boolean(filters.outcome && refundStatusOfShownOutcome[filters.outcome]) || filters.failedAt === 'refund';
}

const quote = (value: string) => `'${value.replace(/'/g, "''")}'`;

function outcomeClause(outcome: ShownOutcome): string {
  const refundStatus = refundStatusOfShownOutcome[outcome];
  if (refundStatus) {
    // Refunds started before the status attribute existed said `refunded` in PaycallOutcome.
    const legacy = refundStatus === 'refunded' ? ` OR ${PaycallOutcome.name} = 'refunded'` : '';
    // A refund Stripe failed after accepting it: its refund workflow said pending or refunded; the PaymentIntent's events workflow says failed.
    const types = refundStatus === 'failed' ? `WorkflowType IN (${quote(refundWorkflowType)}, ${quote(paymentEventsWorkflowType)})` : `WorkflowType = ${quote(refundWorkflowType)}`;
    return `${types} AND (${PaycallRefundStatus.name} = ${quote(refundStatus)}${legacy})`;
  }
  // Calls that refunded themselves before the `compensated` outcome existed said `refunded`.
  const match = outcome === 'compensated' ? `IN ('compensated', 'refunded')` : `= ${quote(outcome)}`;
  return `WorkflowType = ${quote(callWorkflowType)} AND ${PaycallOutcome.name} ${match}`;
}

export function buildCallsQuery(filters: ParsedCallFilters): string {
  const parts: string[] = [];
  if (filters.outcome) parts.push(outcomeClause(filters.outcome));
  if (filters.failedAt === 'refund') {
    parts.push(
      `((WorkflowType = ${quote(callWorkflowType)} AND ${PaycallFailureStep.name} = 'refund') OR (WorkflowType = ${quote(refundWorkflowType)} AND ${PaycallRefundStatus.name} IN ('refused', 'failed')) OR (WorkflowType = ${quote(paymentEventsWorkflowType)} AND ${PaycallRefundStatus.name} = 'failed'))`,
    );
  } else if (filters.failedAt) {
    parts.push(`${PaycallFailureStep.name} = ${quote(filters.failedAt)}`);
  }
  if (!filters.outcome && filters.failedAt !== 'refund') parts.unshift(`WorkflowType = ${quote(callWorkflowType)}`);
  if (filters.stage) parts.push(`${PaycallStage.name} = ${quote(filters.stage)}`);
  if (filters.order) parts.push(`${PaycallOrderId.name} = ${quote(filters.order)}`);
  if (filters.since) parts.push(`StartTime >= ${quote(filters.since.toISOString())}`);
  return parts.join(' AND ');
}
