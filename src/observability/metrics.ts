/**
 * paycall's own Prometheus metrics (prom-client), one registry per process. The web side
 * counts webhooks, holds and Update deadline misses; the worker side counts calls, charges,
 * declines and refunds (through interceptors, so the activities and workflows stay as they
 * are). In `npm start` both sides share one registry. The metric list and suggested alerts
 * are in docs/operations.md; the SDK's own metrics are joined in by sdk-metrics.ts.
 */
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The Twilio routes, as webhook labels (anything else is "other": no unbounded label values). */
export const webhookRoutes = ['voice', 'gather', 'pay', 'pay-status', 'payment-status', 'dial', 'continue', 'status'] as const;

/** Seconds: Twilio allows 15 s for a webhook; paycall's deadline is about 3 s. */
const webhookBuckets = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 15];
/** Seconds: a Stripe charge is usually under a second; the sandbox's injected delays go up to tens. */
const chargeBuckets = [0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 30];

export class PaycallMetrics {
  readonly registry = new Registry();

  readonly webhookRequests = new Counter({
    name: 'paycall_webhook_requests_total',
    help: 'Twilio webhooks answered, by route and HTTP status.',
    labelNames: ['route', 'status'] as const,
    registers: [this.registry],
  });

  readonly webhookDuration = new Histogram({
    name: 'paycall_webhook_duration_seconds',
    help: 'How long a Twilio webhook took to answer, by route.',
    labelNames: ['route'] as const,
    buckets: webhookBuckets,
    registers: [this.registry],
  });

  readonly holds = new Counter({
    name: 'paycall_call_holds_total',
    help: 'Webhooks answered with a hold because the call workflow did not answer in time; hold="first" is the one where the caller hears "One moment please".',
    labelNames: ['event', 'hold'] as const,
    registers: [this.registry],
  });

  readonly deadlineMisses = new Counter({
    name: 'paycall_update_deadline_misses_total',
    help: 'Temporal calls from the web layer that missed their deadline (WEBHOOK_DEADLINE_MS) or found Temporal unavailable, by operation.',
    labelNames: ['operation'] as const,
    registers: [this.registry],
  });

  readonly callsStarted = new Counter({
    name: 'paycall_calls_started_total',
    help: 'Call workflows started (counted once, on the worker that ran the first workflow task).',
    registers: [this.registry],
  });

  readonly callsEnded = new Counter({
    name: 'paycall_calls_ended_total',
    help: 'Call workflows ended, by outcome (paid, declined, abandoned, failed, compensated, transferred; workflow-failed when the workflow itself failed).',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  readonly declines = new Counter({
    name: 'paycall_card_declines_total',
    help: "Card declines from Stripe, by decline code (Stripe's decline_code, else its error code).",
    labelNames: ['code'] as const,
    registers: [this.registry],
  });

  readonly chargeDuration = new Histogram({
    name: 'paycall_charge_duration_seconds',
    help: 'Stripe charge attempts (the chargeCard activity), by result: succeeded, declined, error.',
    labelNames: ['result'] as const,
    buckets: chargeBuckets,
    registers: [this.registry],
  });

  readonly refunds = new Counter({
    name: 'paycall_refunds_total',
    help: "Refunds asked of Stripe, by the status Stripe answered (succeeded, pending, failed, …; refused when Stripe refused the request).",
    labelNames: ['status'] as const,
    registers: [this.registry],
  });

  /** `processMetrics`: Node's own (process_*, nodejs_*), on by default. */
  constructor(options: { processMetrics?: boolean } = {}) {
    if (options.processMetrics !== false) collectDefaultMetrics({ register: this.registry });
  }

  /** The registry in Prometheus text format. */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}

/** The route label of a path under /twilio. */
export function webhookRouteLabel(path: string): string {
  const route = path.replace(/^\/+|\/+$/g, '');
  return (webhookRoutes as readonly string[]).includes(route) ? route : 'other';
}
