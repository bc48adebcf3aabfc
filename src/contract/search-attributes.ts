import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/**
 * Typed search attributes paycall's call workflow maintains, so operators can find calls
 * by stage, outcome, failing step, order and amount. Never a phone number or card data:
 * search attributes are stored unencrypted.
 */
export const PaycallStage = defineSearchAttributeKey('PaycallStage', SearchAttributeType.KEYWORD);
export const PaycallOutcome = defineSearchAttributeKey('PaycallOutcome', SearchAttributeType.KEYWORD);
export const PaycallFailureStep = defineSearchAttributeKey('PaycallFailureStep', SearchAttributeType.KEYWORD);
export const PaycallOrderId = defineSearchAttributeKey('PaycallOrderId', SearchAttributeType.KEYWORD);
export const PaycallAmount = defineSearchAttributeKey('PaycallAmount', SearchAttributeType.INT);
/** Refund workflows only: pending, refunded, refused or failed (src/contract/vocabulary.ts). */
export const PaycallRefundStatus = defineSearchAttributeKey('PaycallRefundStatus', SearchAttributeType.KEYWORD);

/**
 * The stages a call's `PaycallStage` is set to (lean calls, src/workflows/call-workflow.ts):
 * where a caller waits long (order entry, the keypad, an operator), money going back, and
 * the end. The brief steps between them (the amount-confirmation menu, charge, mark-paid,
 * receipt) are in the call's step log and its `state` query, not in visibility: each upsert
 * is a history event (and a billed action on Temporal Cloud). A found order's id and amount
 * travel with the next upsert. Older calls upserted every stage.
 */
export const stagesInVisibility = ['order-entry', 'card-capture', 'with-operator', 'refund', 'done'] as const;

export const paycallSearchAttributes = [
  PaycallStage,
  PaycallOutcome,
  PaycallFailureStep,
  PaycallOrderId,
  PaycallAmount,
  PaycallRefundStatus,
] as const;

/** The `--search-attribute Name=Type` spelling the Temporal CLI uses. */
export function searchAttributeCliArgs(): string[] {
  const cliType: Record<string, string> = { KEYWORD: 'Keyword', INT: 'Int' };
  return paycallSearchAttributes.flatMap((key) => ['--search-attribute', `${key.name}=${cliType[key.type]}`]);
}
