/**
 * How Twilio talks to the app: signed form requests to the public URL (delivered to the
 * actual URL), an idempotency token per request, a 15 s cap on each response, and one retry
 * with the same token when the connection fails (Twilio's default `rc=1`, `rp=ct`). Every
 * attempt is recorded.
 */
import http from 'node:http';
import https from 'node:https';
import { performance } from 'node:perf_hooks';
import type { RequestKind, RequestRecord } from './record.js';
import { IDEMPOTENCY_HEADER, SIGNATURE_HEADER, newIdempotencyToken, signRequest, stripFragment } from './signing.js';
import type { HttpMethod } from './twiml-verbs.js';

export const TWILIO_RESPONSE_TIMEOUT_MS = 15_000;
export const TWILIO_CONNECT_TIMEOUT_MS = 5_000;

/** Connection failures Twilio retries (once, by default). */
const retryableCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ECONNTIMEOUT']);

export interface WebhookRequest {
  kind: RequestKind;
  method: HttpMethod;
  /** Absolute URL as Twilio would request it (in public-URL space). */
  url: string;
  params: Record<string, string>;
  /** Reuse this `I-Twilio-Idempotency-Token` (a deliberate duplicate delivery); default: a fresh one. */
  idempotencyToken?: string;
}

export type WebhookResult =
  | { ok: true; status: number; body: string; contentType: string | undefined; record: RequestRecord }
  | {
      ok: false;
      failure: 'http-error' | 'timeout' | 'connection-error';
      status: number | null;
      error: string;
      body?: string;
      record: RequestRecord;
    };

export interface WebhookClientOptions {
  /** Where requests really go, e.g. http://localhost:3000. */
  baseUrl: string;
  /** What Twilio thinks the app's URL is (signatures are computed over it). Defaults to baseUrl. */
  publicBaseUrl?: string;
  authToken: string;
  responseTimeoutMs?: number;
  connectTimeoutMs?: number;
  /** Called before each attempt is sent (awaited). */
  beforeRequest?: (request: WebhookRequest & { attempt: number }) => void | Promise<void>;
  /** Called after each attempt is recorded. */
  afterRequest?: (record: RequestRecord) => void | Promise<void>;
}

export interface InFlight {
  /** Resolves once the request body has been handed to the network (or the attempt failed). */
  sent: Promise<void>;
  result: Promise<WebhookResult>;
}

export class WebhookClient {
  readonly records: RequestRecord[] = [];
  private readonly base: URL;
  private readonly publicBase: URL;
  private readonly responseTimeoutMs: number;
  private readonly connectTimeoutMs: number;

  constructor(private readonly options: WebhookClientOptions) {
    this.base = new URL(options.baseUrl);
    this.publicBase = new URL(options.publicBaseUrl ?? options.baseUrl);
    this.responseTimeoutMs = options.responseTimeoutMs ?? TWILIO_RESPONSE_TIMEOUT_MS;
    this.connectTimeoutMs = options.connectTimeoutMs ?? TWILIO_CONNECT_TIMEOUT_MS;
  }

  /** The public URL of a path on the app, e.g. `/twilio/voice`. */
  publicUrl(pathAndQuery: string): string {
    return new URL(joinPath(this.publicBase.pathname, pathAndQuery), this.publicBase.origin).toString();
  }

  /** Map a public-space URL to where it is really sent. URLs outside the public base go as they are. */
  actualUrl(publicUrl: string): string {
    const u = new URL(stripFragment(publicUrl));
    const prefix = trimSlash(this.publicBase.pathname);
    if (u.origin === this.publicBase.origin && (u.pathname === prefix || u.pathname.startsWith(`${prefix}/`) || !prefix)) {
      const rest = u.pathname.slice(prefix.length);
      return new URL(joinPath(this.base.pathname, rest) + u.search, this.base.origin).toString();
    }
    return u.toString();
  }

  async send(request: WebhookRequest): Promise<WebhookResult> {
    return this.start(request).result;
  }

  /** Send, and let the caller decide whether to wait for the response (a hang-up mid-request). */
  start(request: WebhookRequest): InFlight {
    const token = request.idempotencyToken ?? newIdempotencyToken();
    let markSent!: () => void;
    const sent = new Promise<void>((resolve) => (markSent = resolve));
    const result = (async () => {
      try {
        let last: WebhookResult | undefined;
        for (let attempt = 1; attempt <= 2; attempt++) {
          last = await this.attempt(request, token, attempt, markSent);
          const retry = !last.ok && last.failure === 'connection-error' && retryableCodes.has(errorCode(last.error));
          if (!retry) break;
        }
        return last!;
      } finally {
        markSent();
      }
    })();
    return { sent, result };
  }

  private async attempt(
    request: WebhookRequest,
    token: string,
    attempt: number,
    markSent: () => void,
  ): Promise<WebhookResult> {
    const signedUrlBase = stripFragment(request.url);
    let signedUrl = signedUrlBase;
    let body: string | undefined;
    let signature: string;
    if (request.method === 'GET') {
      const u = new URL(signedUrlBase);
      for (const [k, v] of Object.entries(request.params)) u.searchParams.append(k, v);
      signedUrl = u.toString();
      signature = signRequest(this.options.authToken, signedUrl, {});
    } else {
      body = new URLSearchParams(request.params).toString();
      signature = signRequest(this.options.authToken, signedUrl, request.params);
    }
    const url = this.actualUrl(signedUrl);
    await this.options.beforeRequest?.({ ...request, attempt });

    const startedAt = new Date();
    const t0 = performance.now();
    const raw = await rawRequest({
      method: request.method,
      url,
      body,
      headers: {
        [SIGNATURE_HEADER]: signature,
        [IDEMPOTENCY_HEADER]: token,
        'User-Agent': 'TwilioProxy/1.1 (paycall phone simulator)',
        Accept: '*/*',
        ...(body === undefined
          ? {}
          : { 'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8', 'Content-Length': String(Buffer.byteLength(body)) }),
      },
      connectTimeoutMs: this.connectTimeoutMs,
      responseTimeoutMs: this.responseTimeoutMs,
      onSent: markSent,
    });
    const latencyMs = Math.round((performance.now() - t0) * 10) / 10;

    const record: RequestRecord = {
      kind: request.kind,
      method: request.method,
      url,
      signedUrl,
      path: new URL(url).pathname,
      status: raw.kind === 'response' ? raw.status : null,
      outcome:
        raw.kind === 'response'
          ? raw.status >= 200 && raw.status < 300
            ? 'ok'
            : 'http-error'
          : raw.kind === 'timeout'
            ? 'timeout'
            : 'connection-error',
      ...(raw.kind === 'response' ? {} : { error: raw.error }),
      latencyMs,
      startedAt: startedAt.toISOString(),
      attempt,
      idempotencyToken: token,
      signature,
      params: { ...request.params },
    };
    this.records.push(record);
    await this.options.afterRequest?.(record);

    if (raw.kind === 'response') {
      if (raw.status >= 200 && raw.status < 300) {
        return { ok: true, status: raw.status, body: raw.body, contentType: raw.contentType, record };
      }
      return { ok: false, failure: 'http-error', status: raw.status, error: `HTTP ${raw.status}`, body: raw.body, record };
    }
    return { ok: false, failure: raw.kind === 'timeout' ? 'timeout' : 'connection-error', status: null, error: raw.error, record };
  }
}

type RawResult =
  | { kind: 'response'; status: number; body: string; contentType: string | undefined }
  | { kind: 'timeout'; error: string }
  | { kind: 'connection-error'; error: string };

function rawRequest(opts: {
  method: HttpMethod;
  url: string;
  body: string | undefined;
  headers: Record<string, string>;
  connectTimeoutMs: number;
  responseTimeoutMs: number;
  onSent: () => void;
}): Promise<RawResult> {
  return new Promise<RawResult>((resolve) => {
    const u = new URL(opts.url);
    const lib = u.protocol === 'https:' ? https : http;
    let settled = false;
    const finish = (r: RawResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(totalTimer);
      clearTimeout(connectTimer);
      opts.onSent();
      resolve(r);
    };
    let connectTimer: NodeJS.Timeout | undefined;
    const totalTimer = setTimeout(() => {
      finish({ kind: 'timeout', error: `no complete response within ${opts.responseTimeoutMs} ms` });
      req.destroy();
    }, opts.responseTimeoutMs);

    const req = lib.request(u, { method: opts.method, headers: opts.headers });
    req.on('socket', (socket) => {
      if (socket.connecting) {
        connectTimer = setTimeout(() => {
          const err = Object.assign(new Error(`connect timeout after ${opts.connectTimeoutMs} ms`), { code: 'ECONNTIMEOUT' });
          req.destroy(err);
        }, opts.connectTimeoutMs);
        socket.once('connect', () => clearTimeout(connectTimer));
      }
    });
    req.on('finish', () => opts.onSent());
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        finish({
          kind: 'response',
          status: res.statusCode ?? 0,
          body: Buffer.concat(chunks).toString('utf8'),
          contentType: res.headers['content-type'],
        }),
      );
      res.on('error', (err) => finish({ kind: 'connection-error', error: describe(err) }));
    });
    req.on('error', (err) => finish({ kind: 'connection-error', error: describe(err) }));
    req.end(opts.body);
  });
}

function describe(err: Error & { code?: string }): string {
  return err.code ? `${err.code}: ${err.message}` : err.message;
}

function errorCode(error: string): string {
  return /^([A-Z_]+):/.exec(error)?.[1] ?? '';
}

function trimSlash(p: string): string {
  return p.endsWith('/') ? p.slice(0, -1) : p;
}

function joinPath(basePath: string, rest: string): string {
  const b = trimSlash(basePath);
  if (!rest) return b || '/';
  return `${b}${rest.startsWith('/') ? '' : '/'}${rest}`;
}
