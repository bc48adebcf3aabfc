/**
 * Webhook delivery, as Stripe does it (https://docs.stripe.com/webhooks): each new event goes to
 * every enabled endpoint whose `enabled_events` select it, as a POST of the JSON `Event`
 * (rendered at the endpoint's `api_version` when it has one) with
 *   `Stripe-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" keyed with the
 *   endpoint's whsec_ secret>`,
 * which `stripe.webhooks.constructEvent(rawBody, header, secret)` verifies. A 2xx answer is a
 * success; anything else, a redirect, a connection failure or no answer within `timeoutMs` is a
 * failure and is retried after `retryDelaysMs[0]`, `[1]`, … (Stripe's test mode retries three
 * times over a few hours; the sandbox's default is 1 s, 5 s, 25 s), then given up. Every
 * attempt is recorded; `Event.pending_webhooks` counts the endpoints not yet reached.
 *
 * First attempts to one endpoint are made one at a time in event order (Stripe promises no
 * order; webhook-faults.ts can reverse it); retries run on their own timers. Deliveries are saved
 * with the state (coalesced: a crash may send an event again, never lose it): after a restart,
 * unfinished ones carry on.
 */
import { createHmac } from 'node:crypto';
import type { Logger } from '../../logging/logger.js';
import { endpointWants, type DeliveryAttempt, type DeliveryRecord, type EventObject } from './event-objects.js';
import { nowSeconds } from './objects.js';
import { own } from './routes.js';
import type { Store, StoredWebhookEndpoint } from './store.js';
import type { WebhookFaults } from './webhook-faults.js';

export interface WebhookDeliveryOptions {
  /** Delays before each retry; its length is the number of retries. Default [1000, 5000, 25000]. */
  retryDelaysMs?: number[];
  /** How long to wait for an endpoint's answer. Default 10000 ms. */
  timeoutMs?: number;
}

export const defaultRetryDelaysMs = [1000, 5000, 25000];

/** The `Stripe-Signature` header value for `payload` signed with `secret` at `timestamp`. */
export function signatureHeader(payload: string, secret: string, timestamp = nowSeconds()): string {
  const signature = createHmac('sha256', secret).update(`${timestamp}.${payload}`, 'utf8').digest('hex');
  return `t=${timestamp},v1=${signature}`;
}

const deliveryKey = (eventId: string, endpointId: string): string => `${eventId} ${endpointId}`;

export class WebhookDispatcher {
  private readonly retryDelaysMs: number[];
  private readonly timeoutMs: number;
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly running = new Set<Promise<void>>();
  private readonly chains = new Map<string, Promise<void>>();
  private readonly aborts = new Set<AbortController>();
  private held: string[] = [];
  private holdTimer: NodeJS.Timeout | undefined;
  private queued = 0;
  private waiters: Array<() => void> = [];
  private closed = false;

  constructor(
    private readonly store: Store,
    private readonly faults: WebhookFaults,
    private readonly logger: Logger,
    options: WebhookDeliveryOptions = {},
  ) {
    this.retryDelaysMs = options.retryDelaysMs ?? defaultRetryDelaysMs;
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  /** The EventLog listener: records a delivery per interested endpoint, then sends them. */
  readonly onEvent = (event: EventObject): void => {
    const keys: string[] = [];
    for (const endpoint of Object.values(this.store.state.webhookEndpoints).sort((a, b) => a.seq - b.seq)) {
      if (!endpointWants(endpoint.object, event.type)) continue;
      const key = deliveryKey(event.id, endpoint.object.id);
      this.store.state.deliveries[key] = {
        event: event.id,
        type: event.type,
        endpoint: endpoint.object.id,
        url: endpoint.object.url,
        status: 'pending',
        attempts: [],
        nextAttemptAt: Date.now(),
      };
      keys.push(key);
    }
    event.pending_webhooks = keys.length;
    if (keys.length === 0) return;
    // After the request that emitted the event has saved the state and answered.
    this.queued += 1;
    setImmediate(() => {
      this.queued -= 1;
      for (const key of keys) this.enqueue(key);
      this.notifyIfIdle();
    });
  };

  /** Carries on with unfinished deliveries from a saved state (call once after start). */
  resume(): void {
    const pending = Object.entries(this.store.state.deliveries).filter(([, d]) => d.status === 'pending');
    const seqOf = (d: DeliveryRecord): number => own(this.store.state.events, d.event)?.seq ?? 0;
    pending.sort(([, a], [, b]) => seqOf(a) - seqOf(b));
    for (const [key, delivery] of pending) this.scheduleAttempt(key, delivery.nextAttemptAt ?? Date.now());
  }

  /** Delivery records, oldest event first, optionally of one event or one endpoint. */
  deliveries(filter: { event?: string; endpoint?: string } = {}): DeliveryRecord[] {
    const seqOf = (d: DeliveryRecord): number => own(this.store.state.events, d.event)?.seq ?? 0;
    return Object.values(this.store.state.deliveries)
      .filter((d) => (filter.event === undefined || d.event === filter.event) && (filter.endpoint === undefined || d.endpoint === filter.endpoint))
      .sort((a, b) => seqOf(a) - seqOf(b));
  }

  /** Resolves once nothing is being sent, held or waiting for a retry. */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Sends held (reordered) deliveries now instead of waiting for the batch to fill. */
  releaseHeld(): void {
    if (this.holdTimer) clearTimeout(this.holdTimer);
    this.holdTimer = undefined;
    this.faults.endReorderBatch();
    const batch = this.held.reverse();
    this.held = [];
    for (const key of batch) this.chain(key);
    this.notifyIfIdle();
  }

  /** Stops sending: timers cleared, requests in flight aborted (they are retried after a restart). */
  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    if (this.holdTimer) clearTimeout(this.holdTimer);
    this.held = [];
    for (const abort of this.aborts) abort.abort();
    await Promise.allSettled([...this.running]);
  }

  private isIdle(): boolean {
    return this.queued === 0 && this.running.size === 0 && this.timers.size === 0 && this.held.length === 0;
  }

  private notifyIfIdle(): void {
    if (!this.isIdle()) return;
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  }

  /** A new delivery: held for reordering, or queued behind the endpoint's earlier first attempts. */
  private enqueue(key: string): void {
    if (this.closed) return;
    const { hold, release } = this.faults.takeReorder();
    if (!hold) {
      this.chain(key);
      return;
    }
    this.held.push(key);
    if (this.held.length === 1) this.holdTimer = setTimeout(() => this.releaseHeld(), this.faults.reorderWindowMs());
    if (release) this.releaseHeld();
  }

  private chain(key: string): void {
    const delivery = own(this.store.state.deliveries, key);
    if (!delivery || this.closed) return;
    const previous = this.chains.get(delivery.endpoint) ?? Promise.resolve();
    const next = previous
      .then(() => this.attempt(key))
      .catch((err: unknown) => this.logger.error({ err, delivery: key }, 'stripe sandbox bug while delivering a webhook'));
    this.chains.set(delivery.endpoint, next);
    // Counted as running from now, so idle() waits for the whole chain.
    this.track(next);
  }

  private scheduleAttempt(key: string, at: number): void {
    if (this.closed) return;
    const timer = setTimeout(() => {
      this.timers.delete(key);
      void this.track(
        this.attempt(key).catch((err: unknown) => this.logger.error({ err, delivery: key }, 'stripe sandbox bug while delivering a webhook')),
      );
    }, Math.max(0, at - Date.now()));
    this.timers.set(key, timer);
  }

  private track(work: Promise<void>): Promise<void> {
    this.running.add(work);
    void work.finally(() => {
      this.running.delete(work);
      this.notifyIfIdle();
    });
    return work;
  }

  private async attempt(key: string): Promise<void> {
    const delivery = own(this.store.state.deliveries, key);
    if (!delivery || delivery.status !== 'pending' || this.closed) return;
    const event = own(this.store.state.events, delivery.event)?.object;
    const endpoint = own(this.store.state.webhookEndpoints, delivery.endpoint);
    if (!event || !endpoint || endpoint.object.status !== 'enabled') {
      this.finish(delivery, false, { at: Date.now(), status: null, error: endpoint ? 'endpoint disabled' : 'endpoint deleted', ms: 0 }, true);
      return;
    }
    const injected = this.faults.takeFailure();
    const result: DeliveryAttempt =
      injected === 'connection' ? { at: Date.now(), status: null, error: 'connection refused (injected)', ms: 0, injected } : await this.send(endpoint, event);
    if (this.closed) return; // aborted by close(): not an attempt; it runs again after a restart
    if (injected === 'lost_response') {
      result.injected = injected;
      result.error = 'response lost (injected): treated as a timeout';
    }
    const ok = injected === undefined && result.status !== null && result.status >= 200 && result.status < 300;
    this.finish(delivery, ok, result, false);
    if (ok && this.faults.takeDuplicate()) {
      const again = await this.send(endpoint, event);
      if (this.closed) return;
      again.injected = 'duplicate';
      delivery.attempts.push(again);
      this.store.saveSoon();
    }
  }

  /** Records an attempt and decides what comes next: done, a retry, or giving up. Saves. */
  private finish(delivery: DeliveryRecord, ok: boolean, attempt: DeliveryAttempt, final: boolean): void {
    delivery.attempts.push(attempt);
    const event = own(this.store.state.events, delivery.event)?.object;
    const attemptNumber = delivery.attempts.filter((a) => a.injected !== 'duplicate').length;
    this.logger.info(
      { event: delivery.event, type: delivery.type, endpoint: delivery.endpoint, attempt: attemptNumber, status: attempt.status, error: attempt.error, ms: attempt.ms },
      'webhook delivery attempt',
    );
    if (ok) {
      delivery.status = 'succeeded';
      delivery.nextAttemptAt = null;
      if (event) event.pending_webhooks = Math.max(0, event.pending_webhooks - 1);
    } else if (!final && attemptNumber <= this.retryDelaysMs.length) {
      delivery.nextAttemptAt = Date.now() + (this.retryDelaysMs[attemptNumber - 1] ?? 0);
      this.scheduleAttempt(deliveryKey(delivery.event, delivery.endpoint), delivery.nextAttemptAt);
    } else {
      delivery.status = 'failed';
      delivery.nextAttemptAt = null;
    }
    this.store.saveSoon();
  }

  private async send(endpoint: StoredWebhookEndpoint, event: EventObject): Promise<DeliveryAttempt> {
    const payload = JSON.stringify({ ...event, api_version: endpoint.object.api_version ?? event.api_version }, null, 2);
    const started = Date.now();
    const abort = new AbortController();
    this.aborts.add(abort);
    const timeout = setTimeout(() => abort.abort(new Error(`no answer within ${this.timeoutMs} ms`)), this.timeoutMs);
    try {
      const res = await fetch(endpoint.object.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json; charset=utf-8',
          'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
          accept: '*/*; q=0.5, application/xml',
          'cache-control': 'no-cache',
          'stripe-signature': signatureHeader(payload, endpoint.secret),
        },
        body: payload,
        redirect: 'manual',
        signal: abort.signal,
      });
      await res.arrayBuffer().catch(() => undefined);
      const attempt: DeliveryAttempt = { at: started, status: res.status, ms: Date.now() - started };
      if (res.status >= 300 && res.status < 400) attempt.error = 'redirects are not followed';
      return attempt;
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      const reason = abort.signal.aborted ? String((abort.signal.reason as Error | undefined)?.message ?? 'aborted') : (cause?.code ?? cause?.message ?? (err as Error).message);
      return { at: started, status: null, error: reason, ms: Date.now() - started };
    } finally {
      clearTimeout(timeout);
      this.aborts.delete(abort);
    }
  }
}
