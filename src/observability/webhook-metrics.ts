/**
 * Counts and times every Twilio webhook (paycall_webhook_requests_total,
 * paycall_webhook_duration_seconds) when its answer is finished, whatever the route did:
 * TwiML, a hold, a 204 for a signal, or a 400/403 before anything reached Temporal.
 */
import type { RequestHandler } from 'express';
import { webhookRouteLabel, type PaycallMetrics } from './metrics.js';

export function webhookMetrics(metrics: PaycallMetrics): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    const route = webhookRouteLabel(req.path);
    res.once('finish', () => {
      metrics.webhookRequests.inc({ route, status: String(res.statusCode) });
      metrics.webhookDuration.observe({ route }, Number(process.hrtime.bigint() - started) / 1e9);
    });
    next();
  };
}
