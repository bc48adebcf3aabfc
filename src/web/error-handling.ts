/**
 * The web app's last word on errors. Every malformed request gets a 4xx, nothing ever
 * answers with a stack trace, and an error is logged once, as one structured line without
 * the request body (body-parser's messages can quote it), rate-limited so a flood of bad
 * requests cannot flood the log.
 */
import type { ErrorRequestHandler, Request } from 'express';
import type { Logger } from '../logging/logger.js';
import { redactCardNumbers } from '../privacy/card-numbers.js';
import { scrubText } from '../privacy/redact.js';

/** At most `perWindow` lines per kind per window; the rest are counted and reported once the window turns. */
export class RateLimitedLog {
  private readonly windows = new Map<string, { start: number; logged: number; suppressed: number }>();

  constructor(
    private readonly logger: Logger,
    private readonly perWindow = 10,
    private readonly windowMs = 60_000,
  ) {}

  warn(kind: string, fields: Record<string, unknown>, message: string): void {
    this.write('warn', kind, fields, message);
  }

  error(kind: string, fields: Record<string, unknown>, message: string): void {
    this.write('error', kind, fields, message);
  }

  private write(level: 'warn' | 'error', kind: string, fields: Record<string, unknown>, message: string): void {
    const now = Date.now();
    let window = this.windows.get(kind);
    if (!window || now - window.start >= this.windowMs) {
      if (window?.suppressed) this.logger[level]({ kind, suppressed: window.suppressed }, `${window.suppressed} more like this were not logged`);
      window = { start: now, logged: 0, suppressed: 0 };
      this.windows.set(kind, window);
    }
    if (window.logged >= this.perWindow) {
      window.suppressed++;
      return;
    }
    window.logged++;
    this.logger[level]({ kind, ...fields }, message);
  }
}

const clientMessages: Record<number, string> = {
  400: 'Bad request.',
  404: 'Not found.',
  413: 'Request body too large.',
  415: 'Unsupported media type.',
};

/** Where a request went, without its query string (which may carry anything). */
function pathOf(req: Request): string {
  return req.path.slice(0, 200);
}

export function finalErrorHandler(log: RateLimitedLog): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const e = err as { status?: number; statusCode?: number; type?: string; code?: string; name?: string; message?: string; stack?: string };
    const status = e.status ?? e.statusCode ?? 500;
    if (res.headersSent) return;
    if (status >= 400 && status < 500) {
      log.warn('client-error', { status, method: req.method, path: pathOf(req), ...(e.type ? { type: e.type } : {}), ...(e.code ? { code: e.code } : {}) }, 'request refused');
      res.status(status).type('text/plain').send(clientMessages[status] ?? 'Bad request.');
      return;
    }
    // Our own failures: the message and stack are kept (free of card-like numbers and phone numbers); the client learns nothing.
    const safe = scrubText(redactCardNumbers(String(e.message ?? '')));
    log.error('internal-error', { method: req.method, path: pathOf(req), err: { name: e.name, message: safe, stack: e.stack ? scrubText(redactCardNumbers(e.stack)) : undefined } }, 'request failed');
    res.status(500).type('text/plain').send('Internal error.');
  };
}
