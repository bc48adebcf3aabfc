/**
 * Helpers for the sandbox's webhook suites: a sandbox with webhook options (fast retries, no
 * env, "later" only on control calls unless asked), and a real HTTP receiver that verifies every
 * delivery with stripe-node's own `stripe.webhooks.constructEvent(rawBody, header, secret)`,
 * answering 400 when it throws (as a Stripe webhook route does) and otherwise what the test asks.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import Stripe from 'stripe';
import { createLogger } from '../../../src/logging/logger.js';
import { startStripeSandbox, type StripeSandbox, type StripeSandboxOptions } from '../../../src/stand-ins/stripe-sandbox/server.js';
import { testApiKey } from './helpers.js';

export interface WebhookSandbox {
  sandbox: StripeSandbox;
  dataDir: string;
  client(config?: Stripe.StripeConfig): Stripe;
  restart(overrides?: Partial<StripeSandboxOptions>): Promise<void>;
  stop(): Promise<void>;
}

export async function startWebhookSandbox(overrides: Partial<StripeSandboxOptions> = {}): Promise<WebhookSandbox> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'paycall-sandbox-wh-'));
  const logger = createLogger('stripe-sandbox', process.env.SANDBOX_LOG_LEVEL ?? 'silent');
  const start = (more: Partial<StripeSandboxOptions> = {}) =>
    startStripeSandbox({
      port: 0,
      host: '127.0.0.1',
      dataDir,
      logger,
      env: {},
      webhookEndpoints: [],
      webhookRetryDelaysMs: [40, 80, 120],
      webhookTimeoutMs: 2000,
      asyncDelayMs: null,
      ...overrides,
      ...more,
    });
  const t: WebhookSandbox = {
    sandbox: await start(),
    dataDir,
    client(config = {}) {
      return new Stripe(testApiKey, { host: t.sandbox.host, port: t.sandbox.port, protocol: 'http', maxNetworkRetries: 0, telemetry: false, ...config });
    },
    async restart(more = {}) {
      await t.sandbox.close();
      t.sandbox = await start(more);
    },
    async stop() {
      await t.sandbox.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  return t;
}

export interface Delivery {
  raw: string;
  headers: IncomingHttpHeaders;
  /** The verified event, when constructEvent accepted the delivery. */
  event?: Stripe.Event;
  /** constructEvent's error, when it refused it. */
  error?: Error;
  /** What the receiver answered. */
  status: number;
}

export interface WebhookReceiver {
  url: string;
  /** The secret the receiver verifies with (settable: the API hands it out on create). */
  secret: string;
  deliveries: Delivery[];
  /** Verified events, in arrival order. */
  events(): Stripe.Event[];
  /** Decides the answer to the n-th (1-based) verified delivery; default 200. */
  answer: (n: number, event: Stripe.Event) => number;
  /** Resolves once `done(deliveries)` is true; rejects after `timeoutMs`. */
  waitFor(done: (deliveries: Delivery[]) => boolean, timeoutMs?: number): Promise<void>;
  /** The first verified event of `type` matching `where`, waiting for it. */
  next(type: string, where?: (event: Stripe.Event) => boolean, timeoutMs?: number): Promise<Stripe.Event>;
  close(): Promise<void>;
}

const verifier = new Stripe('sk_test_receiver_only_verifies', { telemetry: false });

export async function startReceiver(secret = 'whsec_not_set_yet'): Promise<WebhookReceiver> {
  const receiver: WebhookReceiver = {
    url: '',
    secret,
    deliveries: [],
    events: () => receiver.deliveries.flatMap((d) => (d.event ? [d.event] : [])),
    answer: () => 200,
    async waitFor(done, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      while (!done(receiver.deliveries)) {
        if (Date.now() > deadline) {
          throw new Error(`receiver waited ${timeoutMs} ms; got ${receiver.deliveries.map((d) => `${d.event?.type ?? d.error?.message}:${d.status}`).join(', ')}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
    async next(type, where = () => true, timeoutMs = 5000) {
      const find = () => receiver.events().find((e) => e.type === type && where(e));
      await receiver.waitFor(() => find() !== undefined, timeoutMs);
      return find() as Stripe.Event;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  let verified = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const delivery: Delivery = { raw, headers: req.headers, status: 400 };
      try {
        delivery.event = verifier.webhooks.constructEvent(raw, req.headers['stripe-signature'] ?? '', receiver.secret);
        verified += 1;
        delivery.status = receiver.answer(verified, delivery.event);
      } catch (err) {
        delivery.error = err as Error;
      }
      receiver.deliveries.push(delivery);
      res.writeHead(delivery.status, { 'content-type': 'application/json' }).end(JSON.stringify({ received: delivery.status < 300 }));
    });
  });
  server.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/stripe/webhook`;
  return receiver;
}

/** A receiver registered with the sandbox (programmatically), for `enabledEvents` (default all). */
export async function registeredReceiver(t: WebhookSandbox, enabledEvents?: string[]): Promise<WebhookReceiver> {
  const receiver = await startReceiver();
  const endpoint = t.sandbox.webhooks.addEndpoint({ url: receiver.url, ...(enabledEvents ? { enabledEvents } : {}) });
  receiver.secret = endpoint.secret as string;
  return receiver;
}

/** Types of the verified events, in arrival order. */
export function typesOf(receiver: WebhookReceiver): string[] {
  return receiver.events().map((e) => e.type);
}
