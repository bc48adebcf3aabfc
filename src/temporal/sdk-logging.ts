/**
 * Installs the Temporal SDK Runtime, once per process, before any worker connection. It sets
 * where the SDK's logs go: paycall's pino stream (src/observability/sdk-logger.ts). That
 * stream carries the SDK's own messages, Core's native logs and workflow and activity logs,
 * redacted like the web logs. When the process exports metrics, it also installs the SDK's
 * Prometheus exporter (src/observability/sdk-metrics.ts).
 */
import { DefaultLogger, Runtime, makeTelemetryFilterString, type LogLevel, type MetricsExporterConfig } from '@temporalio/worker';
import type { Logger } from '../logging/logger.js';
import { PinoSdkLogger } from '../observability/sdk-logger.js';

export interface SdkRuntimeOptions {
  /** LOG_LEVEL. */
  level: string | undefined;
  /** paycall's pino logger; omitted: the SDK's plain-text default at warn (a few CLIs). */
  logger?: Logger;
  /** The SDK's metrics exporter; omitted: no SDK metrics. */
  metrics?: MetricsExporterConfig;
}

export function installSdkRuntime(options: SdkRuntimeOptions): void {
  const debugging = options.level === 'debug' || options.level === 'trace';
  const coreLevel: LogLevel = debugging ? 'DEBUG' : 'WARN';
  Runtime.install({
    logger: options.logger ? new PinoSdkLogger(options.logger) : new DefaultLogger(coreLevel),
    telemetryOptions: {
      // Core's native logs join the same stream (forwarded to the logger above), at warn unless debugging.
      ...(options.logger ? { logging: { forward: {}, filter: makeTelemetryFilterString({ core: coreLevel, other: 'ERROR' }) } } : {}),
      ...(options.metrics ? { metrics: options.metrics } : {}),
    },
  });
}
