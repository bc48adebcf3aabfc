/** A call's story for operators: build it from a history (and the step log), merge refunds in. */
export { buildTimeline, type BuildOptions } from './build.js';
export { decodeHistoryPayloads } from './decode-history.js';
export { stepTitles } from './describe.js';
export { mergeRefunds } from './merge.js';
export { mergeStripeReports, settleRefundTimeline } from './stripe-merge.js';
export type { DisputeSummary, EntryStatus, ExecutionStatus, Timeline, TimelineEntry, TimelineError, TimelineStep } from './types.js';
