/** `npm run web`: the webhook server alone, against TEMPORAL_ADDRESS (production layout). */
import { Client, Connection } from '@temporalio/client';
import { exitOnStartupError, onShutdownSignal, requireFreePort } from '../cli/startup.js';
import { loadConfig } from '../config/config.js';
import { ensureWritableDir } from '../config/data-dir.js';
import { resolveTwilioAuthToken } from '../config/dev-secrets.js';
import { createLogger } from '../logging/logger.js';
import { dataConverterFor } from '../temporal/encryption-codec.js';
import { startWebServer } from './server.js';

const logger = createLogger('paycall-web');

async function main(): Promise<void> {
  const config = loadConfig();
  ensureWritableDir(config.DATA_DIR);
  await requireFreePort(config.PORT, 'paycall web server', 'PORT');
  const address = config.TEMPORAL_ADDRESS ?? '127.0.0.1:7233';
  const authToken = await resolveTwilioAuthToken(config.TWILIO_AUTH_TOKEN, config.DATA_DIR);
  const connection = await Connection.connect({ address });
  const dataConverter = dataConverterFor(config);
  const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE, ...(dataConverter ? { dataConverter } : {}) });
  const web = await startWebServer({ config, client, authToken: authToken.token, logger });
  logger.info({ url: web.url, publicBaseUrl: config.publicBaseUrl, temporal: address }, 'web server running');
  onShutdownSignal(async () => {
    logger.info('no new calls; closing');
    await web.close();
    await connection.close();
  });
}

main().catch(exitOnStartupError);
