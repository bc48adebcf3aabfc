/**
 * `POST /2010-04-01/Accounts/{AccountSid}/Calls/{CallSid}/Payments.json` (start a session) and
 * `POST …/Payments/{PaymentSid}.json` (Capture a field, or Status=complete|cancel), with
 * IdempotencyKey replay. Sessions run on the caller's leg of an in-progress call; the caller
 * is prompted while connected in a `<Dial>` (a capture asked for earlier waits for it).
 */
import { CallbackQueue } from './callbacks.js';
import type { ApiRoute, RouteResult, StandInContext } from './context.js';
import { twilioErrors } from './errors.js';
import type { LiveCall } from './live-calls.js';
import { parseCreateParams, parseUpdateParams } from './payment-params.js';
import { PaymentSession } from './payment-session.js';

const SID = '(AC[0-9a-fA-F]{32})';
const CALL = '(CA[0-9a-fA-F]{32})';
const PAYMENT = '(PK[0-9a-fA-F]{32})';

/** The live call for a Payments request, or Twilio's error for why there is none. */
function liveCallFor(ctx: StandInContext, accountSid: string, callSid: string, path: string): LiveCall {
  const call = ctx.calls.get(callSid);
  if (!call || call.accountSid !== accountSid) {
    if (ctx.calls.parentOf(callSid)) {
      throw twilioErrors.invalidParameter(`${callSid} is the operator's leg; start the session on the caller's leg (${ctx.calls.parentOf(callSid)!.callSid})`);
    }
    throw twilioErrors.notFound(path);
  }
  return call;
}

function replayed(ctx: StandInContext, resource: string, form: Record<string, string>): RouteResult | undefined {
  const key = form.IdempotencyKey;
  if (!key) return undefined;
  const saved = ctx.idempotency.replay(resource, key);
  return saved ? { status: saved.status, body: saved.body } : undefined;
}

function remember(ctx: StandInContext, resource: string, form: Record<string, string>, result: RouteResult): RouteResult {
  if (form.IdempotencyKey) ctx.idempotency.save(resource, form.IdempotencyKey, result);
  return result;
}

const createPayment: ApiRoute = {
  method: 'POST',
  pattern: new RegExp(`^/2010-04-01/Accounts/${SID}/Calls/${CALL}/Payments\\.json$`),
  handle(ctx, { path, params: [accountSid, callSid], form }) {
    const resource = `${callSid}/Payments`;
    const replay = replayed(ctx, resource, form);
    if (replay) return replay;
    const call = liveCallFor(ctx, accountSid!, callSid!, path);
    if (call.status === 'completed') throw twilioErrors.callNotInProgress(call.callSid, 'Call is not in-progress.');
    const settings = parseCreateParams(form, call.documentUrl, ctx.paymentConnectors);
    const active = call.activeSession();
    if (active) throw twilioErrors.invalidOperation(`Payment session ${active.sid} is already in progress on this call (session-in-progress)`);

    const session: PaymentSession = new PaymentSession({
      accountSid: call.accountSid,
      callSid: call.callSid,
      settings,
      callbacks: new CallbackQueue(ctx.callbackClient, ctx.faults, ctx.logger),
      caller: {
        ask: (request) => call.push({ type: 'capture', ...request }),
        cancel: (requestId) => call.push({ type: 'capture-cancelled', requestId }),
        ended: (paymentSid, result) => call.push({ type: 'payment-ended', paymentSid, result }),
      },
      tokenize: ctx.tokenize,
      now: ctx.now,
      answerDeadlineMs: ctx.answerDeadlineMs,
      logger: ctx.logger,
    });
    call.sessions.push(session);
    session.announce();
    ctx.logger.info({ callSid: call.callSid, paymentSid: session.sid }, 'payment session started');
    return remember(ctx, resource, form, { status: 201, body: session.resource() });
  },
};

const updatePayment: ApiRoute = {
  method: 'POST',
  pattern: new RegExp(`^/2010-04-01/Accounts/${SID}/Calls/${CALL}/Payments/${PAYMENT}\\.json$`),
  handle(ctx, { path, params: [accountSid, callSid, paymentSid], form }) {
    const resource = `${callSid}/Payments/${paymentSid}`;
    const replay = replayed(ctx, resource, form);
    if (replay) return replay;
    const call = liveCallFor(ctx, accountSid!, callSid!, path);
    const session = call.session(paymentSid!);
    if (!session) throw twilioErrors.notFound(path);
    const update = parseUpdateParams(form, call.documentUrl);
    if (call.status === 'completed') throw twilioErrors.callNotInProgress(call.callSid, 'Call is not in-progress.');
    if (update.kind === 'capture') session.capture(update.field, update.statusCallback);
    else if (update.status === 'complete') session.complete(update.statusCallback);
    else session.cancel(update.statusCallback);
    ctx.logger.info({ callSid: call.callSid, paymentSid: session.sid, update: update.kind === 'capture' ? `capture ${update.field}` : update.status }, 'payment session updated');
    return remember(ctx, resource, form, { status: 200, body: session.resource() });
  },
};

export const paymentRoutes: readonly ApiRoute[] = [createPayment, updatePayment];
