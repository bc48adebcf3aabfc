/**
 * `npm start`: the whole of paycall on one machine. The Temporal dev server (unless
 * the environment names a Temporal server: TEMPORAL_ADDRESS, a profile, …), the Stripe sandbox (unless STRIPE_SECRET_KEY is set), the
 * worker and the web server, in one process; Ctrl-C stops them in order. The sandbox sends its
 * webhooks to the web server's POST /stripe/webhook, signed with STRIPE_WEBHOOK_SECRET or a dev secret.
 */
import path from 'node:path';
import { exitOnStartupError, onShutdownSignal, requireFreePort } from './process/startup.js';
import { loadConfig, type Config } from './config/config.js';
import { ensureWritableDir } from './config/data-dir.js';
import { installSdkRuntime } from './temporal/sdk-logging.js';
import { PaycallMetrics } from './observability/metrics.js';
import { processMetrics, sdkMetricsExporter } from './observability/sdk-metrics.js';
import { startWorkerHealthServer } from './observability/operations-server.js';
import { startTracing } from './observability/tracing.js';
import { devSecretFiles, resolveDevSecret, resolveStripeWebhookSecret, resolveTwilioAuthToken } from './config/dev-secrets.js';
import { createLogger } from './logging/logger.js';
import { DEV_ACCOUNT_SID } from './stand-ins/phone-simulator/signing.js';
import { startStripeSandbox, type StripeSandbox } from './stand-ins/stripe-sandbox/server.js';
import { startTwilioStandIn, type TwilioStandIn } from './stand-ins/twilio-rest/server.js';
import { startDevServer, type DevServer } from './temporal/dev-server.js';
import { resolveTemporalCli } from './temporal/temporal-cli.js';
import { connectClient, connectWorker, usesConfiguredTemporal } from './temporal/connect.js';
import { startWebServer } from './web/server.js';
import { describeOrderBook, orderBookKind } from './orders/open-order-book.js';
import { openActivities, stripeTarget } from './worker/activity-deps.js';
import { startWorker } from './worker/worker.js';

const logger = createLogger('paycall');

/** Where a caller who presses 0 is connected when no OPERATOR_NUMBER is set and Twilio is the local stand-in. */
const localOperatorNumber = '+15005550000';

async function main(): Promise<void> {
  const config = loadConfig();
  // With METRICS_PORT, one /metrics carries the web's, the worker's and the SDK's metrics (one process).
  const sdkMetrics = config.METRICS_PORT ? await sdkMetricsExporter() : undefined;
  installSdkRuntime({ level: config.LOG_LEVEL, logger: logger.child({ component: 'temporal' }), ...(sdkMetrics ? { metrics: sdkMetrics.metrics } : {}) });
  const metrics = config.METRICS_PORT ? new PaycallMetrics() : undefined;
  const tracing = startTracing(config, 'paycall');
  const embeddedTemporal = !usesConfiguredTemporal();
  const stripe = stripeTarget(config);
  const sandboxNeeded = stripe.isSandbox && !config.STRIPE_API_BASE;

  // Everything a user can fix is checked before anything starts.
  ensureWritableDir(config.DATA_DIR);
  await requireFreePort(config.PORT, 'paycall web server', 'PORT');
  if (sandboxNeeded) await requireFreePort(config.STRIPE_SANDBOX_PORT, 'Stripe sandbox', 'STRIPE_SANDBOX_PORT');
  let temporalCli: string | undefined;
  if (embeddedTemporal) {
    temporalCli = (await resolveTemporalCli()).path;
    const devPort = config.TEMPORAL_DEV_PORT;
    await requireFreePort(devPort, 'Temporal dev server', 'TEMPORAL_DEV_PORT', `set TEMPORAL_ADDRESS=127.0.0.1:${devPort} to use the Temporal server already running there, or TEMPORAL_DEV_PORT to another port`);
    await requireFreePort(config.TEMPORAL_UI_PORT, 'Temporal Web UI', 'TEMPORAL_UI_PORT');
  }
  // No Twilio account configured: the local Twilio REST stand-in plays it (live-call Payments for
  // agent-assisted payments, call updates), with the dev token and a demo operator number.
  const twilioLocal = !config.TWILIO_ACCOUNT_SID && !config.TWILIO_API_BASE;
  if (twilioLocal) await requireFreePort(config.TWILIO_STAND_IN_PORT, 'Twilio REST stand-in', 'TWILIO_STAND_IN_PORT');
  const authToken = await resolveTwilioAuthToken(config.TWILIO_AUTH_TOKEN, config.DATA_DIR);
  const running: Config = twilioLocal
    ? {
        ...config,
        TWILIO_ACCOUNT_SID: DEV_ACCOUNT_SID,
        TWILIO_AUTH_TOKEN: authToken.token,
        TWILIO_API_BASE: `http://127.0.0.1:${config.TWILIO_STAND_IN_PORT}`,
        OPERATOR_NUMBER: config.OPERATOR_NUMBER ?? localOperatorNumber,
      }
    : config;
  const { activities, close: closeActivities } = await openActivities(running);
  const operatorToken = await resolveDevSecret(config.OPERATOR_TOKEN, config.DATA_DIR, devSecretFiles.operatorToken);
  // The dev server's Web UI decodes encrypted payloads through paycall's codec, by a link with its own key.
  const codecUiKey = config.CODEC_UI_KEY || embeddedTemporal ? await resolveDevSecret(config.CODEC_UI_KEY, config.DATA_DIR, devSecretFiles.codecUiKey) : undefined;
  const localWebUrl = `http://${['0.0.0.0', '::'].includes(config.HOST) ? '127.0.0.1' : config.HOST}:${config.PORT}`;
  const codecLink = codecUiKey ? `${localWebUrl}/codec/ui/${codecUiKey.token}` : undefined;
  const stripeWebhookSecret = await resolveStripeWebhookSecret(config.STRIPE_WEBHOOK_SECRET, config.DATA_DIR);
  const stripeWebhookUrl = `http://127.0.0.1:${config.PORT}/stripe/webhook`;

  const stops: (() => Promise<void>)[] = [];
  let devServer: DevServer | undefined;
  if (embeddedTemporal) {
    logger.info('starting the Temporal dev server…');
    devServer = await startDevServer({
      cliPath: temporalCli,
      port: config.TEMPORAL_DEV_PORT,
      uiPort: config.TEMPORAL_UI_PORT,
      dbFilename: path.join(config.DATA_DIR, 'temporal.sqlite'),
      namespace: config.TEMPORAL_NAMESPACE,
      ...(codecLink ? { codecEndpoint: codecLink } : {}),
    });
    stops.unshift(() => devServer!.stop());
  }
  const target = devServer ? { devServerAddress: devServer.address } : {};

  let sandbox: StripeSandbox | undefined;
  if (sandboxNeeded) {
    sandbox = await startStripeSandbox({
      port: config.STRIPE_SANDBOX_PORT,
      dataDir: config.DATA_DIR,
      logger: logger.child({ component: 'stripe-sandbox' }),
      // Unless STRIPE_SANDBOX_WEBHOOK_URL says otherwise, to paycall's own route, with the secret it verifies.
      ...(process.env.STRIPE_SANDBOX_WEBHOOK_URL ? {} : { webhookEndpoints: [{ url: stripeWebhookUrl, secret: stripeWebhookSecret.token }] }),
    });
    stops.unshift(() => sandbox!.close());
  }

  let twilioStandIn: TwilioStandIn | undefined;
  if (twilioLocal) {
    twilioStandIn = await startTwilioStandIn({
      port: config.TWILIO_STAND_IN_PORT,
      authToken: authToken.token,
      accountSid: DEV_ACCOUNT_SID,
      stripeUrl: sandbox?.url ?? stripe.apiBase ?? `http://127.0.0.1:${config.STRIPE_SANDBOX_PORT}`,
      publicBaseUrl: config.publicBaseUrl,
      appUrl: `http://127.0.0.1:${config.PORT}`,
      logger: logger.child({ component: 'twilio-stand-in' }),
    });
    stops.unshift(() => twilioStandIn!.close());
  }

  const workerConnection = await connectWorker(config, target);
  stops.unshift(() => workerConnection.connection.close());
  const worker = await startWorker({ ...workerConnection, taskQueue: config.TEMPORAL_TASK_QUEUE, activities, ...(metrics ? { metrics } : {}), ...(tracing ? { tracing } : {}) });
  stops.unshift(() => closeActivities()); // after the worker: no activity uses the order book any more
  stops.unshift(() => worker.shutdown());

  if (tracing) stops.push(() => tracing.shutdown()); // last: the spans of the drain go out too
  const temporal = await connectClient(config, { ...target, ...(tracing ? { clientInterceptors: tracing.clientInterceptors() } : {}) });
  stops.unshift(() => temporal.close());
  const web = await startWebServer({
    config: { ...running, OPERATOR_TOKEN: operatorToken.token, ...(codecUiKey ? { CODEC_UI_KEY: codecUiKey.token } : {}) },
    client: temporal.client,
    authToken: authToken.token,
    logger: logger.child({ component: 'web' }),
    ...(metrics ? { metrics } : {}),
    stripeWebhookSecret: stripeWebhookSecret.token,
  });
  stops.unshift(() => web.close()); // first to stop: take no new calls
  const operations = metrics
    ? await startWorkerHealthServer(worker.worker, config.METRICS_PORT!, config.HOST, { metrics: processMetrics(metrics, sdkMetrics?.url) })
    : undefined;
  if (operations) stops.push(() => operations.close());

  onShutdownSignal(async (signal) => {
    logger.info({ signal }, 'shutting down: no new calls, draining the worker');
    for (const stop of stops) await stop();
    logger.info('stopped');
  });

  const lines = [
    '',
    'paycall is running',
    `  webhooks        ${config.publicBaseUrl}/twilio/voice  (call-status: /twilio/status)`,
    `  health          ${web.url}/healthz`,
    `  metrics         ${operations ? `http://127.0.0.1:${operations.port}/metrics (web, worker and Temporal SDK)` : 'set METRICS_PORT for /metrics'}`,
    `  operators       ${web.url}/operator/  (token: ${operatorToken.source === 'environment' ? 'OPERATOR_TOKEN' : `${operatorToken.token}, kept in ${operatorToken.file}`})`,
    `  Temporal        ${devServer ? `${devServer.address} (dev server, data in ${path.join(config.DATA_DIR, 'temporal.sqlite')})` : temporal.settings.describe()}`,
    ...(devServer?.uiUrl ? [`  Temporal UI     ${devServer.uiUrl}${codecLink ? ' (decodes payloads through paycall\'s codec)' : ''}`] : []),
    `  codec server    ${localWebUrl}/codec  (operator token; Web UI link: ${codecLink ?? 'set CODEC_UI_KEY'})`,
    `  Stripe          ${sandbox ? `${sandbox.url} (local sandbox)` : (stripe.apiBase ?? 'api.stripe.com')}`,
    `  Stripe events   ${config.publicBaseUrl}/stripe/webhook  (${stripeWebhookSecret.source === 'environment' ? 'STRIPE_WEBHOOK_SECRET' : `dev secret in ${stripeWebhookSecret.file}`}${sandbox && !process.env.STRIPE_SANDBOX_WEBHOOK_URL ? '; the sandbox sends its events there' : ''})`,
    `  orders          ${describeOrderBook(config)}${orderBookKind(config) === 'json-file' ? ` (payments recorded in ${path.join(config.DATA_DIR, 'orders-paid.json')})` : ''}`,
    `  tracing         ${tracing ? `OpenTelemetry to ${config.OTEL_EXPORTER_OTLP_ENDPOINT} as ${tracing.serviceName}` : 'off (set OTEL_EXPORTER_OTLP_ENDPOINT to trace)'}`,
    `  payloads        ${workerConnection.dataConverter ? `encrypted (key id ${config.PAYLOAD_ENCRYPTION_KEY_ID})` : 'not encrypted (set PAYLOAD_ENCRYPTION_KEY to encrypt)'}`,
    ...(twilioStandIn ? [`  Twilio REST     ${twilioStandIn.url} (local stand-in: live-call payments; operator line ${running.OPERATOR_NUMBER})`] : []),
    `  Twilio token    ${authToken.source === 'environment' ? 'TWILIO_AUTH_TOKEN' : `local dev token ${authToken.token} (in ${authToken.file}; set TWILIO_AUTH_TOKEN for real Twilio)`}`,
    '',
    'Place a test call:  npm run call -- --keys "73021#,1,pay=visa"   (or: npm run call, and type)',
    ...(twilioStandIn ? ['With an operator:   npm run call -- --keys "73021#,0,agent:pay=visa"   then take the payment in the console (Live calls)'] : []),
    'Find it:            npm run calls   ·   npm run inspect -- <CallSid>',
    'Ctrl-C stops everything.',
    '',
  ];
  console.log(lines.join('\n'));
}

main().catch(exitOnStartupError);
