/**
 * What a workflow history says, decoded once: the workflow's type, status, times, input and
 * result, every activity with its Temporal attempts and failures, and the signals it got.
 * Business meaning is not read here: that is the step log's (or, for old histories, the
 * legacy reader's).
 */
import { defaultPayloadConverter } from '@temporalio/common';
import type { History } from '@temporalio/common/lib/proto-utils.js';
import { scrubText } from '../../privacy/redact.js';
import type { ExecutionStatus, HistoryEvent, TimelineError } from './types.js';

type Payloads = { payloads?: Payload[] | null } | null | undefined;
type Payload = NonNullable<NonNullable<HistoryEvent['workflowExecutionStartedEventAttributes']>['input']>['payloads'] extends (infer P)[] | null | undefined ? P : never;
type ProtoFailure = NonNullable<NonNullable<HistoryEvent['activityTaskFailedEventAttributes']>['failure']>;

/** Reads payloads, counting those it cannot (encrypted, and no key to decrypt them). One per history read. */
export class PayloadReader {
  unreadable = 0;

  read<T>(payloads: Payloads, index = 0): T | undefined {
    const payload = payloads?.payloads?.[index];
    if (!payload) return undefined;
    try {
      return defaultPayloadConverter.fromPayload<T>(payload);
    } catch {
      this.unreadable++;
      return undefined;
    }
  }
}

export interface ActivityFacts {
  type: string;
  input: unknown;
  scheduledEventId: number;
  scheduledAt: number;
  eventIds: number[];
  /** Temporal's attempt number of the last start (1 when it was never retried). */
  attempt: number;
  /** The transient failure that led to the last attempt. */
  lastFailure?: string;
  state: 'running' | 'completed' | 'failed' | 'timed-out' | 'canceled';
  closedAt?: number;
  result?: unknown;
  error?: TimelineError;
  /** A card decline's PaymentIntent (from the failure's details). */
  declinedPaymentIntentId?: string;
}

export interface SignalFacts {
  name: string;
  input: unknown;
  at: number;
  eventId: number;
}

export interface HistoryFacts {
  workflowId: string;
  runId?: string;
  workflowType: string;
  status: ExecutionStatus;
  startedAt?: number;
  startEventId: number;
  closedAt?: number;
  closeEventId?: number;
  input?: unknown;
  result?: unknown;
  closeError?: TimelineError;
  activities: ActivityFacts[];
  signals: SignalFacts[];
  reader: PayloadReader;
}

export function eventId(event: HistoryEvent): number {
  return Number(String(event.eventId ?? 0));
}

/** Milliseconds; `seconds` is a Long from the server and a number from historyFromJSON. */
export function eventTime(event: HistoryEvent): number {
  return timestampMs(event.eventTime);
}

/** A protobuf timestamp in milliseconds (0 when absent). */
function timestampMs(ts: { seconds?: unknown; nanos?: number | null } | null | undefined): number {
  if (!ts) return 0;
  return Number(String(ts.seconds ?? 0)) * 1000 + Math.floor((ts.nanos ?? 0) / 1e6);
}

export function iso(ms: number | undefined): string | undefined {
  return ms === undefined || ms === 0 ? undefined : new Date(ms).toISOString();
}

export function errorOf(failure: ProtoFailure | null | undefined, reader: PayloadReader): TimelineError {
  if (!failure) return { message: 'unknown failure' };
  const info = failure.applicationFailureInfo;
  const details = reader.read<{ code?: string; declineCode?: string }>(info?.details);
  const timeout = failure.timeoutFailureInfo ? 'timeout' : undefined;
  return {
    ...(info?.type ? { type: info.type } : timeout ? { type: 'Timeout' } : {}),
    ...(details?.code ? { code: details.code } : {}),
    ...(details?.declineCode ? { declineCode: details.declineCode } : {}),
    message: scrubText(failure.message || failure.cause?.message || 'failed'),
  };
}

export function describeError(error: TimelineError | undefined): string {
  if (!error) return '';
  const code = [error.code, error.declineCode].filter(Boolean).join(' / ');
  return `${error.type ?? 'error'}${code ? ` (${code})` : ''}: ${error.message}`;
}

export function readHistory(history: History, ids: { workflowId?: string; runId?: string } = {}): HistoryFacts {
  const reader = new PayloadReader();
  const facts: HistoryFacts = { workflowId: ids.workflowId ?? '', ...(ids.runId ? { runId: ids.runId } : {}), workflowType: 'unknown', status: 'running', startEventId: 1, activities: [], signals: [], reader };
  const byScheduledId = new Map<number, ActivityFacts>();
  const retrying = new Map<string, { attempt: number; lastFailure: string }>();
  for (const event of history.events ?? []) {
    const at = eventTime(event);
    const id = eventId(event);
    const started = event.workflowExecutionStartedEventAttributes;
    if (started) {
      facts.startedAt = at;
      facts.startEventId = id;
      facts.workflowType = started.workflowType?.name ?? 'unknown';
      facts.workflowId ||= started.workflowId ?? '';
      facts.runId ??= started.originalExecutionRunId ?? undefined;
      facts.input = reader.read(started.input);
      continue;
    }
    const scheduled = event.activityTaskScheduledEventAttributes;
    if (scheduled) {
      const activity: ActivityFacts = { type: scheduled.activityType?.name ?? 'activity', input: reader.read(scheduled.input), scheduledEventId: id, scheduledAt: at, eventIds: [id], attempt: 1, state: 'running' };
      facts.activities.push(activity);
      byScheduledId.set(id, activity);
      continue;
    }
    const activityStarted = event.activityTaskStartedEventAttributes;
    if (activityStarted) {
      const activity = byScheduledId.get(Number(String(activityStarted.scheduledEventId)));
      if (!activity) continue;
      activity.attempt = activityStarted.attempt ?? 1;
      if (activityStarted.lastFailure) activity.lastFailure = describeError(errorOf(activityStarted.lastFailure, reader));
      continue;
    }
    if (readActivityClose(event, at, id, byScheduledId, reader)) continue;
    const local = readLocalActivity(event, at, id, reader, retrying);
    if (local) {
      facts.activities.push(local);
      continue;
    }
    const signaled = event.workflowExecutionSignaledEventAttributes;
    if (signaled) {
      facts.signals.push({ name: signaled.signalName ?? '', input: reader.read(signaled.input), at, eventId: id });
      continue;
    }
    readClose(event, at, id, facts);
  }
  return facts;
}

function readActivityClose(event: HistoryEvent, at: number, id: number, byScheduledId: Map<number, ActivityFacts>, reader: PayloadReader): boolean {
  const completed = event.activityTaskCompletedEventAttributes;
  const failed = event.activityTaskFailedEventAttributes;
  const timedOut = event.activityTaskTimedOutEventAttributes;
  const canceled = event.activityTaskCanceledEventAttributes;
  const closing = completed ?? failed ?? timedOut ?? canceled;
  if (!closing) return false;
  const activity = byScheduledId.get(Number(String(closing.scheduledEventId)));
  if (!activity) return true;
  activity.eventIds.push(id);
  activity.closedAt = at;
  if (completed) {
    activity.state = 'completed';
    activity.result = reader.read(completed.result);
  } else if (failed) {
    activity.state = 'failed';
    activity.error = errorOf(failed.failure, reader);
    const details = reader.read<{ paymentIntentId?: string }>(failed.failure?.applicationFailureInfo?.details);
    if (details?.paymentIntentId) activity.declinedPaymentIntentId = details.paymentIntentId;
  } else if (timedOut) {
    activity.state = 'timed-out';
    activity.error = { type: 'Timeout', ...errorOf(timedOut.failure, reader) };
  } else {
    activity.state = 'canceled';
    activity.error = { type: 'Cancelled', message: 'Activity cancelled' };
  }
  return true;
}

/** What core records of a local activity: its type, attempt and times (the `data` detail), then its result or failure. */
interface LocalActivityMarkerData {
  activity_type?: string;
  attempt?: number;
  original_schedule_time?: { seconds?: number | string; nanos?: number };
  backoff?: unknown;
}

/**
 * A local activity's marker as activity facts, so the step log joins them as it does
 * scheduled activities. A marker with a `backoff` is a failed attempt that core retries
 * after a timer: it is folded into the next attempt of that type, not a fact of its own.
 */
function readLocalActivity(event: HistoryEvent, at: number, id: number, reader: PayloadReader, retrying: Map<string, { attempt: number; lastFailure: string }>): ActivityFacts | undefined {
  const marker = event.markerRecordedEventAttributes;
  if (!marker || marker.markerName !== 'core_local_activity') return undefined;
  const data = reader.read<LocalActivityMarkerData>(marker.details?.['data'] as Payloads);
  const type = data?.activity_type ?? 'activity';
  const error = marker.failure ? errorOf(marker.failure, reader) : undefined;
  if (data?.backoff && error) {
    retrying.set(type, { attempt: data.attempt ?? 1, lastFailure: describeError(error) });
    return undefined;
  }
  const scheduledAt = data?.original_schedule_time ? timestampMs(data.original_schedule_time) : at;
  const earlier = retrying.get(type);
  retrying.delete(type);
  const activity: ActivityFacts = { type, input: undefined, scheduledEventId: id, scheduledAt, eventIds: [id], attempt: data?.attempt ?? 1, state: error ? 'failed' : 'completed', closedAt: at };
  if (earlier && activity.attempt <= earlier.attempt) activity.attempt = earlier.attempt + 1;
  if (earlier) activity.lastFailure = earlier.lastFailure;
  if (error) {
    activity.error = error;
    const details = reader.read<{ paymentIntentId?: string }>(marker.failure?.applicationFailureInfo?.details);
    if (details?.paymentIntentId) activity.declinedPaymentIntentId = details.paymentIntentId;
  } else {
    activity.result = reader.read(marker.details?.['result'] as Payloads);
  }
  return activity;
}

function readClose(event: HistoryEvent, at: number, id: number, facts: HistoryFacts): void {
  const { reader } = facts;
  if (event.workflowExecutionCompletedEventAttributes) {
    facts.status = 'completed';
    facts.result = reader.read(event.workflowExecutionCompletedEventAttributes.result);
  } else if (event.workflowExecutionFailedEventAttributes) {
    facts.status = 'failed';
    facts.closeError = errorOf(event.workflowExecutionFailedEventAttributes.failure, reader);
  } else if (event.workflowExecutionTerminatedEventAttributes) {
    facts.status = 'terminated';
    facts.closeError = { type: 'Terminated', message: scrubText(event.workflowExecutionTerminatedEventAttributes.reason || 'terminated by an operator') };
  } else if (event.workflowExecutionTimedOutEventAttributes) {
    facts.status = 'timed-out';
    facts.closeError = { type: 'Timeout', message: 'The workflow timed out' };
  } else if (event.workflowExecutionCanceledEventAttributes) {
    facts.status = 'canceled';
    facts.closeError = { type: 'Cancelled', message: 'The workflow was cancelled' };
  } else if (event.workflowExecutionContinuedAsNewEventAttributes) {
    facts.status = 'continued-as-new';
  } else {
    return;
  }
  facts.closedAt = at;
  facts.closeEventId = id;
}
