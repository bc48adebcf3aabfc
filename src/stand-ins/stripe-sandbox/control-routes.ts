/**
 * The sandbox's own HTTP surface under `/_sandbox/` (no API key; JSON bodies): health, API fault
 * injection (faults.ts), webhook fault injection (webhook-faults.ts), delivery records, and the
 * control calls of control.ts. See README.md for the table.
 */
import express, { type Request, type Response } from 'express';
import { z } from 'zod';
import type { Logger } from '../../logging/logger.js';
import type { SandboxControl } from './control.js';
import { StripeSandboxError } from './errors.js';
import { faultPatchSchema, type Faults } from './faults.js';
import { motoSettingSchema, type MotoAccounts } from './moto-accounts.js';
import type { WebhookDispatcher } from './webhook-delivery.js';
import { webhookFaultPatchSchema, type WebhookFaults } from './webhook-faults.js';

export interface ControlDeps {
  faults: Faults;
  webhookFaults: WebhookFaults;
  dispatcher: WebhookDispatcher;
  control: SandboxControl;
  logger: Logger;
  /** The accounts' MOTO (the SandboxContext's). */
  moto?: MotoAccounts;
}

const json = express.json({ type: () => true });

const refundFailBody = z.object({ failure_reason: z.string().optional() }).strict();
const disputeBody = z.object({ reason: z.string().optional() }).strict();
const closeBody = z.object({ status: z.enum(['won', 'lost']) }).strict();

function badRequest(res: Response, message: string): void {
  res.status(400).json({ error: { type: 'invalid_request_error', message } });
}

/** Runs a control call: its result as JSON, a Stripe-shaped error as itself. */
function answer(res: Response, call: () => unknown): void {
  try {
    res.json(call());
  } catch (err) {
    if (err instanceof StripeSandboxError) {
      res.status(err.status).json(err.body());
      return;
    }
    throw err;
  }
}

/** A JSON body checked against `schema` (an absent body is `{}`), or a 400 answered. */
function body<T>(req: Request, res: Response, schema: z.ZodType<T>): T | undefined {
  const parsed = schema.safeParse(req.body ?? {});
  if (!parsed.success) {
    badRequest(res, z.prettifyError(parsed.error));
    return undefined;
  }
  return parsed.data;
}

export function controlRouter(deps: ControlDeps): express.Router {
  const { faults, webhookFaults, dispatcher, control, logger } = deps;
  const router = express.Router();

  router.get('/health', (_req, res) => {
    res.json({ ok: true });
  });

  router.get('/faults', (_req, res) => {
    res.json(faults.get());
  });
  router.post('/faults', json, (req, res) => {
    const patch = body(req, res, faultPatchSchema);
    if (patch === undefined) return;
    const settings = faults.set(patch);
    logger.info({ faults: settings }, 'fault settings changed');
    res.json(settings);
  });
  router.delete('/faults', (_req, res) => {
    const settings = faults.reset();
    logger.info({ faults: settings }, 'fault settings reset');
    res.json(settings);
  });

  router.get('/webhooks/faults', (_req, res) => {
    res.json(webhookFaults.get());
  });
  router.post('/webhooks/faults', json, (req, res) => {
    const patch = body(req, res, webhookFaultPatchSchema);
    if (patch === undefined) return;
    const settings = webhookFaults.set(patch);
    logger.info({ webhookFaults: settings }, 'webhook fault settings changed');
    res.json(settings);
  });
  router.delete('/webhooks/faults', (_req, res) => {
    res.json(webhookFaults.reset());
  });
  router.get('/webhooks/deliveries', (req, res) => {
    const event = typeof req.query.event === 'string' ? req.query.event : undefined;
    const endpoint = typeof req.query.endpoint === 'string' ? req.query.endpoint : undefined;
    res.json({ data: dispatcher.deliveries({ ...(event ? { event } : {}), ...(endpoint ? { endpoint } : {}) }) });
  });
  router.post('/webhooks/release-held', (_req, res) => {
    dispatcher.releaseHeld();
    res.json({ ok: true });
  });

  const moto = deps.moto;
  if (moto) {
    router.get('/moto', (_req, res) => {
      res.json(moto.get());
    });
    router.post('/moto', json, (req, res) => {
      const setting = body(req, res, motoSettingSchema);
      if (setting === undefined) return;
      logger.info({ motoAccounts: setting.accounts === 'all' || setting.accounts === 'none' ? setting.accounts : setting.accounts.length }, 'MOTO accounts changed');
      res.json(moto.set(setting.accounts));
    });
  }

  router.post('/refunds/:id/succeed', (req, res) => {
    answer(res, () => control.succeedRefund(req.params.id ?? ''));
  });
  router.post('/refunds/:id/fail', json, (req, res) => {
    const parsed = body(req, res, refundFailBody);
    if (parsed === undefined) return;
    answer(res, () => control.failRefund(req.params.id ?? '', parsed.failure_reason as Parameters<SandboxControl['failRefund']>[1]));
  });
  router.post('/payment_intents/:id/dispute', json, (req, res) => {
    const parsed = body(req, res, disputeBody);
    if (parsed === undefined) return;
    answer(res, () => control.disputePaymentIntent(req.params.id ?? '', parsed.reason as Parameters<SandboxControl['disputePaymentIntent']>[1]));
  });
  router.post('/disputes/:id/close', json, (req, res) => {
    const parsed = body(req, res, closeBody);
    if (parsed === undefined) return;
    answer(res, () => control.closeDispute(req.params.id ?? '', parsed.status));
  });
  router.get('/transitions', (_req, res) => {
    res.json({ data: control.pending() });
  });
  router.post('/transitions/run', (_req, res) => {
    res.json({ data: control.runPending() });
  });

  return router;
}
