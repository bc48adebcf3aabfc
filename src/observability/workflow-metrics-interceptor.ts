/**
 * Workflow code (runs in Temporal's sandbox, bundled with the workflows): reports a call's
 * start and its outcome to the worker through the `paycallMetrics` sink (call-metrics-sinks.ts),
 * which counts paycall_calls_started_total and paycall_calls_ended_total. Sinks are not called
 * while a history replays, so a call moved to another worker is counted once. It adds no
 * command to any history: replaying old calls is unaffected.
 */
import { ContinueAsNew, isCancellation, proxySinks, workflowInfo, type Sinks, type WorkflowInterceptorsFactory } from '@temporalio/workflow';
import { TemporalFailure } from '@temporalio/common';
import { callWorkflowType } from '../contract/call.js';

export interface CallMetricsSinks extends Sinks {
  paycallMetrics: {
    callStarted(): void;
    callEnded(outcome: string): void;
  };
}

const { paycallMetrics } = proxySinks<CallMetricsSinks>();

export const interceptors: WorkflowInterceptorsFactory = () => ({
  inbound: [
    {
      async execute(input, next) {
        if (workflowInfo().workflowType !== callWorkflowType) return next(input);
        paycallMetrics.callStarted();
        try {
          const result = await next(input);
          const outcome = (result as { outcome?: unknown } | undefined)?.outcome;
          paycallMetrics.callEnded(typeof outcome === 'string' ? outcome : 'unknown');
          return result;
        } catch (err) {
          // Only what ends the workflow: a plain Error fails the workflow task (retried), not the call.
          if (isCancellation(err)) paycallMetrics.callEnded('cancelled');
          else if (err instanceof TemporalFailure && !(err instanceof ContinueAsNew)) paycallMetrics.callEnded('workflow-failed');
          throw err;
        }
      },
    },
  ],
});
