/**
 * Stripe faults at a rate, for paycall's traffic only: an HTTP gate between paycall's
 * workers and the Stripe sandbox. A share of requests is answered 500 with Stripe's
 * `api_error` body without reaching the sandbox (nothing happens, as with the sandbox's
 * `failNext`), and a share of charges (PaymentIntent create with `confirm=true`, or
 * `/confirm`) reaches the sandbox, is made and saved under its Idempotency-Key, and then the
 * connection is destroyed instead of answered (the sandbox's `dropAfterChargeNext`).
 *
 * Why a gate rather than the sandbox's own counters: those are global and "the next N", so
 * under concurrency they would also hit the phone simulator's tokenization (Twilio's side of
 * `<Pay>`, not paycall) and the reconciler; the gate decides per request, for the workers'
 * requests alone.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { apiError } from '../../src/stand-ins/stripe-sandbox/errors.js';

export interface StripeFaultGateOptions {
  /** The sandbox's URL. */
  target: string;
  /** Share of requests answered 500 (0–1). */
  errorRate: number;
  /** Share of charges made whose response is dropped (0–1). */
  dropAfterChargeRate: number;
  random: () => number;
}

export interface StripeFaultGateStats {
  requests: number;
  charges: number;
  answered500: number;
  droppedAfterCharge: number;
}

export interface StripeFaultGate {
  url: string;
  stats(): StripeFaultGateStats;
  close(): Promise<void>;
}

const hopByHop = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length']);

/** A PaymentIntent confirmation: the request that moves money. */
export function isCharge(method: string | undefined, path: string, body: string): boolean {
  if (method !== 'POST') return false;
  if (/^\/v1\/payment_intents\/[^/]+\/confirm$/.test(path)) return true;
  return path === '/v1/payment_intents' && new URLSearchParams(body).get('confirm') === 'true';
}

export async function startStripeFaultGate(options: StripeFaultGateOptions): Promise<StripeFaultGate> {
  const target = new URL(options.target);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const stats: StripeFaultGateStats = { requests: 0, charges: 0, answered500: 0, droppedAfterCharge: 0 };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const path = (req.url ?? '/').split('?')[0]!;
      stats.requests++;
      const charge = isCharge(req.method, path, body.toString('utf8'));
      if (charge) stats.charges++;
      if (path.startsWith('/v1/') && options.random() < options.errorRate) {
        stats.answered500++;
        res.writeHead(500, { 'content-type': 'application/json', 'request-id': `req_gate_${stats.requests}` }).end(JSON.stringify(apiError(500).body()));
        return;
      }
      const drop = charge && options.random() < options.dropAfterChargeRate;
      const headers: http.OutgoingHttpHeaders = {};
      for (const [name, value] of Object.entries(req.headers)) if (!hopByHop.has(name) && value !== undefined) headers[name] = value;
      headers.host = target.host;
      headers['content-length'] = String(body.length);
      const outgoing = http.request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers, agent }, (response) => {
        const answer: Buffer[] = [];
        response.on('data', (c: Buffer) => answer.push(c));
        response.on('end', () => {
          if (drop) {
            // The charge is made and saved; the client never hears about it.
            stats.droppedAfterCharge++;
            req.socket.destroy();
            return;
          }
          const out: http.OutgoingHttpHeaders = {};
          for (const [name, value] of Object.entries(response.headers)) if (!hopByHop.has(name) && value !== undefined) out[name] = value;
          res.writeHead(response.statusCode ?? 502, out).end(Buffer.concat(answer));
        });
      });
      outgoing.on('error', () => req.socket.destroy());
      outgoing.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stats: () => ({ ...stats }),
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      agent.destroy();
    },
  };
}
