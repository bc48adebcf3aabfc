/**
 * The small HTTP front Twilio would reach in production: a round-robin load balancer over
 * paycall's web processes (each request to the next one, so one call's webhooks land on
 * several webs). A backend that refuses or drops the connection is skipped and the request
 * tried on the next, as a proxy's "next upstream on error" does. Optionally it duplicates a
 * share of webhooks: the same request, same `I-Twilio-Idempotency-Token`, sent again to
 * another web a moment later, as Twilio's retries and network duplicates arrive; the
 * caller gets the first delivery's answer.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface WebhookFrontOptions {
  /** The web processes; may be given later with setBackends (the webs need the front's URL first). */
  backends?: readonly string[];
  /** Share of requests delivered twice (0–1). Default 0. */
  duplicateRate?: number;
  /** The source of randomness (seeded in chaos runs). Default Math.random. */
  random?: () => number;
  /** Largest delay before a duplicate is sent, ms. Default 200. */
  duplicateDelayMaxMs?: number;
}

export interface WebhookFrontStats {
  requests: number;
  /** Requests answered by each backend (by URL). */
  answeredBy: Record<string, number>;
  /** Requests that a backend refused or dropped and another one answered. */
  retriedElsewhere: number;
  /** Requests no backend answered (the front said 502). */
  unanswered: number;
  duplicatesSent: number;
  /** Duplicates that got no 2xx answer (status or error → count). */
  duplicateFailures: Record<string, number>;
}

export interface WebhookFront {
  url: string;
  setBackends(backends: readonly string[]): void;
  stats(): WebhookFrontStats;
  /** Stops listening and waits for duplicates still in flight. */
  close(): Promise<void>;
}

interface Forwarded {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

const hopByHop = new Set(['connection', 'keep-alive', 'transfer-encoding', 'proxy-connection', 'upgrade', 'content-length']);

export async function startWebhookFront(options: WebhookFrontOptions): Promise<WebhookFront> {
  let backends = (options.backends ?? []).map((b) => new URL(b));
  const random = options.random ?? Math.random;
  const duplicateRate = options.duplicateRate ?? 0;
  const duplicateDelayMaxMs = options.duplicateDelayMaxMs ?? 200;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 128 });
  const stats: WebhookFrontStats = { requests: 0, answeredBy: {}, retriedElsewhere: 0, unanswered: 0, duplicatesSent: 0, duplicateFailures: {} };
  const inFlight = new Set<Promise<void>>();
  let next = 0;

  const forward = (backend: URL, req: http.IncomingMessage, body: Buffer): Promise<Forwarded> =>
    new Promise((resolve, reject) => {
      const headers: http.OutgoingHttpHeaders = {};
      for (const [name, value] of Object.entries(req.headers)) if (!hopByHop.has(name) && value !== undefined) headers[name] = value;
      headers.host = backend.host;
      headers['content-length'] = String(body.length);
      const outgoing = http.request({ host: backend.hostname, port: backend.port, method: req.method, path: req.url, headers, agent }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (c: Buffer) => chunks.push(c));
        response.on('end', () => resolve({ status: response.statusCode ?? 502, headers: response.headers, body: Buffer.concat(chunks) }));
        response.on('error', reject);
      });
      outgoing.on('error', reject);
      outgoing.end(body);
    });

  /** Tries backends from `first` on, skipping those that fail at the connection level. */
  const deliver = async (first: number, req: http.IncomingMessage, body: Buffer): Promise<{ answer: Forwarded; backend: string; retried: boolean } | { error: string }> => {
    let lastError = 'no backend';
    for (let i = 0; i < backends.length; i++) {
      const backend = backends[(first + i) % backends.length]!;
      try {
        return { answer: await forward(backend, req, body), backend: backend.origin, retried: i > 0 };
      } catch (err) {
        lastError = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
      }
    }
    return { error: lastError };
  };

  const duplicate = (first: number, req: http.IncomingMessage, body: Buffer) => {
    stats.duplicatesSent++;
    const task = (async () => {
      await new Promise((r) => setTimeout(r, Math.floor(random() * duplicateDelayMaxMs)));
      const result = await deliver(first, req, body);
      const failure = 'error' in result ? result.error : result.answer.status >= 300 ? `HTTP ${result.answer.status}` : undefined;
      if (failure) stats.duplicateFailures[failure] = (stats.duplicateFailures[failure] ?? 0) + 1;
    })();
    inFlight.add(task);
    void task.finally(() => inFlight.delete(task));
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const body = Buffer.concat(chunks);
        stats.requests++;
        const first = next++ % Math.max(1, backends.length);
        if (random() < duplicateRate) duplicate(first + 1, req, body);
        const result = await deliver(first, req, body);
        if (res.destroyed) return; // the caller gave up (Twilio's 15 s)
        if ('error' in result) {
          stats.unanswered++;
          res.writeHead(502, { 'content-type': 'text/plain' }).end(`no web process answered: ${result.error}`);
          return;
        }
        stats.answeredBy[result.backend] = (stats.answeredBy[result.backend] ?? 0) + 1;
        if (result.retried) stats.retriedElsewhere++;
        const headers: http.OutgoingHttpHeaders = {};
        for (const [name, value] of Object.entries(result.answer.headers)) if (!hopByHop.has(name) && value !== undefined) headers[name] = value;
        res.writeHead(result.answer.status, headers).end(result.answer.body);
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    setBackends(list) {
      backends = list.map((b) => new URL(b));
    },
    stats: () => structuredClone(stats),
    async close() {
      await Promise.allSettled([...inFlight]);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      agent.destroy();
    },
  };
}
