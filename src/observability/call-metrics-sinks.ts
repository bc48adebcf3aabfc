/**
 * The worker side of workflow-metrics-interceptor.ts: the `paycallMetrics` sink, counting
 * calls started and ended by outcome. Registered on every worker (a no-op without metrics),
 * because the interceptor is part of every workflow bundle.
 */
import type { InjectedSinks } from '@temporalio/worker';
import type { PaycallMetrics } from './metrics.js';
import type { CallMetricsSinks } from './workflow-metrics-interceptor.js';

export function callMetricsSinks(metrics: PaycallMetrics | undefined): InjectedSinks<CallMetricsSinks> {
  return {
    paycallMetrics: {
      callStarted: { fn: () => metrics?.callsStarted.inc() },
      callEnded: { fn: (_info, outcome) => metrics?.callsEnded.inc({ outcome }) },
    },
  };
}
