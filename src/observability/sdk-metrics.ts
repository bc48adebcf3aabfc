/**
 * The Temporal SDK Runtime's own metrics (workflow task latency, schedule-to-start, sticky
 * cache, activity and poller counts) are exported by the SDK's native Prometheus exporter,
 * which insists on its own HTTP port. paycall binds it on a free loopback port that nothing
 * outside the process sees, and the operations server (src/observability/operations-server.ts) appends
 * its text to paycall's own on METRICS_PORT: one scrape target per process.
 */
import type { MetricsExporterConfig } from '@temporalio/worker';
import { freePort } from '../temporal/dev-server.js';
import type { PaycallMetrics } from './metrics.js';

export interface SdkMetricsExporter {
  /** For Runtime.install({ telemetryOptions: { metrics } }). */
  metrics: MetricsExporterConfig;
  /** Where the exporter answers (loopback only). */
  url: string;
}

/** A loopback exporter config; durations in seconds, as Prometheus (and paycall's histograms) use. */
export async function sdkMetricsExporter(): Promise<SdkMetricsExporter> {
  const port = await freePort('127.0.0.1');
  return {
    metrics: { prometheus: { bindAddress: `127.0.0.1:${port}`, useSecondsForDurations: true } },
    url: `http://127.0.0.1:${port}/metrics`,
  };
}

export interface MetricsSource {
  contentType: string;
  text(): Promise<string>;
}

/** paycall's registry, followed by the SDK exporter's text when the process runs a worker. */
export function processMetrics(paycall: PaycallMetrics, sdkMetricsUrl?: string): MetricsSource {
  return {
    contentType: paycall.contentType,
    async text() {
      const own = await paycall.text();
      if (!sdkMetricsUrl) return own;
      try {
        const response = await fetch(sdkMetricsUrl, { signal: AbortSignal.timeout(2000) });
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        return `${own}\n${await response.text()}`;
      } catch (err) {
        // A scrape still gets paycall's metrics; the gap in temporal_* series shows the problem.
        return `${own}\n# paycall: the Temporal SDK's metrics did not answer (${(err as Error).message})\n`;
      }
    },
  };
}
