/**
 * Temporal Cloud's billable Actions, estimated from one workflow's event history, following
 * https://docs.temporal.io/cloud/actions ("Temporal Cloud Actions": which operations are
 * Actions, with the history event type of each):
 *
 * - workflow started (a client start, Update-With-Start's start, a child's start): 1
 * - Update accepted (`WorkflowExecutionUpdateAccepted`; Update-With-Start's too): 1 each
 * - signal received (`WorkflowExecutionSignaled`): 1 each
 * - search-attribute upsert (`UpsertWorkflowSearchAttributes`): 1 per command, however many
 *   attributes; not one that only sets `TemporalChangeVersion` (versioning is exempt)
 * - timer started (`TimerStarted`, `condition(…, timeout)`'s implicit timers included): 1 each
 * - activity scheduled: 1 each, and every retry (`ActivityTaskStarted.attempt` − 1)
 * - markers (`MarkerRecorded`: local activities, patches): all those of one workflow task
 *   are 1; local-activity retries from the task's metering metadata come on top
 * - child workflow initiated: 2 (the intent, and the start); workflow options updated: 1
 * - Nexus operation scheduled or cancel requested: 1 each
 *
 * Not in a history, so not counted here: queries, activity heartbeats that reach the
 * server (paycall's activities heartbeat), rejected Updates, Schedules, exports. A signal
 * to another workflow is billed in the history that receives it. So this is a lower bound.
 */
import type { History } from '@temporalio/common/lib/proto-utils.js';
import proto from '@temporalio/proto';

export type HistoryEvent = NonNullable<History['events']>[number];
// @temporalio/proto is CommonJS: take the enum from its default export under plain Node ESM.
const { EventType } = proto.temporal.api.enums.v1;

export const actionKinds = [
  'workflow started',
  'update accepted',
  'signal',
  'search-attribute upsert',
  'timer',
  'activity',
  'activity retry',
  'markers (per workflow task)',
  'local-activity retry',
  'child workflow',
  'workflow options updated',
  'nexus operation',
] as const;
export type ActionKind = (typeof actionKinds)[number];

/** `EVENT_TYPE_WORKFLOW_TASK_SCHEDULED` (or its number) → `WorkflowTaskScheduled`. */
export function eventTypeName(type: HistoryEvent['eventType'] | string): string {
  const name = typeof type === 'string' ? type : EventType[type ?? 0] ?? `EventType${type}`;
  return name
    .replace(/^EVENT_TYPE_/, '')
    .toLowerCase()
    .replace(/(^|_)([a-z])/g, (_m, _sep: string, c: string) => c.toUpperCase());
}

export function billableActions(events: readonly HistoryEvent[]): Partial<Record<ActionKind, number>> {
  const actions: Partial<Record<ActionKind, number>> = {};
  const add = (kind: ActionKind, n = 1) => {
    if (n > 0) actions[kind] = (actions[kind] ?? 0) + n;
  };
  const markerTasks = new Set<string>();
  for (const event of events) {
    switch (eventTypeName(event.eventType)) {
      case 'WorkflowExecutionStarted':
        add('workflow started');
        break;
      case 'WorkflowExecutionUpdateAccepted':
        add('update accepted');
        break;
      case 'WorkflowExecutionSignaled':
        add('signal');
        break;
      case 'UpsertWorkflowSearchAttributes': {
        const fields = Object.keys(event.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields ?? {});
        if (fields.some((f) => f !== 'TemporalChangeVersion')) add('search-attribute upsert');
        break;
      }
      case 'TimerStarted':
        add('timer');
        break;
      case 'ActivityTaskScheduled':
        add('activity');
        break;
      case 'ActivityTaskStarted':
        add('activity retry', (event.activityTaskStartedEventAttributes?.attempt ?? 1) - 1);
        break;
      case 'MarkerRecorded':
        markerTasks.add(String(event.markerRecordedEventAttributes?.workflowTaskCompletedEventId ?? event.eventId));
        break;
      case 'WorkflowTaskCompleted':
        add('local-activity retry', event.workflowTaskCompletedEventAttributes?.meteringMetadata?.nonfirstLocalActivityExecutionAttempts ?? 0);
        break;
      case 'StartChildWorkflowExecutionInitiated':
        add('child workflow', 2);
        break;
      case 'WorkflowExecutionOptionsUpdated':
        add('workflow options updated');
        break;
      case 'NexusOperationScheduled':
      case 'NexusOperationCancelRequested':
        add('nexus operation');
        break;
    }
  }
  add('markers (per workflow task)', markerTasks.size);
  return actions;
}

export function totalActions(actions: Partial<Record<ActionKind, number>>): number {
  return Object.values(actions).reduce((sum, n) => sum + (n ?? 0), 0);
}
