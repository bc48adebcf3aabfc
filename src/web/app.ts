/**
 * The web process's Express app: Twilio webhooks under /twilio, health under /healthz and,
 * when given `operators`, the operator API under /api and console under /operator.
 */
import express, { type Express } from 'express';
import { finalErrorHandler, RateLimitedLog } from './error-handling.js';
import { mountOperatorTools, type OperatorToolsOptions } from '../operators/web/mount.js';
import { createTwilioRouter, type TwilioRoutesDeps } from '../webhooks/twilio-routes.js';

export interface WebAppDeps extends TwilioRoutesDeps {
  operators?: OperatorToolsOptions;
}

export function createWebApp(deps: WebAppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.get('/healthz', async (_req, res) => {
    const temporal = await deps.gateway.isTemporalReachable();
    res.status(temporal ? 200 : 503).json({ ok: temporal, temporal: temporal ? 'reachable' : 'unreachable' });
  });
  app.use('/twilio', createTwilioRouter(deps));
  if (deps.operators) mountOperatorTools(app, { ...deps.operators, logger: deps.logger });
  app.use(finalErrorHandler(new RateLimitedLog(deps.logger.child({ component: 'http' }))));
  return app;
}
