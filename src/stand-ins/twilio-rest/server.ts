/**
 * The Twilio REST stand-in's HTTP server: the subset of Twilio's 2010-04-01 API paycall uses
 * (a live call's Payments create/update, call update/fetch, Messages create) for the real
 * `twilio` client (`client.api.baseUrl = standIn.url`), the caller link the phone simulator
 * uses while a caller is connected in a `<Dial>` (control-routes.ts), and unauthenticated
 * admin routes under /_stand-in for health and StatusCallback fault injection. See README.md.
 *
 * Order of work for an API request, as Twilio does it: auth (401 20003) → route (404 20404,
 * 405 20004) → IdempotencyKey replay → the call's state → parameters (400 with Twilio's code)
 * → act → answer; StatusCallbacks and caller prompts follow the answer.
 */
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type Request, type Response } from 'express';
import { z } from 'zod';
import { createLogger, type Logger } from '../../logging/logger.js';
import { WebhookClient } from '../phone-simulator/http-client.js';
import { createStripeTokenizer, DEFAULT_STRIPE_URL, type Tokenizer } from '../phone-simulator/pay-emulator.js';
import type { RequestRecord } from '../phone-simulator/record.js';
import { callRoutes } from './calls-routes.js';
import { CallbackFaults, callbackFaultsPatchSchema } from './callbacks.js';
import { authenticatedAccount, type ApiRoute, type StandInContext } from './context.js';
import { controlRouter } from './control-routes.js';
import { CONTROL_PREFIX } from './control-protocol.js';
import { TwilioApiError, twilioErrors } from './errors.js';
import { IdempotencyKeys } from './idempotency.js';
import { LiveCalls, type LiveCall } from './live-calls.js';
import { messageRoutes } from './messages-routes.js';
import { paymentRoutes } from './payments-routes.js';
import type { SentMessage } from './resources.js';

export { CallbackFaults } from './callbacks.js';
export type { SentMessage } from './resources.js';

export { DEFAULT_TWILIO_STAND_IN_PORT } from './control-protocol.js';

export interface TwilioStandInOptions {
  /** TCP port; 0 picks a free one. Default 0. */
  port?: number;
  /** Interface to bind. Default 127.0.0.1. */
  host?: string;
  /** The account's auth token: checks HTTP Basic auth and signs the StatusCallbacks. */
  authToken: string;
  /** Accept only this AccountSid (default: any `AC…` presenting the auth token). */
  accountSid?: string;
  /** Stripe API (the sandbox) to tokenize with. Default http://127.0.0.1:12111. */
  stripeUrl?: string;
  stripeApiKey?: string;
  /** Replace tokenization (tests). */
  tokenize?: Tokenizer;
  /**
   * StatusCallback URLs under `publicBaseUrl` (what paycall tells Twilio, e.g. its
   * PUBLIC_BASE_URL) are delivered to `appUrl` (where paycall really listens), still signed
   * over the public URL. Without them, callbacks go to the URL as given.
   */
  publicBaseUrl?: string;
  appUrl?: string;
  /** Installed Pay Connector names (PaymentConnector must be one); default: any name. */
  paymentConnectors?: readonly string[];
  /** A capture request nobody answers ends as input-timeout after this long. Default 120000 ms. */
  answerDeadlineMs?: number;
  /** Twilio's limit on each callback response. Default 15000 ms. */
  callbackTimeoutMs?: number;
  /** Clock for expiry checks and dates. */
  now?: () => Date;
  logger?: Logger;
}

export interface TwilioStandIn {
  /** `http://host:port`: the `twilio` client's `api.baseUrl`, and the simulator's `--twilio-url`. */
  url: string;
  port: number;
  host: string;
  /** StatusCallback fault injection (also `POST /_stand-in/faults`). */
  faults: CallbackFaults;
  /** Every StatusCallback attempt made (masked card data only), oldest first. */
  callbacks: readonly RequestRecord[];
  /** Every message accepted by Messages.json, oldest first. */
  messages: readonly SentMessage[];
  /** Calls the stand-in knows (connected in a `<Dial>` now or before). */
  calls(): LiveCall[];
  /** Resolves when the call is connected in a `<Dial>`. */
  waitForDial(callSid: string, timeoutMs?: number): Promise<LiveCall>;
  /** Resolves when every payment session's callbacks were delivered. */
  settled(): Promise<void>;
  close(): Promise<void>;
}

/** Unmatched deliveries go as they are: no real URL has this origin. */
const NO_REWRITE = 'http://stand-in.invalid';
/** Callback attempts kept in memory. */
const MAX_CALLBACK_RECORDS = 5000;

function parseForm(body: unknown): Record<string, string> {
  const text = Buffer.isBuffer(body) ? body.toString('utf8') : '';
  return Object.fromEntries(new URLSearchParams(text));
}

export function createTwilioStandInApp(ctx: StandInContext): express.Express {
  const routes: ApiRoute[] = [...paymentRoutes, ...callRoutes, ...messageRoutes];
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  app.get('/_stand-in/health', (_req, res) => void res.json({ ok: true }));
  app.get('/_stand-in/faults', (_req, res) => void res.json(ctx.faults.get()));
  app.post('/_stand-in/faults', express.json({ type: () => true }), (req: Request, res: Response) => {
    const parsed = callbackFaultsPatchSchema.safeParse(req.body ?? {});
    if (!parsed.success) return void res.status(400).json({ error: z.prettifyError(parsed.error) });
    const settings = ctx.faults.set(parsed.data);
    ctx.logger.info({ faults: settings }, 'callback faults changed');
    res.json(settings);
  });
  app.delete('/_stand-in/faults', (_req, res) => void res.json(ctx.faults.reset()));
  app.get('/_stand-in/calls', (_req, res) => {
    res.json(
      ctx.calls.list().map((c) => ({
        callSid: c.callSid,
        childCallSid: c.childCallSid,
        status: c.status,
        inDial: c.inDial,
        payments: c.sessions.map((s) => ({ sid: s.sid, status: s.status })),
      })),
    );
  });
  app.use(CONTROL_PREFIX, controlRouter(ctx));

  app.use('/2010-04-01', express.raw({ type: () => true, limit: '1mb' }), (req: Request, res: Response) => {
    const started = Date.now();
    const path = new URL(req.originalUrl, 'http://stand-in.invalid').pathname;
    const method = req.method.toUpperCase();
    let status = 500;
    let body: unknown;
    try {
      const account = authenticatedAccount(ctx, req.get('authorization'));
      if (!account) throw twilioErrors.authenticate();
      const candidates = routes.map((r) => ({ route: r, match: r.pattern.exec(path) })).filter((c) => c.match);
      const chosen = candidates.find((c) => c.route.method === method);
      if (!chosen) throw candidates.length > 0 ? twilioErrors.methodNotAllowed(method) : twilioErrors.notFound(path);
      const params = chosen.match!.slice(1);
      if (params[0] !== account) throw twilioErrors.authenticate();
      const result = chosen.route.handle(ctx, { path, params, form: method === 'POST' ? parseForm(req.body) : {} });
      status = result.status;
      body = result.body;
    } catch (err) {
      const error = err instanceof TwilioApiError ? err : undefined;
      if (!error) ctx.logger.error({ err, method, path }, 'twilio stand-in bug');
      const e = error ?? new TwilioApiError(500, 20500, 'Internal Server Error');
      status = e.status;
      body = e.body();
    }
    res.status(status).set('Twilio-Request-Id', `RQ${randomBytes(16).toString('hex')}`).json(body);
    ctx.logger.info({ method, path, status, ms: Date.now() - started, ...(status >= 400 ? { code: (body as { code?: number }).code } : {}) }, 'twilio request');
  });

  app.use((req: Request, res: Response) => void res.status(404).json(twilioErrors.notFound(req.path).body()));
  // Body-parser failures (bad JSON, too large) as JSON; the body itself (maybe keys) is never logged.
  app.use((err: unknown, req: Request, res: Response, _next: express.NextFunction) => {
    const status = typeof (err as { status?: unknown }).status === 'number' ? (err as { status: number }).status : 500;
    ctx.logger.warn({ method: req.method, path: req.path, status, message: (err as Error).message }, 'twilio stand-in request failed');
    res.status(status).json({ error: (err as Error).message ?? 'request failed' });
  });
  return app;
}

/** Starts a stand-in; resolves once it is listening. */
export async function startTwilioStandIn(options: TwilioStandInOptions): Promise<TwilioStandIn> {
  const host = options.host ?? '127.0.0.1';
  const logger = options.logger ?? createLogger('twilio-stand-in');
  const callbackClient = new WebhookClient({
    baseUrl: options.appUrl ?? options.publicBaseUrl ?? NO_REWRITE,
    publicBaseUrl: options.publicBaseUrl ?? options.appUrl ?? NO_REWRITE,
    authToken: options.authToken,
    ...(options.callbackTimeoutMs ? { responseTimeoutMs: options.callbackTimeoutMs } : {}),
    afterRequest: () => {
      if (callbackClient.records.length > MAX_CALLBACK_RECORDS) callbackClient.records.splice(0, callbackClient.records.length - MAX_CALLBACK_RECORDS);
    },
  });
  const ctx: StandInContext = {
    authToken: options.authToken,
    ...(options.accountSid ? { accountSid: options.accountSid } : {}),
    calls: new LiveCalls(),
    idempotency: new IdempotencyKeys(),
    messages: [],
    callbackClient,
    faults: new CallbackFaults(),
    tokenize:
      options.tokenize ??
      createStripeTokenizer({ url: options.stripeUrl ?? DEFAULT_STRIPE_URL, ...(options.stripeApiKey ? { apiKey: options.stripeApiKey } : {}) }),
    now: options.now ?? (() => new Date()),
    answerDeadlineMs: options.answerDeadlineMs ?? 120_000,
    ...(options.paymentConnectors ? { paymentConnectors: options.paymentConnectors } : {}),
    logger,
  };
  const app = createTwilioStandInApp(ctx);
  const server: Server = app.listen(options.port ?? 0, host);
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  logger.info({ url }, 'twilio stand-in listening');

  const settled = async () => {
    for (const call of ctx.calls.list()) for (const session of call.sessions) await session.settled();
  };
  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    host,
    faults: ctx.faults,
    callbacks: callbackClient.records,
    messages: ctx.messages,
    calls: () => ctx.calls.list(),
    waitForDial: (callSid, timeoutMs = 10_000) => ctx.calls.waitForDial(callSid, timeoutMs),
    settled,
    close() {
      // Open long-polls are dropped; calls are left as they are (a restarted Twilio would not hang them up).
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
