/** Mounts the operator tools on paycall's web app: the JSON API at /api, the console at /operator, the codec server at /codec. */
import { fileURLToPath } from 'node:url';
import type { Client } from '@temporalio/client';
import express, { type Express } from 'express';
import type { Logger } from '../../logging/logger.js';
import { CallGateway } from '../../calls/call-gateway.js';
import { LiveCalls } from '../live-calls.js';
import { CallQueries } from '../read/call-queries.js';
import { RefundService } from '../refunds.js';
import { createOperatorApiRouter } from './api-routes.js';
import { createCodecRouter, type CodecRoutesOptions } from './codec-routes.js';
import { OperatorDirectory } from './operator-directory.js';

export interface OperatorToolsOptions {
  client: Client;
  namespace: string;
  /** Where refund workflows run: the worker's task queue. */
  taskQueue: string;
  /** OPERATOR_TOKEN; without it the API answers 503 (the console still loads and says so). */
  token?: string | undefined;
  /** The named operators (OPERATORS, OPERATORS_FILE, OPERATOR_TOKEN); built from `token` alone when absent. */
  directory?: OperatorDirectory;
  temporalUiUrl?: string;
  /** How long a refund request waits for the refund before answering 202 pending. */
  refundWaitMs?: number;
  /** The codec server for the Temporal Web UI and CLI (codec-routes.ts); not mounted without it. */
  codec?: Pick<CodecRoutesOptions, 'codec' | 'uiKey' | 'allowedOrigins'>;
}

export const consoleDir = fileURLToPath(new URL('./console/', import.meta.url));

/** Strict headers for the console: its own files only, no framing, no referrer. */
const consoleHeaders: Record<string, string> = {
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
};

export function mountOperatorTools(app: Express, options: OperatorToolsOptions & { logger: Logger }): void {
  const operators = options.directory ?? OperatorDirectory.fromConfig({ OPERATOR_TOKEN: options.token });
  const queries = new CallQueries(options.client, {
    namespace: options.namespace,
    ...(options.temporalUiUrl ? { temporalUiUrl: options.temporalUiUrl } : {}),
  });
  const refunds = new RefundService(options.client, queries, {
    taskQueue: options.taskQueue,
    ...(options.refundWaitMs ? { waitMs: options.refundWaitMs } : {}),
  });
  app.use(
    '/api',
    createOperatorApiRouter({
      queries,
      refunds,
      live: new LiveCalls(options.client, queries.reader, new CallGateway(options.client, { taskQueue: options.taskQueue, deadlineMs: 5000 })),
      operators,
      namespace: options.namespace,
      ...(options.temporalUiUrl ? { temporalUiUrl: options.temporalUiUrl } : {}),
      logger: options.logger.child({ component: 'operator-api' }),
    }),
  );
  if (options.codec) {
    app.use('/codec', createCodecRouter({ ...options.codec, namespace: options.namespace, operators, logger: options.logger.child({ component: 'codec' }) }));
  }
  app.use(
    '/operator',
    (_req, res, next) => {
      res.set(consoleHeaders);
      next();
    },
    express.static(consoleDir, { index: 'index.html', cacheControl: true, maxAge: 0, fallthrough: false }),
  );
}

/**
 * The Temporal Web UI for the server paycall talks to: Temporal Cloud's UI for a
 * `*.tmprl.cloud` address, else the same host on TEMPORAL_UI_PORT (the dev server's UI).
 */
export function temporalUiBaseUrl(config: { TEMPORAL_ADDRESS?: string | undefined; TEMPORAL_UI_PORT: number }): string {
  const address = config.TEMPORAL_ADDRESS;
  if (address && /\.tmprl\.cloud(:\d+)?$/.test(address)) return 'https://cloud.temporal.io';
  // The embedded dev server binds 127.0.0.1 (its UI too); keep the host as configured.
  const host = address ? address.replace(/:\d+$/, '') : '127.0.0.1';
  return `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${config.TEMPORAL_UI_PORT}`;
}
