/**
 * Finding calls and reading one, for the operator API, console and CLI.
 *
 * - list: operator filters → a Temporal list query on paycall's search attributes, one
 *   page at a time (nextPageToken), each call with its timeline's one-line verdict.
 * - detail: describe + history timeline + (running calls only) the `state` query, with the
 *   call's refund workflows merged in. A closed call cannot change its search attributes,
 *   so a later operator refund lives in its own workflow (memo names the call) and is
 *   folded in here: the call's effective outcome becomes `refunded`.
 */
import {
  WorkflowNotFoundError,
  isGrpcServiceError,
  type Client,
  type WorkflowExecutionDescription,
  type WorkflowExecutionInfo,
} from '@temporalio/client';
import { executionInfoFromRaw } from '@temporalio/client/lib/helpers.js';
import { status as grpcStatus } from '@grpc/grpc-js';
import { z } from 'zod';
import { callWorkflowId, callWorkflowType, stateQuery, type CallState } from '../contract/call.js';
import { PaycallAmount, PaycallFailureStep, PaycallOrderId, PaycallOutcome, PaycallStage } from '../contract/search-attributes.js';
import { currencyExponent } from '../money/money.js';
import { refundWorkflowType, type RefundMemo } from '../workflows/refund-workflow.js';
import { OperatorError } from './errors.js';
import { buildTimeline, decodeHistoryPayloads, formatMoney, mergeRefunds, scrubText, type Timeline } from './timeline.js';

export const callOutcomes = ['paid', 'declined', 'abandoned', 'failed', 'refunded', 'transferred', 'refund-refused', 'refund-failed'] as const;
export const callSteps = ['greeting', 'order-entry', 'amount-confirmation', 'card-capture', 'charge', 'mark-paid', 'receipt', 'refund', 'confirmation', 'done'] as const;

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
  outcome: z.enum(callOutcomes).optional(),
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

/** Refund workflows are what the refund outcomes (and a failing refund step) find. */
function findsRefundWorkflows(filters: ParsedCallFilters): boolean {
  return filters.outcome === 'refunded' || filters.outcome === 'refund-refused' || filters.outcome === 'refund-failed' || filters.failedAt === 'refund';
}

/** The Temporal list query for these filters. Every value was validated against an enum or a pattern. */
export function buildCallsQuery(filters: ParsedCallFilters): string {
  const quote = (value: string) => `'${value.replace(/'/g, "''")}'`;
  const parts = [
    findsRefundWorkflows(filters)
      ? `WorkflowType IN (${quote(callWorkflowType)}, ${quote(refundWorkflowType)})`
      : `WorkflowType = ${quote(callWorkflowType)}`,
  ];
  if (filters.outcome) parts.push(`${PaycallOutcome.name} = ${quote(filters.outcome)}`);
  if (filters.failedAt) parts.push(`${PaycallFailureStep.name} = ${quote(filters.failedAt)}`);
  if (filters.stage) parts.push(`${PaycallStage.name} = ${quote(filters.stage)}`);
  if (filters.order) parts.push(`${PaycallOrderId.name} = ${quote(filters.order)}`);
  if (filters.since) parts.push(`StartTime >= ${quote(filters.since.toISOString())}`);
  return parts.join(' AND ');
}

export interface RefundView {
  workflowId: string;
  status: 'refunded' | 'refused' | 'pending' | 'failed';
  requestedAt?: string;
  closedAt?: string;
  /** Refunded amount, or the requested one while pending / when refused (absent = "the rest"). */
  amount?: number;
  amountText?: string;
  currency?: string;
  refundId?: string;
  code?: string;
  message?: string;
}

export interface CallSummary {
  workflowId: string;
  runId: string;
  callSid: string;
  /** The workflow's status: running, completed, failed, terminated, … */
  status: string;
  startedAt: string;
  closedAt?: string;
  stage?: string;
  /** The outcome an operator should see: the call's, or `refunded` after an operator refund. */
  outcome?: string;
  /** What the call workflow itself returned (before any operator refund). */
  callOutcome?: string;
  failureStep?: string;
  failureCode?: string;
  orderId?: string;
  amount?: number;
  currency?: string;
  amountText?: string;
  paymentIntentId?: string;
  refundedAmount?: number;
  refundedText?: string;
  whereFailed: string;
  temporalUiUrl?: string;
}

export interface CallDetail extends CallSummary {
  confirmationCode?: string;
  captureAttempts?: number;
  timeline: Timeline;
  refunds: RefundView[];
  /** Running calls only; null with a reason when no worker answered. */
  state: CallState | null;
  stateUnavailable?: string;
  /** Running calls: activities in flight, with Temporal's retry attempt and last error. */
  pendingActivities: { type: string; attempt: number; lastFailure?: string }[];
  /** What an operator may still refund, when the call was paid. */
  refundable?: { amount: number; amountText: string; currency: string; currencyExponent: number };
}

/** What list and describe both give (describe adds pending activities in `raw`). */
type ExecutionInfo = Omit<WorkflowExecutionInfo, 'raw'> & { raw?: unknown };

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
  constructor(
    private readonly client: Client,
    private readonly options: CallQueriesOptions,
  ) {}

  /** One page of calls; parse the filters with callFiltersSchema first. */
  async list(filters: ParsedCallFilters): Promise<CallListPage> {
    const query = buildCallsQuery(filters);
    const response = await this.guard(() =>
      this.client.workflowService.listWorkflowExecutions({
        namespace: this.options.namespace,
        query,
        pageSize: filters.pageSize,
        ...(filters.pageToken ? { nextPageToken: Buffer.from(filters.pageToken, 'base64url') } : {}),
      }),
    );
    const infos = await Promise.all((response.executions ?? []).map((raw) => this.decodeInfo(raw)));

    // Refund workflows stand for their call (first appearance wins); calls are deduplicated.
    const rows = new Map<string, ExecutionInfo | undefined>();
    for (const info of infos) {
      const callId = info.type === refundWorkflowType ? refundMemo(info)?.callWorkflowId : info.workflowId;
      if (callId && !rows.has(callId)) rows.set(callId, info.type === refundWorkflowType ? undefined : info);
    }
    const callInfos = (await Promise.all([...rows].map(([callId, info]) => info ?? this.describeOrUndefined(callId)))).filter(
      (info): info is ExecutionInfo => Boolean(info),
    );

    const refundsByCall = await this.refundInfosFor(callInfos);
    const views = await mapLimit(callInfos, 6, (info) => this.callView(info, refundsByCall.get(info.workflowId) ?? []));
    const calls = views
      .map(({ summary }) => summary)
      // An outcome filter means the outcome an operator sees now (a refunded call is no longer "paid").
      .filter((call) => !filters.outcome || findsRefundWorkflows(filters) || call.outcome === filters.outcome);
    const token = response.nextPageToken && response.nextPageToken.length > 0 ? Buffer.from(response.nextPageToken).toString('base64url') : undefined;
    return { calls, query, ...(token ? { nextPageToken: token } : {}) };
  }

  async detail(id: string): Promise<CallDetail> {
    const workflowId = await this.resolveCallWorkflowId(callIdSchema.parse(id));
    const info = await this.describeOrUndefined(workflowId);
    if (!info) throw new OperatorError('not-found', `No call ${id} in namespace ${this.options.namespace}`);
    if (info.type !== callWorkflowType) throw new OperatorError('not-found', `${workflowId} is a ${info.type}, not a call`);
    const refundInfos = (await this.refundInfosFor([info])).get(workflowId) ?? [];
    const { summary, timeline, refunds } = await this.callView(info, refundInfos);

    let state: CallState | null = null;
    let stateUnavailable: string | undefined;
    if (summary.status === 'running') {
      try {
        state = await this.client.withDeadline(Date.now() + (this.options.stateQueryTimeoutMs ?? 2000), () =>
          this.client.workflow.getHandle(workflowId, info.runId).query(stateQuery),
        );
      } catch (err) {
        stateUnavailable = `No worker answered the state query (${(err as Error).message.split('\n')[0]}); the timeline is from history.`;
      }
    } else {
      stateUnavailable = 'The call has ended: its final state is the outcome in the timeline.';
    }

    const outcome = timeline.outcome;
    const detail: CallDetail = {
      ...summary,
      ...(outcome?.confirmationCode ? { confirmationCode: outcome.confirmationCode } : {}),
      ...(outcome ? { captureAttempts: outcome.captureAttempts } : {}),
      timeline,
      refunds,
      state,
      ...(stateUnavailable ? { stateUnavailable } : {}),
      pendingActivities: pendingActivitiesOf(info),
    };
    const refundable = refundableOf(detail);
    if (refundable) detail.refundable = refundable;
    return detail;
  }

  /** Refund workflows of these calls, from visibility (by order id, matched on the memo's call id). */
  async refundInfosFor(calls: ExecutionInfo[]): Promise<Map<string, ExecutionInfo[]>> {
    const byCall = new Map<string, ExecutionInfo[]>();
    const orderIds = [...new Set(calls.map((c) => c.typedSearchAttributes.get(PaycallOrderId)).filter((o): o is string => Boolean(o)))];
    if (orderIds.length === 0) return byCall;
    const wanted = new Set(calls.map((c) => c.workflowId));
    const query = `WorkflowType = '${refundWorkflowType}' AND ${PaycallOrderId.name} IN (${orderIds.map((o) => `'${o.replace(/'/g, "''")}'`).join(', ')})`;
    let nextPageToken: Uint8Array | undefined;
    do {
      const response = await this.guard(() =>
        this.client.workflowService.listWorkflowExecutions({ namespace: this.options.namespace, query, pageSize: 200, ...(nextPageToken ? { nextPageToken } : {}) }),
      );
      for (const raw of response.executions ?? []) {
        const info = await this.decodeInfo(raw);
        const callId = refundMemo(info)?.callWorkflowId;
        if (!callId || !wanted.has(callId)) continue;
        byCall.set(callId, [...(byCall.get(callId) ?? []), info]);
      }
      nextPageToken = response.nextPageToken && response.nextPageToken.length > 0 ? response.nextPageToken : undefined;
    } while (nextPageToken);
    for (const list of byCall.values()) list.sort((a, b) => a.startTime.getTime() - b.startTime.getTime());
    return byCall;
  }

  async resolveCallWorkflowId(id: string): Promise<string> {
    if (id.startsWith('call-')) return id;
    if (id.startsWith('refund-')) {
      const info = await this.describeOrUndefined(id);
      const callId = info ? refundMemo(info)?.callWorkflowId : undefined;
      if (!callId) throw new OperatorError('not-found', `No refund ${id} in namespace ${this.options.namespace}`);
      return callId;
    }
    return callWorkflowId(id);
  }

  async describeOrUndefined(workflowId: string): Promise<WorkflowExecutionDescription | undefined> {
    try {
      return await this.guard(() => this.client.workflow.getHandle(workflowId).describe());
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return undefined;
      throw err;
    }
  }

  async timelineOf(workflowId: string, runId?: string): Promise<Timeline> {
    const history = await this.guard(() => this.client.workflow.getHandle(workflowId, runId).fetchHistory());
    await decodeHistoryPayloads(history, this.client.workflow.options.loadedDataConverter.payloadCodecs);
    return buildTimeline(history, { workflowId, ...(runId ? { runId } : {}) });
  }

  workflowUiUrl(workflowId: string, runId?: string): string | undefined {
    const base = this.options.temporalUiUrl?.replace(/\/+$/, '');
    if (!base) return undefined;
    return `${base}/namespaces/${encodeURIComponent(this.options.namespace)}/workflows/${encodeURIComponent(workflowId)}${runId ? `/${encodeURIComponent(runId)}/history` : ''}`;
  }

  private async callView(info: ExecutionInfo, refundInfos: ExecutionInfo[]): Promise<{ summary: CallSummary; timeline: Timeline; refunds: RefundView[] }> {
    const [callTimeline, refundTimelines] = await Promise.all([
      this.timelineOf(info.workflowId, info.runId),
      Promise.all(refundInfos.map((r) => this.timelineOf(r.workflowId, r.runId))),
    ]);
    const timeline = mergeRefunds(callTimeline, refundTimelines);
    const refunds = refundInfos.map((r, i) => refundView(r, refundTimelines[i]!));
    const sa = info.typedSearchAttributes;
    const currency = timeline.currency;
    const amount = timeline.amount ?? sa.get(PaycallAmount);
    const callOutcome = timeline.outcome?.outcome ?? sa.get(PaycallOutcome);
    const refundedAmount = timeline.refundedAmount;
    const summary: CallSummary = {
      workflowId: info.workflowId,
      runId: info.runId,
      callSid: timeline.callSid ?? info.workflowId.replace(/^call-/, ''),
      status: statusName(info),
      startedAt: info.startTime.toISOString(),
      ...(info.closeTime ? { closedAt: info.closeTime.toISOString() } : {}),
      ...optional('stage', sa.get(PaycallStage)),
      ...optional('outcome', timeline.effectiveOutcome ?? callOutcome),
      ...optional('callOutcome', callOutcome),
      ...optional('failureStep', timeline.outcome?.failure?.step ?? sa.get(PaycallFailureStep)),
      ...optional('failureCode', timeline.outcome?.failure?.code),
      ...optional('orderId', timeline.orderId ?? sa.get(PaycallOrderId)),
      ...optional('amount', amount),
      ...optional('currency', currency),
      ...(amount !== undefined ? { amountText: formatMoney(amount, currency) } : {}),
      ...optional('paymentIntentId', timeline.paymentIntentId),
      ...(refundedAmount ? { refundedAmount, refundedText: formatMoney(refundedAmount, currency) } : {}),
      whereFailed: timeline.whereFailed,
      ...optional('temporalUiUrl', this.workflowUiUrl(info.workflowId, info.runId)),
    };
    return { summary, timeline, refunds };
  }

  private decodeInfo(raw: Parameters<typeof executionInfoFromRaw>[0]): Promise<WorkflowExecutionInfo> {
    return executionInfoFromRaw(raw, this.client.workflow.options.loadedDataConverter, raw, this.options.namespace);
  }

  /** Temporal being down is a 503 with a clear message, not a stack trace. */
  private async guard<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      const code = isGrpcServiceError(err) ? err.code : isGrpcServiceError((err as { cause?: unknown })?.cause) ? ((err as { cause: { code: number } }).cause.code) : undefined;
      if (code === grpcStatus.UNAVAILABLE || code === grpcStatus.DEADLINE_EXCEEDED) {
        throw new OperatorError('temporal-unavailable', 'Temporal is not reachable right now; try again in a moment.');
      }
      throw err;
    }
  }
}

function optional<K extends string, V>(key: K, value: V | undefined | null): { [P in K]?: V } {
  return (value === undefined || value === null || value === '' ? {} : { [key]: value }) as { [P in K]?: V };
}

function statusName(info: ExecutionInfo): string {
  return info.status.name.toLowerCase().replace(/_/g, '-').replace('cancelled', 'canceled');
}

export function refundMemo(info: ExecutionInfo): RefundMemo | undefined {
  const memo = info.memo as Partial<RefundMemo> | undefined;
  return memo?.callWorkflowId && memo.paymentIntentId ? (memo as RefundMemo) : undefined;
}

function refundView(info: ExecutionInfo, timeline: Timeline): RefundView {
  const r = timeline.refund;
  const request = timeline.refundRequest;
  const currency = r?.currency ?? request?.currency ?? refundMemo(info)?.currency;
  const base = {
    workflowId: info.workflowId,
    requestedAt: info.startTime.toISOString(),
    ...(info.closeTime ? { closedAt: info.closeTime.toISOString() } : {}),
    ...(currency ? { currency } : {}),
  };
  if (r?.status === 'refunded') return { ...base, status: 'refunded', amount: r.amount, amountText: formatMoney(r.amount, currency), refundId: r.refundId };
  const requested = request?.amount !== undefined ? { amount: request.amount, amountText: formatMoney(request.amount, currency) } : {};
  if (r?.status === 'refused') return { ...base, status: 'refused', ...requested, code: r.code, message: r.message };
  if (timeline.status === 'running') return { ...base, status: 'pending', ...requested };
  return { ...base, status: 'failed', ...requested, message: timeline.whereFailed };
}

function refundableOf(detail: CallDetail): CallDetail['refundable'] {
  if (detail.callOutcome !== 'paid' || !detail.paymentIntentId || detail.amount === undefined || !detail.currency) return undefined;
  const refunded = detail.refunds.reduce((sum, r) => sum + (r.status === 'refunded' ? (r.amount ?? 0) : 0), 0);
  const pending = detail.refunds.some((r) => r.status === 'pending' && r.amount === undefined)
    ? Number.POSITIVE_INFINITY
    : detail.refunds.reduce((sum, r) => sum + (r.status === 'pending' ? (r.amount ?? 0) : 0), 0);
  const amount = Math.max(0, detail.amount - refunded - pending);
  if (amount === 0) return undefined;
  let exponent = 2;
  try {
    exponent = currencyExponent(detail.currency);
  } catch {
    // an unknown currency: shown in minor units
  }
  return { amount, amountText: formatMoney(amount, detail.currency), currency: detail.currency, currencyExponent: exponent };
}

function pendingActivitiesOf(info: ExecutionInfo): CallDetail['pendingActivities'] {
  const raw = info.raw as { pendingActivities?: { activityType?: { name?: string | null } | null; attempt?: number | null; lastFailure?: { message?: string | null } | null }[] | null } | undefined;
  return (raw?.pendingActivities ?? []).map((a) => ({
    type: a.activityType?.name ?? 'activity',
    attempt: a.attempt ?? 1,
    ...(a.lastFailure?.message ? { lastFailure: scrubText(a.lastFailure.message) } : {}),
  }));
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
