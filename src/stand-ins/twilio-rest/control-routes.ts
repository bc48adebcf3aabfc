/**
 * The stand-in's end of the caller link (control-protocol.ts): the phone simulator reports the
 * caller connected in a `<Dial>`, long-polls for what happens on Twilio's side (capture
 * requests, redirects, the operator hanging up), and posts what the caller keys or that they
 * hung up. Request bodies here can hold card numbers (the caller's keys): they are never
 * logged, stored or forwarded; only the payment session sees them.
 */
import express, { type Request, type Response } from 'express';
import { z } from 'zod';
import { authenticatedAccount, type StandInContext } from './context.js';
import { callerInputSchema, callStartSchema, CONTROL_PREFIX, dialStartSchema, MAX_EVENTS_WAIT_MS, type EventsResponse } from './control-protocol.js';
import { twilioErrors } from './errors.js';

const callSidParam = z.string().regex(/^CA[0-9a-fA-F]{32}$/);

export function controlRouter(ctx: StandInContext): express.Router {
  const router = express.Router();
  router.use(express.json({ limit: '64kb' }));

  // Same credentials as the REST API: the simulator signs with the account's auth token anyway.
  router.use((req: Request, res: Response, next: express.NextFunction) => {
    if (!authenticatedAccount(ctx, req.get('authorization'))) {
      res.status(401).json(twilioErrors.authenticate().body());
      return;
    }
    next();
  });

  const callSidOf = (req: Request, res: Response): string | undefined => {
    const parsed = callSidParam.safeParse(req.params.callSid);
    if (!parsed.success) {
      res.status(400).json({ error: 'not a CallSid' });
      return undefined;
    }
    return parsed.data;
  };

  router.post('/:callSid/start', (req: Request, res: Response) => {
    const callSid = callSidOf(req, res);
    if (!callSid) return;
    const parsed = callStartSchema.safeParse(req.body);
    if (!parsed.success) {
      res.status(400).json({ error: z.prettifyError(parsed.error) });
      return;
    }
    ctx.calls.start(callSid, parsed.data, ctx.now());
    res.json({ ok: true, callSid });
  });

  router.post('/:callSid/dial', (req: Request, res: Response) => {
    const callSid = callSidOf(req, res);
    if (!callSid) return;
    const parsed = dialStartSchema.safeParse(req.body);
    if (!parsed.success) {
      res.status(400).json({ error: z.prettifyError(parsed.error) });
      return;
    }
    const call = ctx.calls.connect(callSid, parsed.data, ctx.now());
    ctx.logger.info({ callSid, dialCallSid: call.childCallSid }, 'caller connected to the operator');
    res.json({ ok: true, callSid, childCallSid: call.childCallSid });
  });

  router.get('/:callSid/events', async (req: Request, res: Response) => {
    const callSid = callSidOf(req, res);
    if (!callSid) return;
    const call = ctx.calls.get(callSid);
    if (!call) {
      res.status(404).json({ error: `unknown call ${callSid}` });
      return;
    }
    const after = Number(req.query.after ?? 0) || 0;
    const waitMs = Math.min(MAX_EVENTS_WAIT_MS, Math.max(0, Number(req.query.waitMs ?? 0) || 0));
    const gone = new AbortController();
    res.on('close', () => gone.abort());
    const events = await call.waitForEvents(after, waitMs, gone.signal);
    if (gone.signal.aborted && !res.writable) return;
    const body: EventsResponse = { events };
    res.json(body);
  });

  router.post('/:callSid/input', (req: Request, res: Response) => {
    const callSid = callSidOf(req, res);
    if (!callSid) return;
    const call = ctx.calls.get(callSid);
    if (!call) {
      res.status(404).json({ error: `unknown call ${callSid}` });
      return;
    }
    const parsed = callerInputSchema.safeParse(req.body);
    if (!parsed.success) {
      res.status(400).json({ error: 'expected { kind: "keys", requestId, keys } or { kind: "no-input", requestId }' });
      return;
    }
    const session = call.activeSession();
    const result = session ? session.input(parsed.data) : 'stale';
    res.json({ result });
  });

  router.post('/:callSid/hangup', (req: Request, res: Response) => {
    const callSid = callSidOf(req, res);
    if (!callSid) return;
    const call = ctx.calls.get(callSid);
    if (call && call.status === 'in-progress') {
      call.end(ctx.now());
      ctx.logger.info({ callSid }, 'call over');
    }
    res.json({ ok: true });
  });

  return router;
}

export { CONTROL_PREFIX };
