/**
 * The Stripe sandbox HTTP server: Stripe's /v1 API subset for the real `stripe` client
 * (`new Stripe('sk_test_…', { host, port, protocol: 'http' })`), plus unauthenticated admin
 * routes under /_sandbox for health and fault injection. See README.md.
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
import { z } from 'zod';
import { createLogger, type Logger } from '../../logging/logger.js';
import {
  apiError,
  authenticationError,
  rateLimitError,
  StripeSandboxError,
  unrecognizedUrl,
} from './errors.js';
import { Faults, faultPatchSchema, type FaultSettings } from './faults.js';
import { fingerprint, parseForm } from './form.js';
import { Idempotency } from './idempotency.js';
import { newId } from './objects.js';
import { paymentIntentRoutes } from './payment-intents.js';
import { paymentMethodRoutes } from './payment-methods.js';
import { refundRoutes } from './refunds.js';
import type { Execution, Prepared, Route } from './routes.js';
import { Store } from './store.js';

export type { FaultSettings } from './faults.js';
export { Faults } from './faults.js';

/** The API version the sandbox reports when the client sends none (stripe@23.1.0's pinned version). */
export const sandboxApiVersion = '2026-10-28.endive';

export interface StripeSandboxOptions {
  /** TCP port; 0 picks a free one. Default 0. */
  port?: number;
  /** Interface to bind. Default 127.0.0.1. */
  host?: string;
  /** State lives in `<dataDir>/stripe-sandbox/state.json`. */
  dataDir: string;
  logger?: Logger;
}

export interface StripeSandbox {
  /** `http://host:port`, for humans and fetch; the stripe client wants `host`/`port` separately. */
  url: string;
  port: number;
  host: string;
  /** Programmatic fault injection (same settings as `/_sandbox/faults`). */
  faults: Faults;
  /** Stops listening, drops open connections, writes the state. */
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

export function createStripeSandboxApp(deps: { store: Store; faults: Faults; logger: Logger }): express.Express {
  const { store, faults, logger } = deps;
  const idempotency = new Idempotency(store);
  const routes: Route[] = [...paymentMethodRoutes(store), ...paymentIntentRoutes(store), ...refundRoutes(store)];

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  app.get('/_sandbox/health', (_req, res) => {
    res.json({ ok: true });
  });
  app.get('/_sandbox/faults', (_req, res) => {
    res.json(faults.get());
  });
  app.post('/_sandbox/faults', express.json({ type: () => true }), (req: Request, res: Response) => {
    const parsed = faultPatchSchema.safeParse(req.body ?? {});
    if (!parsed.success) {
      res.status(400).json({ error: { type: 'invalid_request_error', message: z.prettifyError(parsed.error) } });
      return;
    }
    const settings = faults.set(parsed.data);
    logger.info({ faults: settings }, 'fault settings changed');
    res.json(settings);
  });
  app.delete('/_sandbox/faults', (_req, res) => {
    const settings = faults.reset();
    logger.info({ faults: settings }, 'fault settings reset');
    res.json(settings);
  });

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
      const raw = method === 'GET' ? url.search.slice(1) : Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '';
      const params = parseForm(raw);
      const prepared = route.prepare(params, pathParams);

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
        const exec: Execution = { charged: false };
        const outcome = execute(prepared, exec, method, path);
        idempotency.complete(keyScope, { method, path, fingerprint: print, status: outcome.status, body: outcome.body });
        scope = undefined;
        store.save();
        finish(req, res, outcome, headers, exec, log);
        return;
      }

      await delay(latency);
      const exec: Execution = { charged: false };
      const seqBefore = store.state.seq;
      const outcome = execute(prepared, exec, method, path);
      // POSTs may change anything; a GET only creates (a test PaymentMethod materialized on retrieve).
      if (method === 'POST' || store.state.seq !== seqBefore) store.save();
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
  const store = Store.open(options.dataDir);
  const faults = new Faults();
  const app = createStripeSandboxApp({ store, faults, logger });

  const server: Server = app.listen(options.port ?? 0, host);
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  logger.info({ url, stateFile: store.file }, 'stripe sandbox listening');

  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    host,
    faults,
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((err) => {
          try {
            store.close();
          } catch (saveErr) {
            reject(saveErr as Error);
            return;
          }
          if (err) reject(err);
          else resolve();
        });
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
