/**
 * A `<Dial>` to the operator as a live, connected call. The simulator tells the Twilio REST
 * stand-in the caller is connected (the stand-in plays Twilio's side: Payments sessions, call
 * updates), then waits on the line: each time the operator asks for a card field (a Payments
 * `Capture`), the caller keys what the script says; the `<Dial>` ends when the app redirects
 * the call (Call update with Twiml/Url), ends it (Status=completed), the operator's leg hangs
 * up, the caller hangs up, or `timeLimit` passes. The keys go only over the stand-in link;
 * the transcript holds them masked.
 */
import type { Caller, PayField } from './caller.js';
import type { WebhookRequest, WebhookResult } from './http-client.js';
import { maskKeys } from './pay-emulator.js';
import type { TranscriptEntry } from './record.js';
import type { Step } from './session-step.js';
import { newCallSid, standardVoiceParams, type CallIdentity } from './signing.js';
import type { TwilioLink } from './twilio-link.js';
import type { DialVerb } from './twiml-verbs.js';

/** Twilio's default `<Dial timeLimit>`: four hours. */
const DEFAULT_TIME_LIMIT_SECONDS = 14_400;
/** Each long-poll waits at most this long (the stand-in caps it too). */
const POLL_WAIT_MS = 20_000;
/** Consecutive failed polls before the simulator gives up on the stand-in. */
const MAX_POLL_FAILURES = 3;

export interface LiveDialContext {
  link: TwilioLink;
  identity: CallIdentity;
  caller: Caller;
  dial: DialVerb;
  documentUrl: string;
  hear(entry: TranscriptEntry): void;
  /** Wait (simulated unless realtime) — for the caller's silence. */
  wait(seconds: number): Promise<void>;
  /** Wall clock plus simulated waits, ms (for DialCallDuration). */
  elapsedMs(): number;
  signal?: AbortSignal;
}

export type LiveDialOutcome =
  /** No stand-in to connect to: the `<Dial>` is a plain transfer, as without one. */
  | { kind: 'unreachable'; error: string }
  | { kind: 'redirect'; url: string; method: 'GET' | 'POST' }
  | { kind: 'redirect-twiml'; twiml: string }
  /** The operator leg ended (or timeLimit): the call goes on (the `<Dial action>`, else the next verb). */
  | { kind: 'dial-ended'; dialCallSid: string; dialCallStatus: 'completed'; durationSeconds: number }
  /** A REST call update ended the whole call. */
  | { kind: 'call-ended' }
  | { kind: 'caller-hangup'; during: 'dial' | 'agent-capture'; dialCallSid: string; durationSeconds: number }
  | { kind: 'script-error'; message: string }
  | { kind: 'link-lost'; error: string };

/**
 * Tell the stand-in a call began, so Twilio's REST API knows it from the start (best effort:
 * with no stand-in there, `<Dial>` is a transfer). True when it answered.
 */
export async function announceCall(link: TwilioLink, identity: CallIdentity, voiceUrl: string): Promise<boolean> {
  const start = { accountSid: identity.accountSid, from: identity.from, to: identity.to, documentUrl: voiceUrl };
  return link.start(identity.callSid, start).then(
    () => true,
    () => false,
  );
}

export async function runLiveDial(ctx: LiveDialContext): Promise<LiveDialOutcome> {
  const { link, identity, caller, dial } = ctx;
  const dialCallSid = newCallSid();
  const to = dial.to.join(', ');
  try {
    await link.dial(identity.callSid, {
      accountSid: identity.accountSid,
      from: identity.from,
      to: identity.to,
      dialTo: dial.to,
      childCallSid: dialCallSid,
      documentUrl: ctx.documentUrl,
    });
  } catch (err) {
    return { kind: 'unreachable', error: (err as Error).message };
  }
  const connectedAt = ctx.elapsedMs();
  const duration = () => Math.round((ctx.elapsedMs() - connectedAt) / 1000);
  ctx.hear({ verb: 'Dial', event: 'connected', detail: to, dialCallSid });

  const hangUp = async (during: 'dial' | 'agent-capture'): Promise<LiveDialOutcome> => {
    await link.hangup(identity.callSid).catch(() => undefined); // the stand-in may be gone: the caller is anyway
    ctx.hear({ verb: 'Caller', detail: during === 'dial' ? 'hung up while connected to the operator' : 'hung up during agent-assisted capture' });
    return { kind: 'caller-hangup', during, dialCallSid, durationSeconds: duration() };
  };

  if ((await caller.dialConnected?.()) === 'hangup') return hangUp('dial');

  const limitMs = (dial.timeLimit ?? DEFAULT_TIME_LIMIT_SECONDS) * 1000;
  const started = Date.now();
  let failures = 0;
  for (;;) {
    if (ctx.signal?.aborted) return hangUp('dial');
    const left = limitMs - (Date.now() - started);
    if (left <= 0) {
      ctx.hear({ verb: 'Dial', event: 'dial-ended', dialCallSid, dialCallStatus: 'completed', detail: 'timeLimit reached' });
      return { kind: 'dial-ended', dialCallSid, dialCallStatus: 'completed', durationSeconds: duration() };
    }
    let events;
    try {
      events = await link.events(identity.callSid, Math.min(POLL_WAIT_MS, left), ctx.signal);
      failures = 0;
    } catch (err) {
      if (ctx.signal?.aborted) return hangUp('dial');
      if (++failures >= MAX_POLL_FAILURES) return { kind: 'link-lost', error: (err as Error).message };
      await new Promise((r) => setTimeout(r, 200 * failures));
      continue;
    }
    // A capture superseded within the same batch (asked again before we looked) is not answered.
    const superseded = new Set(events.flatMap((e) => (e.type === 'capture-cancelled' ? [e.requestId] : [])));
    for (const event of events) {
      switch (event.type) {
        case 'capture': {
          if (superseded.has(event.requestId)) break;
          const field = event.field as PayField;
          const base = { verb: 'Dial' as const, for: field, attempt: event.attempt, paymentSid: event.paymentSid };
          ctx.hear({ ...base, event: 'capture' });
          if (!caller.agentCapture) return { kind: 'script-error', message: `the operator asked for ${field} but this caller cannot answer agent-assisted capture` };
          const reply = await caller.agentCapture({
            paymentSid: event.paymentSid,
            field,
            attempt: event.attempt,
            timeoutSeconds: event.timeoutSeconds,
            ...(event.cardType ? { cardType: event.cardType } : {}),
          });
          if (reply.kind === 'script-error') {
            await link.hangup(identity.callSid).catch(() => undefined);
            ctx.hear({ verb: 'Caller', detail: 'hung up (script error)' });
            return { kind: 'script-error', message: reply.message };
          }
          if (reply.kind === 'hangup') {
            ctx.hear({ ...base, event: 'input', input: 'hangup' });
            return hangUp('agent-capture');
          }
          if (reply.kind === 'no-input') {
            await ctx.wait(event.timeoutSeconds);
            ctx.hear({ ...base, event: 'input', input: 'no-input', seconds: event.timeoutSeconds });
            await link.input(identity.callSid, { kind: 'no-input', requestId: event.requestId }).catch(() => undefined);
          } else {
            ctx.hear({ ...base, event: 'input', input: 'keys', keys: maskKeys(field, reply.keys) });
            await link.input(identity.callSid, { kind: 'keys', requestId: event.requestId, keys: reply.keys }).catch(() => undefined);
          }
          break;
        }
        case 'capture-cancelled':
          break; // answered already, or superseded: the stand-in ignores late keys
        case 'payment-ended':
          ctx.hear({ verb: 'Dial', event: 'payment-ended', paymentSid: event.paymentSid, result: event.result });
          break;
        case 'redirect':
          ctx.hear({ verb: 'Dial', event: 'redirect', ...(event.url ? { url: event.url, method: event.method ?? 'POST' } : { detail: 'inline TwiML' }) });
          return event.twiml !== undefined
            ? { kind: 'redirect-twiml', twiml: event.twiml }
            : { kind: 'redirect', url: event.url ?? '', method: event.method ?? 'POST' };
        case 'dial-ended':
          ctx.hear({ verb: 'Dial', event: 'dial-ended', dialCallSid: event.dialCallSid, dialCallStatus: event.dialCallStatus });
          return { kind: 'dial-ended', dialCallSid: event.dialCallSid, dialCallStatus: event.dialCallStatus, durationSeconds: duration() };
        case 'hangup':
          ctx.hear({ verb: 'Dial', event: 'call-update', detail: 'the call was ended (Status=completed)' });
          return { kind: 'call-ended' };
      }
    }
  }
}

export interface DialStepContext extends Omit<LiveDialContext, 'link'> {
  /** Without a link to the stand-in, `<Dial>` ends the call as a transfer. */
  link?: TwilioLink;
  /** Resolve a URL of the current document (throws for relative URLs in inline TwiML). */
  resolve(url: string): string;
  send(request: WebhookRequest): Promise<WebhookResult>;
}

/** Run a `<Dial>` and say what the call does next; undefined: the document's next verb. */
export async function liveDial(ctx: DialStepContext): Promise<Step | undefined> {
  const { dial } = ctx;
  const to = dial.to.join(', ');
  const transfer = (detail?: string): Step => {
    ctx.hear({ verb: 'Dial', detail: detail ? `${to} (${detail})` : to });
    return { kind: 'end', ended: { how: 'transfer', transferTo: to, detail: `<Dial> ${to}` } };
  };
  if (!ctx.link) return transfer();
  const outcome = await runLiveDial({ ...ctx, link: ctx.link });
  const action = (callStatus: string, dialCallSid: string, duration: number): WebhookRequest | undefined =>
    dial.action === undefined
      ? undefined
      : {
          kind: 'dial',
          method: dial.method ?? 'POST',
          url: ctx.resolve(dial.action),
          params: { ...standardVoiceParams(ctx.identity, callStatus), DialCallStatus: 'completed', DialCallSid: dialCallSid, DialCallDuration: String(duration) },
        };
  switch (outcome.kind) {
    case 'unreachable':
      return transfer(`no Twilio stand-in at ${ctx.link.baseUrl}: ${outcome.error}`);
    case 'redirect':
      return { kind: 'navigate', request: { kind: 'redirect', method: outcome.method, url: outcome.url, params: standardVoiceParams(ctx.identity) } };
    case 'redirect-twiml':
      return { kind: 'inline', twiml: outcome.twiml };
    case 'dial-ended': {
      const request = action('in-progress', outcome.dialCallSid, outcome.durationSeconds);
      return request ? { kind: 'navigate', request } : undefined;
    }
    case 'call-ended':
      return { kind: 'end', ended: { how: 'hangup', code: 'call-update', detail: 'ended by a REST call update (Status=completed)' } };
    case 'caller-hangup': {
      // Twilio still requests the <Dial action> when the caller hangs up; nobody listens to its TwiML.
      const request = action('completed', outcome.dialCallSid, outcome.durationSeconds);
      if (request) await ctx.send(request);
      return { kind: 'end', ended: { how: 'caller-hangup', during: outcome.during } };
    }
    case 'script-error':
      return { kind: 'end', ended: { how: 'error', code: 'script-mismatch', detail: outcome.message } };
    case 'link-lost':
      return { kind: 'end', ended: { how: 'error', code: 'twilio-link-lost', detail: outcome.error } };
  }
}
