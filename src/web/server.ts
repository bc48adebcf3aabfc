/** Starts the web process's HTTP server; close() stops taking calls and drains open requests. */
import http from 'node:http';
import type { Client } from '@temporalio/client';
import { CallGateway } from '../calls/call-gateway.js';
import { PaymentEventsGateway } from '../calls/payment-events-gateway.js';
import { smsReceiptsEnabled, type Config } from '../config/config.js';
import type { Logger } from '../logging/logger.js';
import { temporalUiBaseUrl } from '../operators/web/mount.js';
import { OperatorDirectory } from '../operators/web/operator-directory.js';
import { codecOrigins } from '../operators/web/codec-access.js';
import { payloadCodecFor } from '../temporal/encryption-codec.js';
import type { PaycallMetrics } from '../observability/metrics.js';
import { createWebApp } from './app.js';
import { ReadinessCheck } from './readiness.js';

export interface RunningWebServer {
  url: string;
  /** The address and port the server is bound to (HOST, PORT). */
  bound: { address: string; port: number };
  close(): Promise<void>;
}

export async function startWebServer(options: {
  config: Config;
  client: Client;
  authToken: string;
  logger: Logger;
  metrics?: PaycallMetrics;
  /** Verifies POST /stripe/webhook (STRIPE_WEBHOOK_SECRET, or the dev secret); without it, no Stripe route. */
  stripeWebhookSecret?: string;
}): Promise<RunningWebServer> {
  const { config, metrics } = options;
  const gateway = new CallGateway(options.client, {
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    deadlineMs: config.WEBHOOK_DEADLINE_MS,
    ...(metrics ? { onDeadlineMiss: (operation) => metrics.deadlineMisses.inc({ operation }) } : {}),
  });
  const readiness = new ReadinessCheck(options.client, config.TEMPORAL_TASK_QUEUE);
  const app = createWebApp({
    readiness,
    gateway,
    config,
    authToken: options.authToken,
    receiptsEnabled: smsReceiptsEnabled(config),
    logger: options.logger,
    ...(metrics ? { metrics } : {}),
    ...(options.stripeWebhookSecret
      ? {
          stripe: {
            webhookSecret: options.stripeWebhookSecret,
            events: new PaymentEventsGateway(options.client, { taskQueue: config.TEMPORAL_TASK_QUEUE, deadlineMs: config.WEBHOOK_DEADLINE_MS }),
          },
        }
      : {}),
    operators: {
      client: options.client,
      namespace: config.TEMPORAL_NAMESPACE,
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      directory: OperatorDirectory.fromConfig(config),
      temporalUiUrl: temporalUiBaseUrl(config),
      codec: { codec: payloadCodecFor(config), uiKey: config.CODEC_UI_KEY, allowedOrigins: codecOrigins(config.CODEC_CORS_ORIGINS, temporalUiBaseUrl(config)) },
    },
  });
  const server = http.createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.PORT, config.HOST, () => resolve());
  });
  const bound = server.address() as { address: string; port: number };
  return {
    url: `http://localhost:${bound.port}`,
    bound: { address: bound.address, port: bound.port },
    close: () =>
      new Promise<void>((resolve) => {
        readiness.startDraining();
        server.close(() => resolve());
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), 5000).unref();
      }),
  };
}
