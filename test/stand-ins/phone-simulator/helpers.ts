/**
 * A small fake of paycall's webhook side for the simulator's tests: an Express app on a free
 * port that checks every request's X-Twilio-Signature against the PUBLIC URL (as paycall
 * does), records it, and answers with scripted TwiML. Plus the Stripe sandbox for <Pay>.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Server } from 'node:http';
import express from 'express';
import twilio from 'twilio';
import { createLogger } from '../../../src/logging/logger.js';
import { startStripeSandbox, type StripeSandbox } from '../../../src/stand-ins/stripe-sandbox/server.js';

export const AUTH_TOKEN = 'test-auth-token-0123456789abcdef';
export const PUBLIC_URL = 'https://paycall.example.test';

export type VoiceResponse = InstanceType<typeof twilio.twiml.VoiceResponse>;
export const VoiceResponse = twilio.twiml.VoiceResponse;

export interface Received {
  method: string;
  /** Path and query as received. */
  url: string;
  path: string;
  query: Record<string, string>;
  /** Form body (POST) or query parameters (GET). */
  params: Record<string, string>;
  signature: string | undefined;
  idempotencyToken: string | undefined;
  validSignature: boolean;
}

export type Handler = (req: Received, res: express.Response) => unknown;

export interface FakeApp {
  url: string;
  publicUrl: string;
  received: Received[];
  /** Requests to one path (without query). */
  to(path: string): Received[];
  route(path: string, handler: Handler): void;
  /** Answer `path` with this TwiML every time. */
  twiml(path: string, build: (r: VoiceResponse, req: Received) => void): void;
  close(): Promise<void>;
}

export async function startFakeApp(options: { authToken?: string; publicUrl?: string } = {}): Promise<FakeApp> {
  const authToken = options.authToken ?? AUTH_TOKEN;
  const publicUrl = options.publicUrl ?? PUBLIC_URL;
  const routes = new Map<string, Handler>();
  const received: Received[] = [];
  const app = express();
  app.use(express.urlencoded({ extended: false }));
  app.use(async (req, res) => {
    const query = Object.fromEntries(new URL(req.originalUrl, 'http://x').searchParams);
    const body = (req.body ?? {}) as Record<string, string>;
    const signature = req.header('X-Twilio-Signature');
    const validSignature =
      signature !== undefined &&
      twilio.validateRequest(authToken, signature, publicUrl + req.originalUrl, req.method === 'POST' ? body : {});
    const r: Received = {
      method: req.method,
      url: req.originalUrl,
      path: req.path,
      query,
      params: req.method === 'POST' ? { ...body } : query,
      signature,
      idempotencyToken: req.header('I-Twilio-Idempotency-Token'),
      validSignature,
    };
    received.push(r);
    if (!signature) return void res.status(400).send('missing signature');
    if (!validSignature) return void res.status(403).send('invalid signature');
    const handler = routes.get(req.path);
    if (!handler) return void res.status(404).send('no route');
    const out = await handler(r, res);
    if (res.headersSent) return;
    if (out === undefined) return void res.status(204).end();
    res.type('text/xml').send(String(out));
  });
  const server: Server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    publicUrl,
    received,
    to: (p) => received.filter((r) => r.path === p),
    route: (p, h) => void routes.set(p, h),
    twiml: (p, build) =>
      void routes.set(p, (req) => {
        const r = new VoiceResponse();
        build(r, req);
        return r.toString();
      }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface TestSandbox {
  sandbox: StripeSandbox;
  url: string;
  stop(): Promise<void>;
}

export async function startSandbox(): Promise<TestSandbox> {
  const dir = mkdtempSync(path.join(tmpdir(), 'phone-sim-sandbox-'));
  const sandbox = await startStripeSandbox({ dataDir: dir, logger: createLogger('stripe-sandbox', 'silent') });
  return {
    sandbox,
    url: sandbox.url,
    async stop() {
      await sandbox.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Every request the app received must be free of these (card numbers, CVCs). */
export function leaks(received: readonly Received[], secrets: readonly string[]): string[] {
  const out: string[] = [];
  for (const r of received) {
    const hay = [r.url, ...Object.keys(r.params), ...Object.values(r.params)];
    for (const s of secrets) {
      const re = s.length >= 8 ? new RegExp(s) : new RegExp(`(?<![0-9A-Za-z])${s}(?![0-9A-Za-z])`);
      if (hay.some((h) => re.test(h))) out.push(`${r.method} ${r.url} carries ${s.slice(0, 2)}…`);
    }
  }
  return out;
}
