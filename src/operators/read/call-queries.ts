/**
 * Finding calls and reading one, for the operator API, console and CLI.
 *
 * - list: operator filters → a Temporal list query on paycall's search attributes, one
 *   page at a time, each call with its timeline's one-line verdict.
 * - detail: describe + timeline (history joined with the step log: the result's for a
 *   closed call, the `state` query's for a running one) + the call's refunds. A closed call
 *   cannot change, so an operator's refund lives in its own workflow (its memo names the
 *   call) and is folded in here: the call's effective outcome becomes `refunded`. So is
 *   what Stripe reported since (the payment events workflows' memos: stripe-reports.ts):
 *   refunds settling or failing, disputes, a charge the call never recorded.
 */
import type { Client } from '@temporalio/client';
import { z } from 'zod';
import { callWorkflowId, callWorkflowType, stateQuery, type CallState } from '../../contract/call.js';
import { refundWorkflowType, type RefundOutcome } from '../../contract/refund.js';
import { formatMoney } from '../../money/format.js';
import { OperatorError } from '../errors.js';
import { paymentEventsWorkflowType, type PaymentEventsState } from '../../contract/payment-events.js';
import { buildTimeline, decodeHistoryPayloads, mergeRefunds, mergeStripeReports, settleRefundTimeline, type Timeline } from '../timeline/index.js';
import { pendingActivitiesOf, refundViewOf, summaryOf, type CallDetail, type CallSummary, type RefundView } from './call-views.js';
import { buildCallsQuery, findsRefundWorkflows, type ParsedCallFilters } from './filters.js';
import { PaymentLedger, refundMemo, refundRecordOf, refundableOf } from './payment-ledger.js';
import { settleRefundOutcome } from './stripe-reports.js';
import { TemporalReader, type ExecutionInfo } from './temporal-reader.js';

export interface CallListPage {
  calls: CallSummary[];
  nextPageToken?: string;
  query: string;
}

export interface CallQueriesOptions {
  namespace: string;
  /** e.g. http://localhost:8233; links each call to its history in the Temporal Web UI. */
  temporalUiUrl?: string;
  /** How long the `state` query may take before the detail is served without it. */
  stateQueryTimeoutMs?: number;
}

/** A call's workflow id from a CallSid, a `call-…` id, or (resolved later) a `refund-…` id. */
export const callIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,200}$/, 'must be a CallSid or a workflow id');

export class CallQueries {
  readonly reader: TemporalReader;
  readonly ledger: PaymentLedger;

  constructor(
    private readonly client: Client,
    private readonly options: CallQueriesOptions,
  ) {
    this.reader = new TemporalReader(client, options.namespace);
    this.ledger = new PaymentLedger(this.reader);
  }

  /** One page of calls; parse the filters with callFiltersSchema first. */
  async list(filters: ParsedCallFilters): Promise<CallListPage> {
    const query = buildCallsQuery(filters);
    const page = await this.reader.page(query, filters.pageSize, filters.pageToken ? Buffer.from(filters.pageToken, 'base64url') : undefined);

    // Refund workflows stand for their call (first appearance wins); calls are deduplicated.
    const rows = new Map<string, ExecutionInfo | undefined>();
    for (const info of page.infos) {
      // (A payment events workflow's memo names its call and PaymentIntent too.)
      const standsIn = info.type === refundWorkflowType || info.type === paymentEventsWorkflowType;
      const callId = standsIn ? refundMemo(info)?.callWorkflowId : info.workflowId;
      if (callId && !rows.has(callId)) rows.set(callId, standsIn ? undefined : info);
    }
    const callInfos = (await Promise.all([...rows].map(([callId, info]) => info ?? this.reader.describeOrUndefined(callId)))).filter(
      (info): info is ExecutionInfo => Boolean(info),
    );

    const [refundsByCall, reportsByCall] = await Promise.all([this.ledger.refundInfosFor(callInfos), this.ledger.stripeReports.forCalls(callInfos)]);
    const views = await mapLimit(callInfos, 6, async (info) =>
      this.callView(info, refundsByCall.get(info.workflowId) ?? [], await this.liveState(info, 1000), reportsByCall.get(info.workflowId) ?? []),
    );
    const calls = views
      .map(({ summary }) => summary)
      // An outcome filter means the outcome an operator sees now: a refunded call is no longer "paid",
      // and a call that refunded itself is "compensated", not "refunded".
      .filter((call) => !filters.outcome || (findsRefundWorkflows(filters) && filters.outcome !== 'refunded') || call.outcome === filters.outcome);
    const token = page.nextPageToken ? Buffer.from(page.nextPageToken).toString('base64url') : undefined;
    return { calls, query, ...(token ? { nextPageToken: token } : {}) };
  }

  async detail(id: string): Promise<CallDetail> {
    const workflowId = await this.resolveCallWorkflowId(callIdSchema.parse(id));
    const info = await this.reader.describeOrUndefined(workflowId);
    if (!info) throw new OperatorError('not-found', `No call ${id} in namespace ${this.options.namespace}`);
    if (info.type !== callWorkflowType) throw new OperatorError('not-found', `${workflowId} is a ${info.type}, not a call`);
    const [refundInfos, reports] = await Promise.all([
      this.ledger.refundInfosFor([info]).then((m) => m.get(workflowId) ?? []),
      this.ledger.stripeReports.forCalls([info]).then((m) => m.get(workflowId) ?? []),
    ]);
    const live = await this.liveState(info, this.options.stateQueryTimeoutMs ?? 2000);
    const { summary, timeline, refunds, records } = await this.callView(info, refundInfos, live, reports);

    const outcome = timeline.outcome;
    const refundable = refundableOf(outcome, records);
    return {
      ...summary,
      ...(outcome?.confirmationCode ? { confirmationCode: outcome.confirmationCode } : {}),
      ...(outcome ? { captureAttempts: outcome.captureAttempts } : {}),
      timeline,
      refunds,
      state: typeof live === 'string' ? null : (live ?? null),
      ...(typeof live === 'string' ? { stateUnavailable: live } : live ? {} : { stateUnavailable: 'The call has ended: its final state is the outcome in the timeline.' }),
      pendingActivities: pendingActivitiesOf(info),
      ...(refundable ? { refundable: { ...refundable, amountText: formatMoney(refundable.amount, refundable.currency) } } : {}),
    };
  }

  async resolveCallWorkflowId(id: string): Promise<string> {
    if (id.startsWith('call-')) return id;
    if (id.startsWith('refund-')) {
      const info = await this.reader.describeOrUndefined(id);
      const callId = info ? refundMemo(info)?.callWorkflowId : undefined;
      if (!callId) throw new OperatorError('not-found', `No refund ${id} in namespace ${this.options.namespace}`);
      return callId;
    }
    return callWorkflowId(id);
  }

  describeOrUndefined(workflowId: string) {
    return this.reader.describeOrUndefined(workflowId);
  }

  /** A workflow's timeline: its history through the client's codecs, joined with the step log when given. */
  async timelineOf(workflowId: string, runId?: string, state?: CallState): Promise<Timeline> {
    const history = await this.reader.guard(() => this.client.workflow.getHandle(workflowId, runId).fetchHistory());
    await decodeHistoryPayloads(history, this.client.workflow.options.loadedDataConverter.payloadCodecs);
    return buildTimeline(history, { workflowId, ...(runId ? { runId } : {}), ...(state ? { steps: state.steps } : {}) });
  }

  workflowUiUrl(workflowId: string, runId?: string): string | undefined {
    const base = this.options.temporalUiUrl?.replace(/\/+$/, '');
    if (!base) return undefined;
    return `${base}/namespaces/${encodeURIComponent(this.options.namespace)}/workflows/${encodeURIComponent(workflowId)}${runId ? `/${encodeURIComponent(runId)}/history` : ''}`;
  }

  /** A running call's `state` (its step log so far), or why there is none; undefined for a closed call. */
  private async liveState(info: ExecutionInfo, timeoutMs: number): Promise<CallState | string | undefined> {
    if (info.status.name !== 'RUNNING') return undefined;
    try {
      return await this.client.withDeadline(Date.now() + timeoutMs, () => this.client.workflow.getHandle(info.workflowId, info.runId).query(stateQuery));
    } catch (err) {
      return `No worker answered the state query (${(err as Error).message.split('\n')[0]}); the timeline is rebuilt from history.`;
    }
  }

  private async callView(info: ExecutionInfo, refundInfos: ExecutionInfo[], live: CallState | string | undefined, reports: PaymentEventsState[]) {
    const [callTimeline, rawRefundTimelines] = await Promise.all([
      this.timelineOf(info.workflowId, info.runId, typeof live === 'object' ? live : undefined),
      Promise.all(refundInfos.map((r) => this.timelineOf(r.workflowId, r.runId))),
    ]);
    // Each refund as Stripe last reported it: pending until it settles, failed when Stripe says so.
    const refundTimelines = rawRefundTimelines.map((t) => settleRefundTimeline(t, settleRefundOutcome(t.refund, reports)));
    const timeline = mergeStripeReports(mergeRefunds(callTimeline, refundTimelines), reports);
    const records = refundInfos.map((r, i) => {
      const t = refundTimelines[i]!;
      return refundRecordOf(r, t.refund as RefundOutcome | undefined, t.status !== 'running' && !t.refund ? t.whereFailed : undefined);
    });
    const refunds: RefundView[] = records.filter((r) => !r.byCall).map(refundViewOf);
    return { summary: summaryOf(info, timeline, this.workflowUiUrl(info.workflowId, info.runId)), timeline, refunds, records };
  }
}

async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]!);
    }
  });
  await Promise.all(workers);
  return results;
}
