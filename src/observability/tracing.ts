/**
 * Optional OpenTelemetry tracing through @temporalio/interceptors-opentelemetry. It is off
 * unless OTEL_EXPORTER_OTLP_ENDPOINT is set. Then the web's Temporal client traces every
 * Update, Signal and start. The worker traces workflow runs and activities, and the trace
 * context travels in Temporal headers, so one trace runs from a webhook's Update through the
 * workflow into its activities. Spans go to the endpoint over OTLP/HTTP (JSON), and workflow
 * spans leave the sandbox through the SDK's `exporter` sink. With tracing on, the worker runs
 * the bundle with the OTel workflow interceptors (src/worker/workflow-bundle.ts). With it off,
 * nothing of OTel is in the workflow bundle or in new histories.
 */
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import {
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
  OpenTelemetryWorkflowClientInterceptor,
  makeWorkflowExporter,
} from '@temporalio/interceptors-opentelemetry';
import type { WorkflowClientInterceptor } from '@temporalio/client';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import type { Config } from '../config/config.js';

export type TracingConfig = Pick<Config, 'OTEL_EXPORTER_OTLP_ENDPOINT' | 'OTEL_SERVICE_NAME'>;

export interface Tracing {
  serviceName: string;
  spanProcessor: SpanProcessor;
  /** For the Temporal Client (web, and the worker's own client calls). */
  clientInterceptors(): WorkflowClientInterceptor[];
  /** For Worker.create's interceptors.activity. */
  activityInterceptors(): ActivityInterceptorsFactory[];
  /** The `exporter` sink the OTel workflow interceptors send their spans to. */
  workflowSinks(): { exporter: ReturnType<typeof makeWorkflowExporter> };
  /** Sends what is buffered; call on shutdown. */
  shutdown(): Promise<void>;
}

/** The OTLP/HTTP traces URL for an endpoint, as the OTel spec builds it from OTEL_EXPORTER_OTLP_ENDPOINT. */
export function tracesUrl(endpoint: string): string {
  return `${endpoint.replace(/\/+$/, '')}/v1/traces`;
}

/** Tracing for this process, or undefined when OTEL_EXPORTER_OTLP_ENDPOINT is not set. Registers the global tracer provider. */
export function startTracing(config: TracingConfig, defaultServiceName: string): Tracing | undefined {
  if (!config.OTEL_EXPORTER_OTLP_ENDPOINT) return undefined;
  const serviceName = config.OTEL_SERVICE_NAME ?? defaultServiceName;
  const resource = new Resource({ 'service.name': serviceName });
  const spanProcessor = new BatchSpanProcessor(new OTLPTraceExporter({ url: tracesUrl(config.OTEL_EXPORTER_OTLP_ENDPOINT) }), { scheduledDelayMillis: 1000 });
  const provider = new BasicTracerProvider({ resource, spanProcessors: [spanProcessor] });
  // The interceptors take their tracer from the global API; the context manager carries the active span across awaits,
  // so the client's interceptor finds the span it should put in the headers.
  provider.register({ contextManager: new AsyncLocalStorageContextManager().enable() });
  return {
    serviceName,
    spanProcessor,
    clientInterceptors: () => [new OpenTelemetryWorkflowClientInterceptor()],
    activityInterceptors: () => [(ctx) => ({ inbound: new OpenTelemetryActivityInboundInterceptor(ctx), outbound: new OpenTelemetryActivityOutboundInterceptor(ctx) })],
    workflowSinks: () => ({ exporter: makeWorkflowExporter(spanProcessor, resource) }),
    shutdown: () => provider.shutdown(),
  };
}
