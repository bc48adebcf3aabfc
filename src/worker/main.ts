/** `npm run worker`: the worker alone, against TEMPORAL_ADDRESS (production layout). */
import { exitOnStartupError, onShutdownSignal } from '../process/startup.js';
import { loadConfig } from '../config/config.js';
import { ensureWritableDir } from '../config/data-dir.js';
import { connectWorker } from '../temporal/connect.js';
import { installSdkRuntime } from '../temporal/sdk-logging.js';
import { PaycallMetrics } from '../observability/metrics.js';
import { processMetrics, sdkMetricsExporter } from '../observability/sdk-metrics.js';
import { createLogger } from '../logging/logger.js';
import { describeOrderBook } from '../orders/open-order-book.js';
import { openActivities } from './activity-deps.js';
import { startWorkerHealthServer } from '../observability/operations-server.js';
import { startWorker } from './worker.js';
import { startTracing } from '../observability/tracing.js';

const logger = createLogger('paycall-worker');

async function main(): Promise<void> {
  const config = loadConfig();
  ensureWritableDir(config.DATA_DIR);
  // With METRICS_PORT, /metrics carries paycall's metrics and the SDK's (exported on loopback, appended).
  const sdkMetrics = config.METRICS_PORT ? await sdkMetricsExporter() : undefined;
  installSdkRuntime({ level: config.LOG_LEVEL, logger: logger.child({ component: 'temporal' }), ...(sdkMetrics ? { metrics: sdkMetrics.metrics } : {}) });
  const metrics = config.METRICS_PORT ? new PaycallMetrics() : undefined;
  const tracing = startTracing(config, 'paycall-worker');
  const { activities, close: closeActivities } = await openActivities(config);
  const temporal = await connectWorker(config);
  const worker = await startWorker({ ...temporal, taskQueue: config.TEMPORAL_TASK_QUEUE, activities, ...(metrics ? { metrics } : {}), ...(tracing ? { tracing } : {}) });
  logger.info({ address: temporal.address, namespace: temporal.namespace, taskQueue: config.TEMPORAL_TASK_QUEUE, orderBook: describeOrderBook(config) }, 'worker running');
  const health = config.METRICS_PORT
    ? await startWorkerHealthServer(worker.worker, config.METRICS_PORT, '0.0.0.0', { ...(metrics ? { metrics: processMetrics(metrics, sdkMetrics?.url) } : {}) })
    : undefined;
  if (health) logger.info({ port: health.port }, 'worker operations port: /metrics, /healthz, /readyz');
  onShutdownSignal(async () => {
    logger.info('draining the worker');
    await worker.shutdown();
    await closeActivities(); // the order book's pool, once no activity can use it
    await temporal.connection.close();
    await health?.close();
    await tracing?.shutdown();
  });
  await worker.done;
}

main().catch(exitOnStartupError);
