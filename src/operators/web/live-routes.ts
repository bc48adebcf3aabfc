/**
 * The operator API for calls on an operator's line (agent-assisted payments):
 *
 *   GET  /api/live                       → server-sent events: `calls` (every live call, on each change)
 *   GET  /api/calls/:sid/live            → server-sent events: `call` (its state: step log, capture progress)
 *   POST /api/calls/:sid/capture         { orderId } | { amount, currency, description }   start a card capture
 *   POST /api/calls/:sid/capture/reask   { field }                                          ask the caller again
 *   POST /api/calls/:sid/capture/cancel                                                      stop the capture
 *   POST /api/calls/:sid/end                                                                 end the call
 *
 * Commands carry the signed-in operator's name into the workflow's history. The streams
 * are read server-side from Temporal about once a second and sent only when they change:
 * the page holds one connection, no polling loop.
 */
import express, { type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import { agentCaptureFields } from '../../contract/operator.js';
import { minimumCharge, stripeMaximumCharge } from '../../money/currencies.js';
import { formatMoney } from '../../money/format.js';
import { isSupportedCurrency } from '../../money/money.js';
import type { LiveCalls } from '../live-calls.js';
import { callIdSchema } from '../read/call-queries.js';

const callSid = z.string().regex(/^CA[0-9a-fA-F]{32}$/, 'must be a CallSid');

export const captureInputSchema = z.union([
  z.object({ orderId: z.string().regex(/^[0-9]{1,30}$/, 'must be the order number (digits)') }).strict(),
  z
    .object({
      amount: z.number().int().positive().max(stripeMaximumCharge),
      currency: z.string().regex(/^[a-zA-Z]{3}$/).refine(isSupportedCurrency, 'is not a currency paycall takes'),
      description: z.string().trim().min(1).max(1000),
    })
    .strict()
    // Stripe refuses smaller charges (about 50 US cents, ¥50): say so before the caller keys a card.
    .superRefine((charge, ctx) => {
      const minimum = minimumCharge(charge.currency);
      if (minimum !== undefined && charge.amount < minimum) {
        ctx.addIssue({ code: 'custom', path: ['amount'], message: `is below Stripe's smallest ${charge.currency.toUpperCase()} charge, ${formatMoney(minimum, charge.currency)}` });
      }
    }),
]);

const reaskSchema = z.object({ field: z.enum(agentCaptureFields) }).strict();

export interface LiveRoutesDeps {
  live: LiveCalls;
  operatorOf(res: Response): string;
  requireJsonBody: express.RequestHandler;
  /** How often the streams read Temporal (ms). */
  streamEveryMs?: number;
}

export function createLiveRoutes(deps: LiveRoutesDeps): Router {
  const router = express.Router();
  const json = [deps.requireJsonBody, express.json({ limit: '4kb', type: 'application/json' })];
  const every = deps.streamEveryMs ?? 1000;

  router.get('/live', (req, res) => stream(req, res, every, 'calls', () => deps.live.list()));
  router.get('/calls/:id/live', (req, res) => {
    const sid = callSid.parse(callIdSchema.parse(req.params.id).replace(/^call-/, ''));
    stream(req, res, every, 'call', () => deps.live.one(sid));
  });

  router.post('/calls/:id/capture', ...json, async (req, res) => {
    const sid = sidOf(req);
    const input = captureInputSchema.parse(req.body ?? {});
    const charge = 'orderId' in input ? { orderId: input.orderId } : { amount: input.amount, currency: input.currency.toLowerCase(), description: input.description };
    res.status(202).json(await deps.live.command(sid, { kind: 'start-capture', operator: deps.operatorOf(res), charge }));
  });
  router.post('/calls/:id/capture/reask', ...json, async (req, res) => {
    const { field } = reaskSchema.parse(req.body ?? {});
    res.status(202).json(await deps.live.command(sidOf(req), { kind: 'reask', operator: deps.operatorOf(res), field }));
  });
  router.post('/calls/:id/capture/cancel', async (req, res) => {
    res.status(202).json(await deps.live.command(sidOf(req), { kind: 'cancel-capture', operator: deps.operatorOf(res) }));
  });
  router.post('/calls/:id/end', async (req, res) => {
    res.status(202).json(await deps.live.command(sidOf(req), { kind: 'end-call', operator: deps.operatorOf(res) }));
  });
  return router;
}

function sidOf(req: Request): string {
  return callSid.parse(callIdSchema.parse(req.params.id).replace(/^call-/, ''));
}

/** Server-sent events: `read()` about every `everyMs`, sent when it changed; a comment line keeps proxies from timing out. */
function stream(req: Request, res: Response, everyMs: number, event: string, read: () => Promise<unknown>): void {
  res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
  let last = '';
  let closed = false;
  let ticks = 0;
  const tick = async (): Promise<void> => {
    if (closed) return;
    try {
      const data = JSON.stringify(await read());
      if (data !== last) {
        last = data;
        res.write(`event: ${event}\ndata: ${data}\n\n`);
      } else if (++ticks % 15 === 0) {
        res.write(': still here\n\n');
      }
    } catch (err) {
      res.write(`event: problem\ndata: ${JSON.stringify({ message: (err as Error).message.split('\n')[0] })}\n\n`);
    }
    if (!closed) timer = setTimeout(() => void tick(), everyMs);
  };
  let timer = setTimeout(() => void tick(), 0);
  req.on('close', () => {
    closed = true;
    clearTimeout(timer);
  });
}
