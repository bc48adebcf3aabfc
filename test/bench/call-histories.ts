/**
 * Reads the histories of one run's calls from its Temporal server: whether each call's
 * workflow ended paid (its result, decoded from the completion event), and, over the paid
 * calls, how many events of each type and how many billable actions (billable-actions.ts)
 * they made.
 */
import { defaultPayloadConverter } from '@temporalio/common';
import type { Client } from '@temporalio/client';
import { billableActions, eventTypeName, type ActionKind, type HistoryEvent } from './billable-actions.js';
import { sleep } from './side-process.js';

export interface HistoryTally {
  /** Workflow ids whose result says paid. */
  paid: Set<string>;
  /** Totals over the paid calls. */
  events: number;
  eventTypes: Record<string, number>;
  actions: Partial<Record<ActionKind, number>>;
}

export async function tallyHistories(
  client: Client,
  workflowIds: readonly string[],
  isPaid: (result: unknown) => boolean,
  concurrency = 8,
): Promise<HistoryTally> {
  const tally: HistoryTally = { paid: new Set(), events: 0, eventTypes: {}, actions: {} };
  let next = 0;
  const reader = async () => {
    for (;;) {
      const workflowId = workflowIds[next++];
      if (workflowId === undefined) return;
      const events = await closedHistory(client, workflowId);
      if (!events || !isPaid(resultOf(events))) continue;
      tally.paid.add(workflowId);
      tally.events += events.length;
      for (const event of events) {
        const type = eventTypeName(event.eventType);
        tally.eventTypes[type] = (tally.eventTypes[type] ?? 0) + 1;
      }
      for (const [kind, n] of Object.entries(billableActions(events)) as [ActionKind, number][]) tally.actions[kind] = (tally.actions[kind] ?? 0) + n;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, reader));
  return tally;
}

/** The history once the workflow has closed (a call's last workflow task may trail its last webhook); undefined if it never did. */
async function closedHistory(client: Client, workflowId: string, waitMs = 5_000): Promise<HistoryEvent[] | undefined> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    let events: HistoryEvent[] = [];
    try {
      events = (await client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
    } catch {
      // not found: the call never started a workflow
      return undefined;
    }
    const last = events.at(-1);
    if (last && /^WorkflowExecution(Completed|Failed|TimedOut|Terminated|Canceled|ContinuedAsNew)$/.test(eventTypeName(last.eventType))) return events;
    if (Date.now() > deadline) return undefined;
    await sleep(200);
  }
}

function resultOf(events: readonly HistoryEvent[]): unknown {
  const payload = events.at(-1)?.workflowExecutionCompletedEventAttributes?.result?.payloads?.[0];
  return payload ? defaultPayloadConverter.fromPayload(payload) : undefined;
}
