/**
 * The merchant's own order API as paycall's order book (ORDERS_API_URL; the contract is in
 * docs/orders.md):
 *   GET  {base}/orders/{orderId}          → 200 order | 404 unknown
 *   POST {base}/orders/{orderId}/payment  → 200 paid order (again on a repeat by the same
 *        PaymentIntent) | 404 unknown | 409 paid by another payment
 * with `Authorization: Bearer ORDERS_API_TOKEN` and, on the POST, the PaymentIntent id as
 * `Idempotency-Key` and in the body.
 *
 * What a failure means for the activity: a timeout, a refused connection, 408, 429 or any
 * 5xx is a plain Error (Temporal retries it); any other answer the contract does not allow
 * (400, 401, 403, 422, a redirect, a body that is not a valid order) is an
 * OrderBookRejectedError (non-retryable: a person has to fix the configuration or the API).
 */
import { z } from 'zod';
import { OrderBookRejectedError, OrderNotPayableError, type Order, type OrderBook } from './order-book.js';
import { firstIssue, orderSchema } from './order-schema.js';

export interface HttpOrderBookOptions {
  /** ORDERS_API_URL: the base the paths above are appended to. */
  baseUrl: string;
  /** ORDERS_API_TOKEN, sent as a bearer token when set. */
  token?: string;
  /** ORDERS_API_TIMEOUT_MS: for each request, response body included. */
  timeoutMs: number;
}

/** Statuses that mean "try again later". */
function isRetryableStatus(status: number): boolean {
  return status >= 500 || status === 408 || status === 429;
}

export class HttpOrderBook implements OrderBook {
  private readonly base: string;

  constructor(private readonly options: HttpOrderBookOptions) {
    this.base = options.baseUrl.replace(/\/+$/, '');
  }

  async find(orderId: string): Promise<Order | undefined> {
    const response = await this.request('GET', `/orders/${encodeURIComponent(orderId)}`);
    if (response.status === 404) return undefined;
    if (response.status !== 200) throw await this.unexpected(response, `looking up order ${orderId}`);
    const order = await this.readOrder(response, `looking up order ${orderId}`);
    if (order.orderId !== orderId) throw new OrderBookRejectedError(`ORDERS_API_URL answered order ${order.orderId} when asked for order ${orderId}`, 200);
    return order;
  }

  async markPaid(orderId: string, paymentIntentId: string): Promise<Order> {
    const doing = `marking order ${orderId} paid`;
    const response = await this.request('POST', `/orders/${encodeURIComponent(orderId)}/payment`, {
      headers: { 'Idempotency-Key': paymentIntentId, 'Content-Type': 'application/json' },
      body: JSON.stringify({ paymentIntentId }),
    });
    if (response.status === 404) throw new OrderNotPayableError(orderId, 'unknown-order');
    if (response.status === 409) throw new OrderNotPayableError(orderId, 'paid-by-another-payment');
    if (response.status !== 200) throw await this.unexpected(response, doing);
    const order = await this.readOrder(response, doing);
    if (order.orderId !== orderId || order.status !== 'paid' || order.paymentIntentId !== paymentIntentId) {
      throw new OrderBookRejectedError(`ORDERS_API_URL answered 200 ${doing} but the order it returned is not order ${orderId} paid by ${paymentIntentId}`, 200);
    }
    return order;
  }

  private async request(method: 'GET' | 'POST', path: string, init: { headers?: Record<string, string>; body?: string } = {}): Promise<Response> {
    const url = `${this.base}${path}`;
    try {
      return await fetch(url, {
        method,
        headers: {
          Accept: 'application/json',
          'User-Agent': 'paycall',
          ...(this.options.token ? { Authorization: `Bearer ${this.options.token}` } : {}),
          ...init.headers,
        },
        ...(init.body !== undefined ? { body: init.body } : {}),
        // A redirect is not part of the contract (and must not carry the token elsewhere).
        redirect: 'manual',
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
    } catch (err) {
      throw this.transportError(err, method, url);
    }
  }

  /** Reads and validates the body under the same timeout as the request. */
  private async readOrder(response: Response, doing: string): Promise<Order> {
    let body: unknown;
    try {
      body = JSON.parse(await response.text());
    } catch (err) {
      if (err instanceof SyntaxError) throw new OrderBookRejectedError(`ORDERS_API_URL answered ${doing} with a body that is not JSON`, response.status);
      throw this.transportError(err, 'reading', response.url);
    }
    const parsed = orderSchema.safeParse(body);
    if (!parsed.success) throw new OrderBookRejectedError(`ORDERS_API_URL answered ${doing} with an invalid order ${firstIssue(parsed.error)}`, response.status);
    const { paymentIntentId, ...rest } = parsed.data;
    return { ...rest, ...(paymentIntentId ? { paymentIntentId } : {}) };
  }

  /** A status the contract does not give for this request: retryable or not by its kind. */
  private async unexpected(response: Response, doing: string): Promise<Error> {
    const detail = await response
      .text()
      .then((text) => text.replace(/\s+/g, ' ').trim().slice(0, 200))
      .catch(() => '');
    const message = `ORDERS_API_URL answered ${response.status} ${doing}${detail ? `: ${detail}` : ''}`;
    if (isRetryableStatus(response.status)) return new Error(message);
    const hint = response.status === 401 || response.status === 403 ? ' (check ORDERS_API_TOKEN)' : '';
    return new OrderBookRejectedError(message + hint, response.status);
  }

  private transportError(err: unknown, method: string, url: string): Error {
    const reason =
      err instanceof DOMException && err.name === 'TimeoutError'
        ? `timed out after ${this.options.timeoutMs} ms (ORDERS_API_TIMEOUT_MS)`
        : describeFetchError(err);
    return new Error(`ORDERS_API_URL ${method} ${url} failed: ${reason}`);
  }
}

/** fetch reports a refused connection as TypeError('fetch failed') with the real reason as its cause. */
function describeFetchError(err: unknown): string {
  const cause = err instanceof Error ? (err.cause as unknown) : undefined;
  if (cause instanceof AggregateError && cause.errors[0] instanceof Error) return cause.errors[0].message;
  if (cause instanceof Error) return cause.message || (cause as NodeJS.ErrnoException).code || cause.name;
  return err instanceof Error ? err.message : String(err);
}

/** The request body paycall sends to mark an order paid (for reference implementations). */
export const markPaidRequestSchema = z.object({ paymentIntentId: z.string().min(1) });
