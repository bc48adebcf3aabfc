/** `npm run worker`: the worker alone, against TEMPORAL_ADDRESS (production layout). */
import { NativeConnection } from '@temporalio/worker';
import { exitOnStartupError, onShutdownSignal } from '../cli/startup.js';
import { loadConfig } from '../config/config.js';
import { ensureWritableDir } from '../config/data-dir.js';
import { dataConverterFor } from '../temporal/encryption-codec.js';
import { installSdkLogging } from '../temporal/sdk-logging.js';
import { createLogger } from '../logging/logger.js';
import { describeOrderBook } from '../orders/open-order-book.js';
import { openActivities } from './activity-deps.js';
import { startWorker } from './worker.js';

const logger = createLogger('paycall-worker');

async function main(): Promise<void> {
  const config = loadConfig();
  ensureWritableDir(config.DATA_DIR);
  installSdkLogging(config.LOG_LEVEL);
  const address = config.TEMPORAL_ADDRESS ?? '127.0.0.1:7233';
  const { activities, close: closeActivities } = await openActivities(config);
  const connection = await NativeConnection.connect({ address });
  const dataConverter = dataConverterFor(config);
  const worker = await startWorker({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    activities,
    ...(dataConverter ? { dataConverter } : {}),
  });
  logger.info({ address, namespace: config.TEMPORAL_NAMESPACE, taskQueue: config.TEMPORAL_TASK_QUEUE, orderBook: describeOrderBook(config) }, 'worker running');
  onShutdownSignal(async () => {
    logger.info('draining the worker');
    await worker.shutdown();
    await closeActivities(); // the order book's pool, once no activity can use it
    await connection.close();
  });
  await worker.done;
}

main().catch(exitOnStartupError);
