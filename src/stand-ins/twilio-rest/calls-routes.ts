/**
 * `POST /2010-04-01/Accounts/{AccountSid}/Calls/{CallSid}.json` (redirect a live call with
 * `Twiml` or `Url`+`Method`, or end it with `Status=completed`) and `GET` of the same (the call
 * resource). On the caller's leg a redirect takes the caller out of the `<Dial>` into the new
 * TwiML; `Status=completed` hangs the whole call up. On the operator's leg (`DialCallSid`),
 * `Status=completed` ends the `<Dial>` and the caller's call goes on (its `<Dial action>`).
 */
import type { ApiRoute, StandInContext } from './context.js';
import { twilioErrors } from './errors.js';
import type { LiveCall } from './live-calls.js';
import { callResource, type CallFacts } from './resources.js';

const CALL_PATH = /^\/2010-04-01\/Accounts\/(AC[0-9a-fA-F]{32})\/Calls\/(CA[0-9a-fA-F]{32})\.json$/;

type Leg = { kind: 'caller'; call: LiveCall } | { kind: 'operator'; call: LiveCall; sid: string };

function legFor(ctx: StandInContext, accountSid: string, callSid: string, path: string): Leg {
  const call = ctx.calls.get(callSid);
  if (call && call.accountSid === accountSid) return { kind: 'caller', call };
  const parent = ctx.calls.parentOf(callSid);
  if (parent && parent.accountSid === accountSid) return { kind: 'operator', call: parent, sid: callSid };
  throw twilioErrors.notFound(path);
}

function facts(leg: Leg): CallFacts {
  const c = leg.call;
  if (leg.kind === 'caller') {
    return { sid: c.callSid, accountSid: c.accountSid, from: c.from, to: c.to, status: c.status, direction: 'inbound', startTime: c.startTime, ...(c.endTime ? { endTime: c.endTime } : {}) };
  }
  const live = c.inDial && c.childCallSid === leg.sid;
  return {
    sid: leg.sid,
    accountSid: c.accountSid,
    parentCallSid: c.callSid,
    from: c.to,
    to: c.dialTo[0] ?? '',
    status: live ? 'in-progress' : 'completed',
    direction: 'outbound-dial',
    startTime: c.dialStartTime,
  };
}

function absoluteHttpUrl(value: string): boolean {
  try {
    const u = new URL(value);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

const fetchCall: ApiRoute = {
  method: 'GET',
  pattern: CALL_PATH,
  handle(ctx, { path, params: [accountSid, callSid] }) {
    return { status: 200, body: callResource(facts(legFor(ctx, accountSid!, callSid!, path)), ctx.now()) };
  },
};

const updateCall: ApiRoute = {
  method: 'POST',
  pattern: CALL_PATH,
  handle(ctx, { path, params: [accountSid, callSid], form }) {
    const leg = legFor(ctx, accountSid!, callSid!, path);
    const twiml = form.Twiml || undefined;
    const url = form.Url || undefined;
    const status = form.Status || undefined;
    const method = (form.Method || 'POST').toUpperCase();
    if (twiml && url) throw twilioErrors.callsResource('Twiml and Url are mutually exclusive: give one');
    if (status && status !== 'completed' && status !== 'canceled') throw twilioErrors.callsResource(`Status must be canceled or completed, got "${status}"`);
    if (method !== 'GET' && method !== 'POST') throw twilioErrors.callsResource(`Method must be GET or POST, got "${form.Method}"`);
    if (url && !absoluteHttpUrl(url)) throw twilioErrors.invalidUrl(url);
    if (form.StatusCallback && !absoluteHttpUrl(form.StatusCallback)) throw twilioErrors.invalidCallbackUrl(form.StatusCallback);

    const call = leg.call;
    const now = ctx.now();
    if (leg.kind === 'operator') {
      const live = call.inDial && call.childCallSid === leg.sid && call.status === 'in-progress';
      if (!live) throw twilioErrors.callNotInProgress(leg.sid);
      if (twiml || url) throw twilioErrors.callsResource("the Twilio stand-in does not run TwiML on the operator's leg; end it with Status=completed");
      if (status === 'completed') {
        call.inDial = false;
        call.push({ type: 'dial-ended', dialCallStatus: 'completed', dialCallSid: leg.sid });
        ctx.logger.info({ callSid: call.callSid, dialCallSid: leg.sid }, "operator's leg ended");
        return { status: 200, body: callResource({ ...facts(leg), status: 'completed', endTime: now }, now) };
      }
      return { status: 200, body: callResource(facts(leg), now) }; // canceled: only queued/ringing calls are canceled
    }

    if (call.status === 'completed') throw twilioErrors.callNotInProgress(call.callSid);
    if (status === 'completed') {
      call.push({ type: 'hangup' });
      call.end(now);
      ctx.logger.info({ callSid: call.callSid }, 'call ended by a REST update');
    } else if (twiml || url) {
      if (!call.inDial) {
        throw twilioErrors.callNotInProgress(call.callSid, 'the Twilio stand-in can redirect a call only while it is connected in a <Dial>');
      }
      call.inDial = false;
      call.push({ type: 'redirect', ...(twiml ? { twiml } : { url: url!, method: method as 'GET' | 'POST' }) });
      ctx.logger.info({ callSid: call.callSid, with: twiml ? 'Twiml' : 'Url' }, 'call redirected');
    }
    return { status: 200, body: callResource(facts(leg), now) };
  },
};

export const callRoutes: readonly ApiRoute[] = [fetchCall, updateCall];
