/**
 * What the two reference sides (the stateless IVR and the minimal durable call) share as
 * processes: their settings from the bench (one JSON environment variable), the orders
 * file, the Stripe sandbox they run beside them as `npm start` runs paycall's, and an HTTP
 * server that stops on SIGTERM. Their webhooks check Twilio's signature and parse
 * parameters with paycall's own middleware and schemas, so only what sits behind differs.
 */
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import express, { type Express, type Response } from 'express';
import { z } from 'zod';
import { ordersFileSchema } from '../../../src/orders/order-schema.js';
import { startStripeSandbox, type StripeSandbox } from '../../../src/stand-ins/stripe-sandbox/server.js';
import { requireTwilioSignature } from '../../../src/webhooks/twilio-signature.js';
import type { BenchOrder } from './dialogue.js';

/** The environment variable that carries a side's settings. */
export const sideSettingsVariable = 'BENCH_SIDE_SETTINGS';

export const referenceSettingsSchema = z.object({
  port: z.number().int().positive(),
  stripeSandboxPort: z.number().int().positive(),
  dataDir: z.string().min(1),
  ordersFile: z.string().min(1),
  authToken: z.string().min(1),
  publicBaseUrl: z.url(),
  /** Only the minimal durable call: its Temporal server, task queue and prebuilt workflow bundle. */
  temporal: z.object({ address: z.string().min(1), namespace: z.string().min(1), taskQueue: z.string().min(1), workflowBundlePath: z.string().min(1) }).optional(),
});
export type ReferenceSettings = z.infer<typeof referenceSettingsSchema>;

export function readSettings(env: NodeJS.ProcessEnv = process.env): ReferenceSettings {
  const text = env[sideSettingsVariable];
  if (!text) throw new Error(`${sideSettingsVariable} is not set: this process is started by the benchmark (test/bench/main.ts)`);
  return referenceSettingsSchema.parse(JSON.parse(text));
}

/** An order the caller can pay, and whether it has been. */
export type OrderEntry = BenchOrder & { status: 'unpaid' | 'paid' };

export async function loadOrders(file: string): Promise<Map<string, OrderEntry>> {
  const orders = ordersFileSchema.parse(JSON.parse(await readFile(file, 'utf8')));
  return new Map(orders.map((o) => [o.orderId, { orderId: o.orderId, amount: o.amount, currency: o.currency, description: o.description, status: o.status }]));
}

export function startSandbox(settings: ReferenceSettings): Promise<StripeSandbox> {
  return startStripeSandbox({ port: settings.stripeSandboxPort, dataDir: settings.dataDir, webhookEndpoints: [] });
}

/** An Express app with /readyz and a /twilio router behind Twilio's signature check. */
export function referenceApp(settings: ReferenceSettings, mount: (twilioRouter: express.Router) => void): Express {
  const app = express();
  app.disable('x-powered-by');
  app.get('/readyz', (_req, res) => {
    res.json({ ready: true });
  });
  const router = express.Router();
  router.use(express.urlencoded({ extended: false, limit: '32kb' }));
  router.use(requireTwilioSignature({ authToken: settings.authToken, publicBaseUrl: settings.publicBaseUrl }));
  mount(router);
  app.use('/twilio', router);
  return app;
}

export function sendTwiml(res: Response, twiml: string): void {
  res.status(200).type('text/xml').send(twiml);
}

/** Listens on the side's port; SIGTERM runs `stops` in order, then exits 0. */
export async function serve(app: Express, settings: ReferenceSettings, stops: (() => Promise<void>)[]): Promise<void> {
  const server = http.createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(settings.port, '127.0.0.1', () => resolve());
  });
  process.once('SIGTERM', () => {
    server.closeAllConnections();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    void (async () => {
      await closed;
      for (const stop of stops) await stop();
      process.exit(0);
    })().catch((err: unknown) => {
      console.error('bench side: shutdown failed:', err);
      process.exit(1);
    });
  });
}
