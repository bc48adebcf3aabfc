/** Reading the dev server's Prometheus text: the action counter and the time per operation over a run. */
import { describe, expect, it } from 'vitest';
import { metricsDelta, parseMetrics } from './server-metrics.js';

const before = parseMetrics(`# HELP action
action{action_type="grpc_SignalWorkflowExecution",namespace="default",operation="SignalWorkflowExecution",service_name="frontend"} 2
action{action_type="grpc_StartWorkflowExecution",namespace="temporal_system",operation="StartWorkflowExecution",service_name="frontend"} 5
service_latency_sum{namespace="default",operation="UpdateWorkflowExecution",service_name="frontend"} 0.5
service_latency_count{namespace="default",operation="UpdateWorkflowExecution",service_name="frontend"} 10
`);
const after = parseMetrics(`action{action_type="grpc_SignalWorkflowExecution",namespace="default",operation="SignalWorkflowExecution",service_name="frontend"} 6
action{action_type="grpc_StartWorkflowExecution",namespace="temporal_system",operation="StartWorkflowExecution",service_name="frontend"} 9
action{action_type="grpc_ExecuteMultiOperation",namespace="default",operation="ExecuteMultiOperation",service_name="frontend"} 3
service_latency_sum{namespace="default",operation="UpdateWorkflowExecution",service_name="frontend"} 2.5
service_latency_count{namespace="default",operation="UpdateWorkflowExecution",service_name="frontend"} 30
service_latency_sum{namespace="default",operation="PollWorkflowTaskQueue",service_name="frontend"} 120
service_latency_count{namespace="default",operation="PollWorkflowTaskQueue",service_name="frontend"} 4
persistence_latency_sum{namespace="default",operation="UpdateWorkflowExecution",service_name="history"} 0.25
persistence_latency_count{namespace="default",operation="UpdateWorkflowExecution",service_name="history"} 20
persistence_latency_bucket{namespace="default",operation="UpdateWorkflowExecution",service_name="history",le="0.01"} 20
`);

describe('dev server metrics over a run', () => {
  it("takes the namespace's action counts and the time per operation, leaving workers' polls out", () => {
    const delta = metricsDelta(before, after, 'default');
    expect(delta.actions).toEqual({ grpc_SignalWorkflowExecution: 4, grpc_ExecuteMultiOperation: 3 });
    expect(delta.requests).toEqual([{ service: 'frontend', operation: 'UpdateWorkflowExecution', calls: 20, totalMs: 2000 }]);
    expect(delta.persistence).toEqual([{ service: 'history', operation: 'UpdateWorkflowExecution', calls: 20, totalMs: 250 }]);
  });
});
