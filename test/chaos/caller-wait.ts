/**
 * How long callers waited, from the phone simulator's call records. A caller input is the
 * incoming call and each `<Gather>` or `<Pay>` answer; its wait runs from the moment Twilio
 * sent that request until the TwiML that is not a hold: every hold ("One moment please",
 * a pause, a `<Redirect>` to /twilio/continue) and the redirected request are part of it.
 * The simulator skips `<Pause>` time (no --realtime), so each hold's pause is added back at
 * its TwiML length: that is time the caller really listens to silence.
 *
 * Left out: requests nobody listens to (the caller had hung up: a `<Pay>` posted with
 * `caller-hung-up`, or one sent as the caller hung up during processing).
 */
import { percentile, type CallRecord, type RequestRecord } from '../../src/stand-ins/phone-simulator/index.js';

export interface InputWait {
  callSid: string;
  /** The route of the input (`/twilio/voice`, `/twilio/gather`, `/twilio/pay`). */
  route: string;
  ms: number;
  holds: number;
  /** `app-error`: the chain ended in Twilio's application error (timeout, 5xx, no connection). */
  ended: 'answered' | 'app-error';
}

export interface WaitSummary {
  inputs: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Inputs that heard at least one hold. */
  heldInputs: number;
  heldShare: number;
  /** Inputs whose answer never came (the caller heard Twilio's application error). */
  appErrorInputs: number;
  /** The same per route (`/twilio/voice`, `/twilio/gather`, `/twilio/pay`). */
  byRoute?: Record<string, Omit<WaitSummary, 'byRoute'>>;
}

interface LogicalRequest {
  kind: RequestRecord['kind'];
  path: string;
  start: number;
  end: number;
  outcome: RequestRecord['outcome'];
  params: Record<string, string>;
}

/** Attempts with the same idempotency token are one request (Twilio's retry of a failed connection). */
function logicalRequests(record: CallRecord): LogicalRequest[] {
  const byToken = new Map<string, LogicalRequest>();
  for (const r of record.requests) {
    if (r.kind === 'status-callback' || r.kind === 'pay-status') continue;
    const start = Date.parse(r.startedAt);
    const end = start + r.latencyMs;
    const seen = byToken.get(r.idempotencyToken);
    if (!seen) byToken.set(r.idempotencyToken, { kind: r.kind, path: r.path, start, end, outcome: r.outcome, params: r.params });
    else {
      seen.start = Math.min(seen.start, start);
      if (end >= seen.end) {
        seen.end = end;
        seen.outcome = r.outcome;
      }
    }
  }
  return [...byToken.values()].sort((a, b) => a.start - b.start);
}

/** The pause heard before each `<Redirect>` of the call, in order (seconds). */
function pausesBeforeRedirects(record: CallRecord): number[] {
  const pauses: number[] = [];
  let pending = 0;
  for (const entry of record.transcript) {
    if (entry.verb === 'Pause' && !entry.within) pending += entry.seconds ?? 0;
    else if (entry.verb === 'Redirect') {
      pauses.push(pending);
      pending = 0;
    } else if (entry.verb === 'Gather' || entry.verb === 'Pay') pending = 0;
  }
  return pauses;
}

export function callerWaits(record: CallRecord): InputWait[] {
  const waits: InputWait[] = [];
  const pauses = pausesBeforeRedirects(record);
  let redirects = 0;
  let chain: { first: LogicalRequest; last: LogicalRequest; holds: number; pauseMs: number } | undefined;
  const close = () => {
    if (!chain) return;
    const { first, last } = chain;
    const nobodyListening = last.outcome === 'abandoned' || first.params.Result === 'caller-hung-up';
    if (!nobodyListening) {
      waits.push({
        callSid: record.callSid,
        route: first.path,
        ms: Math.round(last.end - first.start + chain.pauseMs),
        holds: chain.holds,
        ended: last.outcome === 'ok' ? 'answered' : 'app-error',
      });
    }
    chain = undefined;
  };
  for (const request of logicalRequests(record)) {
    if (request.kind === 'redirect' && chain) {
      chain.last = request;
      chain.holds++;
      chain.pauseMs += (pauses[redirects++] ?? 0) * 1000;
      continue;
    }
    if (request.kind === 'redirect') redirects++; // a redirect that is not a hold (none today)
    close();
    chain = { first: request, last: request, holds: 0, pauseMs: 0 };
  }
  close();
  return waits;
}

export function summarizeWaits(waits: readonly InputWait[]): WaitSummary {
  const routes = [...new Set(waits.map((w) => w.route))].sort();
  return { ...summarize(waits), byRoute: Object.fromEntries(routes.map((route) => [route, summarize(waits.filter((w) => w.route === route))])) };
}

function summarize(waits: readonly InputWait[]): Omit<WaitSummary, 'byRoute'> {
  const sorted = waits.map((w) => w.ms).sort((a, b) => a - b);
  const held = waits.filter((w) => w.holds > 0).length;
  return {
    inputs: waits.length,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    maxMs: sorted.length ? sorted[sorted.length - 1]! : 0,
    heldInputs: held,
    heldShare: waits.length ? held / waits.length : 0,
    appErrorInputs: waits.filter((w) => w.ended === 'app-error').length,
  };
}
