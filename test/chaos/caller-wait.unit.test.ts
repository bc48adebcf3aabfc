/** Caller wait from call records: holds and their pauses count, retries are one request, nobody-listening requests do not. */
import { describe, expect, it } from 'vitest';
import type { CallRecord, RequestRecord, TranscriptEntry } from '../../src/stand-ins/phone-simulator/index.js';
import { callerWaits, summarizeWaits } from './caller-wait.js';

const t0 = Date.parse('2026-12-01T10:00:00.000Z');

function request(kind: RequestRecord['kind'], path: string, atMs: number, latencyMs: number, token: string, extra: Partial<RequestRecord> = {}): RequestRecord {
  return {
    kind,
    method: 'POST',
    url: `http://front${path}`,
    signedUrl: `http://front${path}`,
    path,
    status: 200,
    outcome: 'ok',
    latencyMs,
    startedAt: new Date(t0 + atMs).toISOString(),
    attempt: 1,
    idempotencyToken: token,
    signature: 'sig',
    params: {},
    ...extra,
  };
}

function record(requests: RequestRecord[], transcript: TranscriptEntry[]): CallRecord {
  return { callSid: 'CA1', accountSid: 'AC1', from: '+1', to: '+1', startedAt: new Date(t0).toISOString(), transcript, requests, ended: { how: 'hangup' }, durationMs: 0, callDurationSeconds: 0, ok: true };
}

describe('callerWaits', () => {
  const hold: TranscriptEntry[] = [{ verb: 'Say', text: 'One moment please.' }, { verb: 'Pause', seconds: 1 }, { verb: 'Redirect', url: 'http://front/twilio/continue' }];
  const call = record(
    [
      // The incoming call: a connection failure retried (same token), answered at 250 ms.
      request('voice', '/twilio/voice', 0, 50, 'v', { outcome: 'connection-error', status: null }),
      request('voice', '/twilio/voice', 60, 190, 'v', { attempt: 2 }),
      // The order number: two holds, then the answer.
      request('gather', '/twilio/gather', 1000, 3000, 'g'),
      request('redirect', '/twilio/continue', 4000, 3000, 'c1'),
      request('redirect', '/twilio/continue', 7000, 500, 'c2'),
      request('status-callback', '/twilio/status', 7600, 10, 's0'),
      // A <Pay> posted after the caller hung up: nobody listens.
      request('pay', '/twilio/pay', 9000, 2000, 'p', { params: { Result: 'caller-hung-up' } }),
    ],
    [{ verb: 'Gather', digits: '1' }, ...hold, ...hold, { verb: 'Gather', digits: '1' }],
  );

  it('runs from the request to the TwiML that is not a hold, adding each hold pause', () => {
    expect(callerWaits(call)).toEqual([
      { callSid: 'CA1', route: '/twilio/voice', ms: 250, holds: 0, ended: 'answered' },
      { callSid: 'CA1', route: '/twilio/gather', ms: 6500 + 2000, holds: 2, ended: 'answered' },
    ]);
  });

  it('summarises percentiles, the held share and per route', () => {
    const summary = summarizeWaits(callerWaits(call));
    expect(summary).toMatchObject({ inputs: 2, p50Ms: 250, p99Ms: 8500, maxMs: 8500, heldInputs: 1, heldShare: 0.5, appErrorInputs: 0 });
    expect(summary.byRoute?.['/twilio/gather']).toMatchObject({ inputs: 1, heldShare: 1 });
  });

  it('an answer that never came counts, as an app error', () => {
    const failed = record([request('gather', '/twilio/gather', 0, 15_000, 'g', { outcome: 'timeout', status: null })], []);
    expect(callerWaits(failed)).toEqual([{ callSid: 'CA1', route: '/twilio/gather', ms: 15_000, holds: 0, ended: 'app-error' }]);
  });
});
