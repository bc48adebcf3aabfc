/** The web process's Express app: Twilio webhooks under /twilio, health under /healthz. */
import express, { type Express } from 'express';
import type { CallGateway } from '../calls/call-gateway.js';
import type { Logger } from '../logging/logger.js';
import { createTwilioRouter, type TwilioRoutesConfig } from '../webhooks/twilio-routes.js';

export interface WebAppDeps {
  gateway: CallGateway;
  config: TwilioRoutesConfig;
  authToken: string;
  receiptsEnabled: boolean;
  logger: Logger;
  maxHolds?: number;
}

export function createWebApp(deps: WebAppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.get('/healthz', async (_req, res) => {
    const temporal = await deps.gateway.isTemporalReachable();
    res.status(temporal ? 200 : 503).json({ ok: temporal, temporal: temporal ? 'reachable' : 'unreachable' });
  });
  app.use('/twilio', createTwilioRouter(deps));
  return app;
}
