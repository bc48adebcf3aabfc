/**
 * The Stripe sandbox HTTP server: Stripe's /v1 API subset for the real `stripe` client
 * (`new Stripe('sk_test_…', { host, port, protocol: 'http' })`), plus unauthenticated admin
 * routes under /_sandbox (control-routes.ts) for health, fault injection and control calls.
 * State changes emit events (events.ts), delivered as signed webhooks (webhook-delivery.ts);
 * "some time later" changes run from lifecycle.ts. See README.md.
 *
 * Order of work for a /v1 request, mirroring where Stripe does each check:
 *   injected failure → auth (401) → route (404) → parameter validation (400) →
 *   idempotency (replay / 400 mismatch / 409 in flight) → latency → execute → save state
 *   (and the response under the Idempotency-Key) → answer, or drop the connection.
 * Everything before "execute" saves nothing.
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express, { type Request, type Response } from 'express';
import { createLogger, type Logger } from '../../logging/logger.js';
import { SandboxControl } from './control.js';
import { controlRouter } from './control-routes.js';
import { disputeRoutes, registerDisputeTransitions } from './disputes.js';
import { sandboxSettingsFromEnv } from './env.js';
import {
  apiError,
  authenticationError,
  rateLimitError,
  StripeSandboxError,
  unrecognizedUrl,
} from './errors.js';
import type { DeliveryRecord, WebhookEndpointObject } from './event-objects.js';
import { EventLog, eventRoutes } from './events.js';
import { Faults } from './faults.js';
import { fingerprint, parseForm } from './form.js';
import { Idempotency } from './idempotency.js';
import { Lifecycle } from './lifecycle.js';
import { MotoAccounts, type MotoSetting } from './moto-accounts.js';
import { newId, sandboxApiVersion } from './objects.js';
import { paymentIntentRoutes } from './payment-intents.js';
import { paymentMethodRoutes } from './payment-methods.js';
import { registerRefundTransitions } from './refund-transitions.js';
import { refundRoutes } from './refunds.js';
import type { Execution, Prepared, Route, SandboxContext } from './routes.js';
import { Store } from './store.js';
import { WebhookDispatcher } from './webhook-delivery.js';
import { addConfiguredEndpoint, configureEndpoints, endpointsWithSecrets, webhookEndpointRoutes, type WebhookEndpointConfig } from './webhook-endpoints.js';
import { WebhookFaults } from './webhook-faults.js';

export type { FaultSettings } from './faults.js';
export { Faults } from './faults.js';
export { sandboxApiVersion } from './objects.js';
export type { WebhookEndpointConfig } from './webhook-endpoints.js';
export type { DeliveryRecord, EventObject, WebhookEndpointObject } from './event-objects.js';
export { SandboxControl } from './control.js';
export { WebhookFaults, type WebhookFaultSettings } from './webhook-faults.js';

export interface StripeSandboxOptions {
  /** TCP port; 0 picks a free one. Default 0. */
  port?: number;
  /** Interface to bind. Default 127.0.0.1. */
  host?: string;
  /** State lives in `<dataDir>/stripe-sandbox/state.json`. */
  dataDir: string;
  logger?: Logger;
  /**
   * Endpoints that receive every event they select from the start. Omitted: the one named by
   * STRIPE_SANDBOX_WEBHOOK_URL (env.ts), if any; `[]` for none. More can be added through the API
   * (`stripe.webhookEndpoints.create`) or `sandbox.webhooks.addEndpoint`.
   */
  webhookEndpoints?: WebhookEndpointConfig[];
  /** Delays before each webhook retry (its length = number of retries). Omitted: env, else 1000,5000,25000. */
  webhookRetryDelaysMs?: number[];
  /** How long to wait for an endpoint's answer. Omitted: env, else 10000 ms. */
  webhookTimeoutMs?: number;
  /** "Some time later" for async refunds and disputes; null: only on control calls. Omitted: env, else 2000 ms. */
  asyncDelayMs?: number | null;
  /** Where omitted settings are read from. Default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** The accounts (secret keys) Stripe enabled for MOTO; default `all` (moto-accounts.ts). */
  motoAccounts?: MotoSetting;
}

/** Webhooks, programmatically (the same as the API and `/_sandbox/webhooks/…`). */
export interface SandboxWebhooks {
  /** Every endpoint, with its signing secret. */
  endpoints(): WebhookEndpointObject[];
  /** Adds an endpoint now (or updates the one with this URL); returns it with its secret. Dropped at the next start. */
  addEndpoint(config: WebhookEndpointConfig): WebhookEndpointObject;
  /** Delivery records (attempts, status), oldest event first. */
  deliveries(filter?: { event?: string; endpoint?: string }): DeliveryRecord[];
  /** Resolves once no delivery is being sent, held or waiting for a retry. */
  idle(): Promise<void>;
  /** Sends deliveries held by `reorderNext` now. */
  releaseHeld(): void;
  faults: WebhookFaults;
}

export interface StripeSandbox {
  /** `http://host:port`, for humans and fetch; the stripe client wants `host`/`port` separately. */
  url: string;
  port: number;
  host: string;
  /** Programmatic fault injection (same settings as `/_sandbox/faults`). */
  faults: Faults;
  webhooks: SandboxWebhooks;
  /** Control calls: settle/fail refunds, open/close disputes, run scheduled transitions. */
  control: SandboxControl;
  /** Which accounts have MOTO (same as `/_sandbox/moto`). */
  moto: MotoAccounts;
  /** Stops listening, drops open connections, stops deliveries and timers, writes the state. */
  close(): Promise<void>;
}

interface Outcome {
  status: number;
  body: string;
}

const delay = (ms: number): Promise<void> => (ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve());

/** The API key from `Authorization: Bearer <key>` or HTTP Basic `<key>:` (curl -u). */
function apiKeyOf(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (bearer) return bearer[1];
  const basic = /^Basic\s+(\S+)\s*$/i.exec(header);
  if (basic && basic[1] !== undefined) {
    const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
    return decoded.split(':')[0];
  }
  return undefined;
}

function decodePathParam(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

export interface SandboxAppDeps {
  ctx: SandboxContext;
  faults: Faults;
  webhookFaults: WebhookFaults;
  dispatcher: WebhookDispatcher;
  control: SandboxControl;
  logger: Logger;
}

export function createStripeSandboxApp(deps: SandboxAppDeps): express.Express {
  const { ctx, faults, logger } = deps;
  const { store } = ctx;
  const idempotency = new Idempotency(store);
  const routes: Route[] = [
    ...paymentMethodRoutes(store),
    ...paymentIntentRoutes(ctx),
    ...refundRoutes(ctx),
    ...disputeRoutes(ctx),
    ...eventRoutes(store),
    ...webhookEndpointRoutes(store),
  ];

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  app.use('/_sandbox', controlRouter({ ...deps, moto: ctx.moto }));

  app.use('/v1', express.raw({ type: () => true, limit: '1mb' }), (req: Request, res: Response) => {
    void handleV1(req, res);
  });

  app.use((req: Request, res: Response) => {
    res.status(404).json({ error: { type: 'invalid_request_error', message: `Unrecognized request URL (${req.method}: ${req.path}).` } });
  });

  // Body-parser failures (malformed JSON on the admin routes, bodies over 1 MB) as JSON, not HTML.
  app.use((err: unknown, req: Request, res: Response, _next: express.NextFunction) => {
    const status = typeof (err as { status?: unknown }).status === 'number' ? (err as { status: number }).status : 500;
    if (status >= 500) logger.error({ err, method: req.method, path: req.path }, 'stripe sandbox request failed');
    res.status(status).json({
      error: { type: status >= 500 ? 'api_error' : 'invalid_request_error', message: (err as Error).message ?? 'Request failed' },
    });
  });

  const send = (res: Response, outcome: Outcome, headers: Record<string, string> = {}): void => {
    if (res.writableEnded || res.destroyed) return;
    for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
    res.status(outcome.status).type('application/json').send(outcome.body);
  };

  const errorOutcome = (err: StripeSandboxError): Outcome => ({ status: err.status, body: JSON.stringify(err.body()) });

  /** Runs a prepared request; endpoint errors become the (saved) response, bugs a 500 api_error. */
  const execute = (prepared: Prepared, exec: Execution, method: string, path: string): Outcome => {
    try {
      return { status: 200, body: JSON.stringify(prepared.run(exec)) };
    } catch (err) {
      if (err instanceof StripeSandboxError) return errorOutcome(err);
      logger.error({ err, method, path }, 'stripe sandbox bug while executing a request');
      return errorOutcome(apiError(500));
    }
  };

  async function handleV1(req: Request, res: Response): Promise<void> {
    const started = Date.now();
    const url = new URL(req.originalUrl, 'http://sandbox.invalid');
    const path = url.pathname;
    const method = req.method.toUpperCase();
    const requestId = newId('req', 14);
    const idempotencyHeader = req.get('idempotency-key');
    const idempotencyKey = method === 'POST' && idempotencyHeader !== undefined && idempotencyHeader !== '' ? idempotencyHeader : undefined;
    const headers: Record<string, string> = {
      'Request-Id': requestId,
      'Stripe-Version': req.get('stripe-version') ?? sandboxApiVersion,
    };
    if (idempotencyKey !== undefined) headers['Idempotency-Key'] = idempotencyKey;
    const log = (status: number, extra: Record<string, unknown> = {}): void => {
      logger.info({ method, path, status, ms: Date.now() - started, requestId, idempotent: idempotencyKey !== undefined, ...extra }, 'stripe request');
    };
    const latency = faults.latencyMs();

    const injected = faults.takeFailure();
    if (injected !== undefined) {
      await delay(latency);
      const outcome = errorOutcome(injected === 429 ? rateLimitError() : apiError(injected));
      send(res, outcome, headers);
      log(outcome.status, { injected: true });
      return;
    }

    let scope: string | undefined;
    try {
      const apiKey = apiKeyOf(req.get('authorization'));
      if (apiKey === undefined || !apiKey.startsWith('sk_test_') || apiKey.length <= 'sk_test_'.length) {
        throw authenticationError(apiKey);
      }
      let route: Route | undefined;
      let pathParams: string[] = [];
      for (const candidate of routes) {
        const match = candidate.pattern.exec(path);
        if (candidate.method === method && match) {
          route = candidate;
          pathParams = match.slice(1).map((p) => decodePathParam(p ?? ''));
          break;
        }
      }
      if (!route) throw unrecognizedUrl(method, path);
      // stripe-node sends GET and DELETE parameters in the query string.
      const raw = method === 'GET' || method === 'DELETE' ? url.search.slice(1) : Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '';
      const params = parseForm(raw);
      const prepared = route.prepare(params, pathParams, { apiKey });

      if (idempotencyKey !== undefined) {
        Idempotency.validateKey(idempotencyKey);
        const keyScope = Idempotency.scope(apiKey, idempotencyKey);
        const print = fingerprint(params);
        // Throws 409 while another request holds the key: that key is not ours to release.
        const lookup = idempotency.begin(keyScope, idempotencyKey, method, path, print);
        if (lookup.kind === 'replay') {
          await delay(latency);
          send(res, { status: lookup.record.status, body: lookup.record.body }, { ...headers, 'Idempotent-Replayed': 'true' });
          log(lookup.record.status, { replayed: true });
          return;
        }
        scope = keyScope; // ours until completed; released on an unexpected failure
        await delay(latency);
        const exec: Execution = { charged: false, request: { id: requestId, idempotency_key: idempotencyKey } };
        const outcome = execute(prepared, exec, method, path);
        idempotency.complete(keyScope, { method, path, fingerprint: print, status: outcome.status, body: outcome.body });
        scope = undefined;
        store.save();
        finish(req, res, outcome, headers, exec, log);
        return;
      }

      await delay(latency);
      const exec: Execution = { charged: false, request: { id: requestId, idempotency_key: null } };
      const seqBefore = store.state.seq;
      const outcome = execute(prepared, exec, method, path);
      // POSTs and DELETEs may change anything; a GET only creates (a test PaymentMethod materialized on retrieve).
      if (method !== 'GET' || store.state.seq !== seqBefore) store.save();
      finish(req, res, outcome, headers, exec, log);
    } catch (err) {
      if (scope !== undefined) idempotency.release(scope);
      const outcome = err instanceof StripeSandboxError ? errorOutcome(err) : errorOutcome(apiError(500));
      if (!(err instanceof StripeSandboxError)) logger.error({ err, method, path }, 'stripe sandbox bug');
      await delay(latency);
      send(res, outcome, headers);
      log(outcome.status);
    }
  }

  function finish(
    req: Request,
    res: Response,
    outcome: Outcome,
    headers: Record<string, string>,
    exec: Execution,
    log: (status: number, extra?: Record<string, unknown>) => void,
  ): void {
    if (exec.charged && faults.takeDrop()) {
      req.socket.destroy();
      log(outcome.status, { dropped: true });
      return;
    }
    send(res, outcome, headers);
    log(outcome.status);
  }

  return app;
}

/** Starts a sandbox; resolves once it is listening. */
export async function startStripeSandbox(options: StripeSandboxOptions): Promise<StripeSandbox> {
  const host = options.host ?? '127.0.0.1';
  const logger = options.logger ?? createLogger('stripe-sandbox');
  const fromEnv = sandboxSettingsFromEnv(options.env ?? process.env);
  const store = Store.open(options.dataDir);
  const faults = new Faults();
  const webhookFaults = new WebhookFaults();
  const dispatcher = new WebhookDispatcher(store, webhookFaults, logger, {
    retryDelaysMs: options.webhookRetryDelaysMs ?? fromEnv.webhookRetryDelaysMs,
    timeoutMs: options.webhookTimeoutMs ?? fromEnv.webhookTimeoutMs,
  });
  const events = new EventLog(store);
  events.listen(dispatcher.onEvent);
  const lifecycle = new Lifecycle(store, logger, options.asyncDelayMs !== undefined ? options.asyncDelayMs : fromEnv.asyncDelayMs);
  const moto = new MotoAccounts(options.motoAccounts);
  const ctx: SandboxContext = { store, events, lifecycle, moto };
  registerRefundTransitions(ctx);
  registerDisputeTransitions(ctx);
  const control = new SandboxControl(ctx);
  const configured = configureEndpoints(store, options.webhookEndpoints ?? fromEnv.webhookEndpoints);
  store.save();
  const app = createStripeSandboxApp({ ctx, faults, webhookFaults, dispatcher, control, logger });

  const server: Server = app.listen(options.port ?? 0, host);
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  dispatcher.resume();
  lifecycle.start();
  logger.info({ url, stateFile: store.file, webhookEndpoints: configured.map((e) => e.url) }, 'stripe sandbox listening');

  const webhooks: SandboxWebhooks = {
    endpoints: () => endpointsWithSecrets(store),
    addEndpoint(config) {
      const endpoint = addConfiguredEndpoint(store, config);
      store.save();
      return endpoint;
    },
    deliveries: (filter) => dispatcher.deliveries(filter),
    idle: () => dispatcher.idle(),
    releaseHeld: () => dispatcher.releaseHeld(),
    faults: webhookFaults,
  };

  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    host,
    faults,
    webhooks,
    control,
    moto,
    close() {
      closing ??= (async () => {
        const closed = new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
        server.closeAllConnections();
        lifecycle.close();
        await dispatcher.close();
        let failure: unknown;
        try {
          await closed;
        } catch (err) {
          failure = err;
        }
        store.close();
        if (failure !== undefined) throw failure;
      })();
      return closing;
    },
  };
}
