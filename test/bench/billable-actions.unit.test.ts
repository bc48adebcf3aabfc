/**
 * The billable-action estimate follows Temporal Cloud's rules (https://docs.temporal.io/cloud/actions)
 * on a history made by hand: what counts once, what counts per attempt or per workflow task,
 * and what does not count at all.
 */
import { describe, expect, it } from 'vitest';
import { billableActions, eventTypeName, totalActions, type HistoryEvent } from './billable-actions.js';

/** A hand-made event: plain numbers where the protobuf types say Long, as JSON histories have them. */
const event = (eventId: number, eventType: string, attributes: Record<string, unknown> = {}): HistoryEvent =>
  ({ eventId, eventType, ...attributes }) as unknown as HistoryEvent;

describe('billable actions from a history', () => {
  it('names event types the way the report prints them', () => {
    expect(eventTypeName('EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED')).toBe('WorkflowExecutionUpdateAccepted');
    expect(eventTypeName(1)).toBe('WorkflowExecutionStarted');
  });

  it('counts starts, Updates, signals, upserts, timers, activities with their retries, markers per task', () => {
    const history = [
      event(1, 'EVENT_TYPE_WORKFLOW_EXECUTION_STARTED'),
      event(2, 'EVENT_TYPE_WORKFLOW_TASK_SCHEDULED'),
      event(3, 'EVENT_TYPE_WORKFLOW_TASK_STARTED'),
      event(4, 'EVENT_TYPE_WORKFLOW_TASK_COMPLETED', { workflowTaskCompletedEventAttributes: { meteringMetadata: { nonfirstLocalActivityExecutionAttempts: 2 } } }),
      event(5, 'EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED'),
      event(6, 'EVENT_TYPE_MARKER_RECORDED', { markerRecordedEventAttributes: { markerName: 'core_local_activity', workflowTaskCompletedEventId: 4 } }),
      event(7, 'EVENT_TYPE_MARKER_RECORDED', { markerRecordedEventAttributes: { markerName: 'core_local_activity', workflowTaskCompletedEventId: 4 } }),
      event(8, 'EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES', { upsertWorkflowSearchAttributesEventAttributes: { searchAttributes: { indexedFields: { PaycallStage: {}, PaycallOrderId: {} } } } }),
      event(9, 'EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES', { upsertWorkflowSearchAttributesEventAttributes: { searchAttributes: { indexedFields: { TemporalChangeVersion: {} } } } }),
      event(10, 'EVENT_TYPE_TIMER_STARTED'),
      event(11, 'EVENT_TYPE_TIMER_CANCELED'),
      event(12, 'EVENT_TYPE_ACTIVITY_TASK_SCHEDULED'),
      event(13, 'EVENT_TYPE_ACTIVITY_TASK_STARTED', { activityTaskStartedEventAttributes: { attempt: 3 } }),
      event(14, 'EVENT_TYPE_ACTIVITY_TASK_COMPLETED'),
      event(15, 'EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED'),
      event(16, 'EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED'),
      event(17, 'EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED'),
      event(18, 'EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED'),
    ];
    const actions = billableActions(history);
    expect(actions).toEqual({
      'workflow started': 1,
      'local-activity retry': 2,
      'update accepted': 1,
      // two attributes in one upsert are one action; TemporalChangeVersion alone is exempt
      'search-attribute upsert': 1,
      timer: 1,
      activity: 1,
      'activity retry': 2,
      signal: 1,
      'child workflow': 2,
      // both markers came from workflow task 4: one action
      'markers (per workflow task)': 1,
    });
    expect(totalActions(actions)).toBe(13);
  });

  it('counts nothing for workflow tasks, completions and cancelled timers alone', () => {
    const actions = billableActions([event(1, 'EVENT_TYPE_WORKFLOW_TASK_SCHEDULED'), event(2, 'EVENT_TYPE_TIMER_CANCELED'), event(3, 'EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED')]);
    expect(totalActions(actions)).toBe(0);
  });
});
