/**
 * A reference implementation of the merchant order API contract (docs/orders.md), as a
 * real HTTP server on a free loopback port, for the HTTP order book's tests:
 *   GET  {base}/orders/{orderId}          200 order | 404
 *   POST {base}/orders/{orderId}/payment  200 paid order (also on a repeat by the same
 *        PaymentIntent) | 404 unknown | 409 paid by another payment | 400 bad request
 * Every request needs `Authorization: Bearer <token>` (401 otherwise). It records what it
 * was sent, and can be told to fail, stall or answer garbage for the next requests.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { markPaidRequestSchema } from '../../src/orders/http-order-book.js';
import type { Order } from '../../src/orders/order-book.js';

export interface RecordedRequest {
  method: string;
  path: string;
  authorization?: string;
  idempotencyKey?: string;
  body: string;
}

type Fault = ({ kind: 'status'; status: number; body: string; headers?: Record<string, string> } | { kind: 'delay'; ms: number }) & {
  /** Only requests with this method (e.g. the mark-paid POSTs); any when unset. */
  method?: string;
};

export interface FaultOptions {
  body?: string;
  headers?: Record<string, string>;
  method?: 'GET' | 'POST';
}

export interface MerchantOrdersApi {
  /** The base URL to configure as ORDERS_API_URL (it has a path, as real ones often do). */
  baseUrl: string;
  token: string;
  orders: Map<string, Order>;
  requests: RecordedRequest[];
  /** The next `count` requests (of `method`, if given) are answered with `status` and `body` instead. */
  answerNext(count: number, status: number, options?: FaultOptions): void;
  /** The next `count` requests (of `method`, if given) wait `ms` before being handled normally. */
  delayNext(count: number, ms: number, options?: Pick<FaultOptions, 'method'>): void;
  close(): Promise<void>;
}

export async function startMerchantOrdersApi(options: { orders?: Order[]; token?: string } = {}): Promise<MerchantOrdersApi> {
  const token = options.token ?? 'merchant-api-token-1234';
  const orders = new Map((options.orders ?? []).map((order) => [order.orderId, { ...order }]));
  const requests: RecordedRequest[] = [];
  const faults: Fault[] = [];
  const prefix = '/api/paycall';

  function send(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    res.writeHead(status, { 'Content-Type': 'application/json', ...headers }).end(text);
  }

  function handle(req: http.IncomingMessage, res: http.ServerResponse, body: string): void {
    if (req.headers.authorization !== `Bearer ${token}`) return send(res, 401, { error: 'unauthorized' });
    const path = (req.url ?? '').split('?')[0] ?? '';
    const match = path.startsWith(prefix) ? /^\/orders\/([^/]+)(\/payment)?$/.exec(path.slice(prefix.length)) : null;
    if (!match) return send(res, 404, { error: 'no such route' });
    const orderId = decodeURIComponent(match[1]!);
    const order = orders.get(orderId);
    if (req.method === 'GET' && !match[2]) return order ? send(res, 200, order) : send(res, 404, { error: 'unknown order' });
    if (req.method !== 'POST' || !match[2]) return send(res, 405, { error: 'method not allowed' });

    let paymentIntentId: string;
    try {
      paymentIntentId = markPaidRequestSchema.parse(JSON.parse(body)).paymentIntentId;
    } catch {
      return send(res, 400, { error: 'body must be {"paymentIntentId": "pi_…"}' });
    }
    if (req.headers['idempotency-key'] !== paymentIntentId) return send(res, 400, { error: 'Idempotency-Key must be the PaymentIntent id' });
    if (!order) return send(res, 404, { error: 'unknown order' });
    if (order.status === 'paid') {
      return order.paymentIntentId === paymentIntentId ? send(res, 200, order) : send(res, 409, { error: 'paid by another payment' });
    }
    order.status = 'paid';
    order.paymentIntentId = paymentIntentId;
    return send(res, 200, order);
  }

  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      requests.push({
        method: req.method ?? '',
        path: req.url ?? '',
        ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
        ...(typeof req.headers['idempotency-key'] === 'string' ? { idempotencyKey: req.headers['idempotency-key'] } : {}),
        body,
      });
      const index = faults.findIndex((f) => !f.method || f.method === req.method);
      const fault = index >= 0 ? faults.splice(index, 1)[0] : undefined;
      if (fault?.kind === 'status') return send(res, fault.status, fault.body, fault.headers);
      if (fault?.kind === 'delay') {
        setTimeout(() => !res.destroyed && handle(req, res, body), fault.ms);
        return;
      }
      handle(req, res, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    baseUrl: `http://127.0.0.1:${port}${prefix}/`,
    token,
    orders,
    requests,
    answerNext(count, status, { body = JSON.stringify({ error: `injected ${status}` }), headers, method } = {}) {
      for (let i = 0; i < count; i++) faults.push({ kind: 'status', status, body, ...(headers ? { headers } : {}), ...(method ? { method } : {}) });
    },
    delayNext(count, ms, { method } = {}) {
      for (let i = 0; i < count; i++) faults.push({ kind: 'delay', ms, ...(method ? { method } : {}) });
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
