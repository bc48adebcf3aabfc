/** `npm run web`: the webhook server alone, against TEMPORAL_ADDRESS (production layout). */
import { exitOnStartupError, onShutdownSignal, requireFreePort } from '../process/startup.js';
import { loadConfig } from '../config/config.js';
import { ensureWritableDir } from '../config/data-dir.js';
import { resolveStripeWebhookSecret, resolveTwilioAuthToken } from '../config/dev-secrets.js';
import { createLogger } from '../logging/logger.js';
import { connectClient } from '../temporal/connect.js';
import { startWebServer } from './server.js';
import { PaycallMetrics } from '../observability/metrics.js';
import { processMetrics } from '../observability/sdk-metrics.js';
import { startOperationsServer } from '../observability/operations-server.js';
import { startTracing } from '../observability/tracing.js';

const logger = createLogger('paycall-web');

async function main(): Promise<void> {
  const config = loadConfig();
  ensureWritableDir(config.DATA_DIR);
  await requireFreePort(config.PORT, 'paycall web server', 'PORT');
  const authToken = await resolveTwilioAuthToken(config.TWILIO_AUTH_TOKEN, config.DATA_DIR);
  const stripeWebhookSecret = await resolveStripeWebhookSecret(config.STRIPE_WEBHOOK_SECRET, config.DATA_DIR);
  if (stripeWebhookSecret.source !== 'environment') logger.warn({ file: stripeWebhookSecret.file }, 'STRIPE_WEBHOOK_SECRET is not set: POST /stripe/webhook accepts only events signed with the local dev secret');
  const tracing = startTracing(config, 'paycall-web');
  const temporal = await connectClient(config, tracing ? { clientInterceptors: tracing.clientInterceptors() } : {});
  const metrics = config.METRICS_PORT ? new PaycallMetrics() : undefined;
  const web = await startWebServer({ config, client: temporal.client, authToken: authToken.token, logger, stripeWebhookSecret: stripeWebhookSecret.token, ...(metrics ? { metrics } : {}) });
  logger.info({ url: web.url, publicBaseUrl: config.publicBaseUrl, temporal: temporal.address }, 'web server running');
  // Metrics on their own port (METRICS_PORT), not on the public one Twilio reaches.
  const operations = metrics ? await startOperationsServer({ metrics: processMetrics(metrics) }, config.METRICS_PORT!) : undefined;
  if (operations) logger.info({ port: operations.port }, 'web operations port: /metrics, /healthz');
  onShutdownSignal(async () => {
    logger.info('no new calls; closing');
    await web.close();
    await temporal.close();
    await operations?.close();
    await tracing?.shutdown();
  });
}

main().catch(exitOnStartupError);
