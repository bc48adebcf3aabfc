/**
 * paycall's words for where a call is and how it ended, spelled once. Types, zod enums, the
 * CLI's usage text, the operator API's /api/session and the console all derive from these
 * arrays; nothing else lists them.
 */

/** The stages a call passes through, in order (the `PaycallStage` search attribute, step log entries). */
export const callSteps = [
  'greeting',
  'order-entry',
  'amount-confirmation',
  'card-capture',
  'charge',
  'mark-paid',
  'receipt',
  'refund',
  'confirmation',
  /** Connected to an operator, who may take the card payment on the live call. */
  'with-operator',
  'done',
] as const;
export type CallStep = (typeof callSteps)[number];

/** How the call workflow itself ended (its result; the `PaycallOutcome` search attribute). */
export const callOutcomes = [
  'paid',
  'declined',
  'abandoned',
  'failed',
  /** Charged, then refunded by the call itself because a later step failed for good. */
  'compensated',
  'transferred',
] as const;
export type CallOutcomeKind = (typeof callOutcomes)[number];

/** Where a refund workflow stands (the `PaycallRefundStatus` search attribute). */
export const refundStatuses = ['pending', 'refunded', 'refused', 'failed'] as const;
export type RefundStatus = (typeof refundStatuses)[number];

/**
 * What operators see and filter by: the call's own outcome, or what an operator's refund
 * did to a paid call afterwards (`refunded`, or a refund that was refused or failed).
 */
export const shownOutcomes = [...callOutcomes, 'refunded', 'refund-refused', 'refund-failed'] as const;
export type ShownOutcome = (typeof shownOutcomes)[number];

/** The shown outcome a refund status stands for in filters (`refund-refused` finds refused refunds). */
export const refundStatusOfShownOutcome: Partial<Record<ShownOutcome, RefundStatus>> = {
  refunded: 'refunded',
  'refund-refused': 'refused',
  'refund-failed': 'failed',
};

/** Shown outcomes an operator should look at: something went wrong. */
export const troubledOutcomes: readonly ShownOutcome[] = ['declined', 'failed', 'abandoned', 'refund-refused', 'refund-failed'];

/** How one attempt of a step went. */
export const stepStatuses = ['running', 'ok', 'failed', 'info'] as const;
export type StepStatus = (typeof stepStatuses)[number];
