/**
 * The web process's Express app: Twilio webhooks under /twilio, Stripe's under /stripe
 * (when given `stripe`), liveness under /healthz,
 * readiness under /readyz and, when given `operators`, the operator API under /api and
 * console under /operator.
 */
import express, { type Express } from 'express';
import { finalErrorHandler, RateLimitedLog } from './error-handling.js';
import type { ReadinessCheck } from './readiness.js';
import { mountOperatorTools, type OperatorToolsOptions } from '../operators/web/mount.js';
import { createStripeRouter, type StripeRoutesDeps } from '../webhooks/stripe-routes.js';
import { createTwilioRouter, type TwilioRoutesDeps } from '../webhooks/twilio-routes.js';
import { webhookMetrics } from '../observability/webhook-metrics.js';

export interface WebAppDeps extends TwilioRoutesDeps {
  operators?: OperatorToolsOptions;
  /** /readyz; without it, readiness is Temporal's reachability alone. */
  readiness?: ReadinessCheck;
  /** POST /stripe/webhook: Stripe's events after the call, to the payment events workflows. */
  stripe?: Omit<StripeRoutesDeps, 'logger'>;
}

export function createWebApp(deps: WebAppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  // Liveness: the process answers. Restarting it would not mend Temporal or a missing worker.
  app.get('/healthz', (_req, res) => {
    res.json({ ok: true });
  });
  app.get('/readyz', async (_req, res) => {
    const readiness = deps.readiness
      ? await deps.readiness.check()
      : await deps.gateway.isTemporalReachable().then((up) => ({ ready: up, temporal: up ? 'reachable' : 'unreachable' }));
    res.set('Cache-Control', 'no-store').status(readiness.ready ? 200 : 503).json(readiness);
  });
  // Before any JSON parser: the Stripe route verifies the raw body.
  if (deps.stripe) app.use('/stripe', createStripeRouter({ ...deps.stripe, logger: deps.logger }));
  app.use('/twilio', ...(deps.metrics ? [webhookMetrics(deps.metrics)] : []), createTwilioRouter(deps));
  if (deps.operators) mountOperatorTools(app, { ...deps.operators, logger: deps.logger });
  app.use(finalErrorHandler(new RateLimitedLog(deps.logger.child({ component: 'http' }))));
  return app;
}
