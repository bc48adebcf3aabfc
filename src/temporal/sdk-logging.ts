/**
 * Installs the Temporal SDK Runtime, once per process, before any worker connection: where the
 * SDK's logs go (worker state, bundling) at a sensible level, and, when the process exports
 * metrics, the SDK's Prometheus exporter (src/observability/sdk-metrics.ts).
 */
import { DefaultLogger, Runtime, type LogLevel, type MetricsExporterConfig } from '@temporalio/worker';

export interface SdkRuntimeOptions {
  /** LOG_LEVEL: the SDK says little below warn unless debugging. */
  level: string | undefined;
  /** The SDK's metrics exporter; omitted: no SDK metrics. */
  metrics?: MetricsExporterConfig;
}

export function installSdkRuntime(options: SdkRuntimeOptions): void {
  const sdkLevel: LogLevel = options.level === 'debug' || options.level === 'trace' ? 'DEBUG' : 'WARN';
  Runtime.install({
    logger: new DefaultLogger(sdkLevel),
    ...(options.metrics ? { telemetryOptions: { metrics: options.metrics } } : {}),
  });
}

