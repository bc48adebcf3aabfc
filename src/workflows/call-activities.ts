/**
 * The activities a call runs, as the call's version runs them: calls that began before the
 * one call deadline schedule them as ordinary activities (so their histories replay), lean
 * calls run the order book's look-ups and marking paid as local activities
 * (src/workflows/activity-options.ts says why that is safe, and why the charge is not).
 * The SMS receipt stays an ordinary activity: it may wait on Twilio.
 */
import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { CallActivities } from '../activities/types.js';
import { orderBookActivityOptions, orderBookLocalActivityOptions, stripeActivityOptions } from './activity-options.js';

const orderBook = proxyActivities<CallActivities>(orderBookActivityOptions);
const stripe = proxyActivities<CallActivities>(stripeActivityOptions);
const localOrderBook = proxyLocalActivities<CallActivities>(orderBookLocalActivityOptions);

export type CallActivitySet = Pick<CallActivities, 'lookupOrder' | 'markOrderPaid' | 'chargeCard' | 'sendReceipt'>;

export function callActivities(local: boolean): CallActivitySet {
  const orderSteps = local ? localOrderBook : orderBook;
  return { lookupOrder: orderSteps.lookupOrder, markOrderPaid: orderSteps.markOrderPaid, chargeCard: stripe.chargeCard, sendReceipt: orderBook.sendReceipt };
}
