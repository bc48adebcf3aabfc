/**
 * The simulator against a fake TwiML app that validates signatures like paycall: signing,
 * idempotency, standard parameters, URL resolution and methods, each verb, Twilio's error
 * handling (15 s limit, non-200, bad TwiML, one retry on a failed connection) and the
 * call-status callback.
 */
import { createServer } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { APPLICATION_ERROR_MESSAGE } from '../../../src/stand-ins/phone-simulator/call-session.js';
import { placeCall, type PlaceCallOptions } from '../../../src/stand-ins/phone-simulator/place-call.js';
import { heardText } from '../../../src/stand-ins/phone-simulator/record.js';
import { AUTH_TOKEN, startFakeApp, type FakeApp } from './helpers.js';

let app: FakeApp;
beforeEach(async () => {
  app = await startFakeApp();
});
afterEach(async () => {
  await app.close();
});

const call = (options: PlaceCallOptions) =>
  placeCall({
    url: app.url,
    publicUrl: app.publicUrl,
    authToken: AUTH_TOKEN,
    tokenize: async () => {
      throw new Error('no <Pay> in these tests');
    },
    ...options,
  });

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('signing, idempotency and parameters', () => {
  it('signs every request over the public URL and sends the standard voice parameters', async () => {
    app.twiml('/twilio/voice', (r) => {
      r.say('Welcome to paycall.');
      r.hangup();
    });
    app.route('/twilio/status', () => undefined);
    const record = await call({ keys: '' });

    expect(record.ended).toEqual({ how: 'hangup' });
    expect(record.ok).toBe(true);
    expect(app.received.map((r) => `${r.method} ${r.url}`)).toEqual(['POST /twilio/voice', 'POST /twilio/status']);
    for (const r of app.received) {
      expect(r.validSignature).toBe(true);
      expect(r.idempotencyToken).toMatch(uuid);
    }
    expect(new Set(app.received.map((r) => r.idempotencyToken)).size).toBe(2);
    const voice = app.received[0]!.params;
    expect(voice).toMatchObject({
      CallSid: expect.stringMatching(/^CA[0-9a-f]{32}$/),
      AccountSid: expect.stringMatching(/^AC[0-9a-f]{32}$/),
      From: '+15005550006',
      To: '+15005550001',
      CallStatus: 'ringing', // as Twilio's first request for an inbound call
      Direction: 'inbound',
      ApiVersion: '2010-04-01',
    });
    expect(voice.CallSid).toBe(record.callSid);
    // The record holds what was sent and how it went.
    expect(record.requests.map((r) => [r.kind, r.path, r.status, r.signedUrl])).toEqual([
      ['voice', '/twilio/voice', 200, 'https://paycall.example.test/twilio/voice'],
      ['status-callback', '/twilio/status', 204, 'https://paycall.example.test/twilio/status'],
    ]);
    expect(record.transcript).toEqual([
      { verb: 'Say', text: 'Welcome to paycall.', language: 'en-US' },
      { verb: 'Hangup' },
    ]);
  });

  it('uses --from/--to and the scenario numbers', async () => {
    app.twiml('/twilio/voice', (r) => void r.hangup());
    app.route('/twilio/status', () => undefined);
    await call({ scenario: { name: 'ja', to: '+815012345678', from: '+819012345678', steps: [] } });
    expect(app.received[0]!.params).toMatchObject({ To: '+815012345678', From: '+819012345678', ToCountry: 'JP' });
    await call({ to: '+15005550002', keys: '' });
    expect(app.received[2]!.params.To).toBe('+15005550002');
  });

  it('a request signed with the wrong token is refused by the app: an application error', async () => {
    app.twiml('/twilio/voice', (r) => void r.hangup());
    const record = await call({ authToken: 'wrong-token', keys: '' });
    expect(app.received[0]!.validSignature).toBe(false);
    expect(record.ended).toMatchObject({ how: 'app-error', code: 'http-status', twilioErrorCode: '11200' });
    expect(record.ok).toBe(false);
  });
});

describe('status callback', () => {
  it('is sent when the call ends, with CallStatus=completed and CallDuration (simulated time counts)', async () => {
    app.twiml('/twilio/voice', (r) => {
      r.say('Please hold.');
      r.pause({ length: 30 });
      r.hangup();
    });
    app.route('/twilio/status', () => undefined);
    const record = await call({ keys: '' });
    expect(record.durationMs).toBeLessThan(5000); // the 30 s pause was simulated
    const status = app.to('/twilio/status');
    expect(status).toHaveLength(1);
    expect(status[0]!.params).toMatchObject({ CallStatus: 'completed', CallSid: record.callSid, CallbackSource: 'call-progress-events' });
    expect(Number(status[0]!.params.CallDuration)).toBeGreaterThanOrEqual(30);
    expect(record.callDurationSeconds).toBe(Number(status[0]!.params.CallDuration));
  });

  it('is sent when the document simply ends (Twilio hangs up)', async () => {
    app.twiml('/twilio/voice', (r) => void r.say('Bye.'));
    app.route('/twilio/status', () => undefined);
    const record = await call({ keys: '' });
    expect(record.ended.how).toBe('document-end');
    expect(app.to('/twilio/status')[0]!.params.CallStatus).toBe('completed');
  });

  it('reports busy / no-answer with CallDuration 0 when <Reject> comes first, completed otherwise', async () => {
    app.twiml('/twilio/voice', (r) => void r.reject({ reason: 'busy' }));
    app.route('/twilio/status', () => undefined);
    const busy = await call({ keys: '' });
    expect(busy.ended).toMatchObject({ how: 'hangup', rejectReason: 'busy' });
    expect(app.to('/twilio/status')[0]!.params).toMatchObject({ CallStatus: 'busy', CallDuration: '0' });

    app.twiml('/twilio/voice', (r) => void r.reject());
    await call({ keys: '' });
    expect(app.to('/twilio/status')[1]!.params.CallStatus).toBe('no-answer');

    app.twiml('/twilio/voice', (r) => {
      r.say('Sorry.');
      r.reject();
    });
    await call({ keys: '' });
    expect(app.to('/twilio/status')[2]!.params.CallStatus).toBe('completed');
  });

  it('tells the app when the caller hangs up in the menu (no Gather action is posted)', async () => {
    app.twiml('/twilio/voice', (r) => {
      r.gather({ action: '/twilio/gather?turn=1', numDigits: 5 }).say('Enter your order number.');
    });
    app.route('/twilio/status', () => undefined);
    const record = await call({ steps: [{ hangup: 'now' }] });
    expect(record.ended).toEqual({ how: 'caller-hangup', during: 'gather' });
    expect(record.ok).toBe(true);
    expect(app.received.map((r) => r.path)).toEqual(['/twilio/voice', '/twilio/status']);
    expect(app.to('/twilio/status')[0]!.params.CallStatus).toBe('completed');
  });
});

describe('URLs and methods', () => {
  it('resolves relative and absolute URLs against the current document and honours method', async () => {
    app.twiml('/twilio/voice', (r) => {
      r.gather({ action: '/twilio/gather?turn=3', finishOnKey: '#' }).say('Order number?');
    });
    app.twiml('/twilio/gather', (r) => {
      r.redirect({ method: 'GET' }, 'https://paycall.example.test/twilio/continue?step=a');
    });
    app.twiml('/twilio/continue', (r, req) => {
      if (req.query.step === 'a') r.redirect('next?step=b'); // relative to /twilio/continue
      else r.hangup();
    });
    app.twiml('/twilio/next', (r) => void r.redirect({ method: 'POST' }, '/twilio/continue?step=c'));
    app.route('/twilio/status', () => undefined);

    const record = await call({ keys: '73021#' });
    expect(record.ended.how).toBe('hangup');
    expect(app.received.map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /twilio/voice',
      'POST /twilio/gather',
      'GET /twilio/continue',
      'POST /twilio/next',
      'POST /twilio/continue',
      'POST /twilio/status',
    ]);
    expect(app.received.every((r) => r.validSignature)).toBe(true);
    const gather = app.received[1]!;
    expect(gather.url).toBe('/twilio/gather?turn=3');
    expect(gather.params).toMatchObject({ Digits: '73021', FinishedOnKey: '#', CallSid: record.callSid });
    // GET: parameters go in the query string, after the document's own.
    const get = app.received[2]!;
    expect(get.query).toMatchObject({ step: 'a', CallSid: record.callSid, CallStatus: 'in-progress' });
    expect(get.url.startsWith('/twilio/continue?step=a&')).toBe(true);
    expect(app.received[3]!.url).toBe('/twilio/next?step=b');
    expect(record.transcript.filter((e) => e.verb === 'Redirect').map((e) => `${e.method} ${e.url}`)).toEqual([
      'GET https://paycall.example.test/twilio/continue?step=a',
      'POST https://paycall.example.test/twilio/next?step=b',
      'POST https://paycall.example.test/twilio/continue?step=c',
    ]);
  });
});

describe('Gather', () => {
  it('numDigits stops collecting; nested Say is heard within the Gather', async () => {
    app.twiml('/twilio/voice', (r) => {
      const g = r.gather({ action: '/twilio/gather', numDigits: 1 });
      g.say({ language: 'ja-JP' }, '番号を押してください');
      g.play('https://cdn.example.test/beep.mp3');
    });
    app.twiml('/twilio/gather', (r) => void r.hangup());
    app.route('/twilio/status', () => undefined);
    const record = await call({ keys: '12' });
    expect(app.to('/twilio/gather')[0]!.params).toMatchObject({ Digits: '1', FinishedOnKey: '' });
    expect(record.transcript.slice(0, 3)).toEqual([
      { verb: 'Say', text: '番号を押してください', language: 'ja-JP', within: 'Gather' },
      { verb: 'Play', url: 'https://cdn.example.test/beep.mp3', within: 'Gather' },
      { verb: 'Gather', input: 'keys', keys: '12', digits: '1' },
    ]);
  });

  it('without the finish key, waits out the timeout and submits what it has', async () => {
    app.twiml('/twilio/voice', (r) => void r.gather({ action: '/twilio/gather', timeout: 7 }));
    app.twiml('/twilio/gather', (r) => void r.hangup());
    app.route('/twilio/status', () => undefined);
    const record = await call({ keys: '123' });
    expect(app.to('/twilio/gather')[0]!.params.Digits).toBe('123');
    expect(record.transcript[0]).toEqual({ verb: 'Gather', input: 'keys', keys: '123', digits: '123', seconds: 7 });
    expect(record.callDurationSeconds).toBeGreaterThanOrEqual(7);
  });

  it('no input falls through to the next verb; with actionOnEmptyResult it posts Digits=""', async () => {
    app.twiml('/twilio/voice', (r) => {
      r.gather({ action: '/twilio/gather?turn=1' }).say('Order number?');
      r.say('We did not get your input.');
      r.gather({ action: '/twilio/gather?turn=2', actionOnEmptyResult: true }).say('Once more?');
    });
    app.twiml('/twilio/gather', (r) => void r.hangup());
    app.route('/twilio/status', () => undefined);
    const record = await call({ keys: ',' });
    expect(heardText(record)).toEqual(['Order number?', 'We did not get your input.', 'Once more?']);
    const posted = app.to('/twilio/gather');
    expect(posted.map((r) => r.url)).toEqual(['/twilio/gather?turn=2']);
    expect(posted[0]!.params.Digits).toBe('');
  });

  it('with no action, re-requests the current document with the digits', async () => {
    let n = 0;
    app.route('/twilio/menu', () => (n++ === 0 ? '<Response><Gather numDigits="1"><Say>Press 1</Say></Gather></Response>' : '<Response><Hangup/></Response>'));
    app.twiml('/twilio/voice', (r) => void r.redirect('/twilio/menu?x=1'));
    app.route('/twilio/status', () => undefined);
    await call({ keys: '1' });
    const menu = app.to('/twilio/menu');
    expect(menu.map((r) => r.url)).toEqual(['/twilio/menu?x=1', '/twilio/menu?x=1']);
    expect(menu[1]!.params.Digits).toBe('1');
  });
});

describe('verbs', () => {
  it('Dial and Enqueue are transfers, with where to', async () => {
    app.twiml('/twilio/voice', (r) => {
      r.say('Connecting you to an operator.');
      r.dial('+15005550009');
      r.say('never heard');
    });
    app.route('/twilio/status', () => undefined);
    const dial = await call({ keys: '' });
    expect(dial.ended).toMatchObject({ how: 'transfer', transferTo: '+15005550009' });
    expect(heardText(dial)).toEqual(['Connecting you to an operator.']);
    expect(app.to('/twilio/status')).toHaveLength(1);

    app.twiml('/twilio/voice', (r) => void r.enqueue('operators'));
    const enqueue = await call({ keys: '' });
    expect(enqueue.ended).toMatchObject({ how: 'transfer', transferTo: 'queue:operators' });
  });

  it('Play and Pause are recorded; Say keeps its language', async () => {
    app.twiml('/twilio/voice', (r) => {
      r.play('https://cdn.example.test/hold.mp3');
      r.pause({ length: 2 });
      r.say({ language: 'ja-JP', voice: 'Polly.Mizuki' }, 'ありがとうございました');
      r.hangup();
    });
    app.route('/twilio/status', () => undefined);
    const record = await call({ keys: '' });
    expect(record.transcript).toEqual([
      { verb: 'Play', url: 'https://cdn.example.test/hold.mp3' },
      { verb: 'Pause', seconds: 2 },
      { verb: 'Say', text: 'ありがとうございました', language: 'ja-JP', voice: 'Polly.Mizuki' },
      { verb: 'Hangup' },
    ]);
  });

  it('an unknown verb is an application error (Twilio refuses the document); nothing of it is played', async () => {
    app.route('/twilio/voice', () => '<Response><Say>Hello</Say><Speak>nope</Speak></Response>');
    app.route('/twilio/status', () => undefined);
    const record = await call({ keys: '' });
    expect(record.ended).toMatchObject({ how: 'app-error', code: 'unknown-verb', twilioErrorCode: '12100' });
    expect(record.ended.detail).toContain('<Speak>');
    expect(heardText(record)).toEqual([APPLICATION_ERROR_MESSAGE]);
    expect(app.to('/twilio/status')).toHaveLength(1);
  });

  it('a Twilio verb the simulator does not emulate is reported, not ignored', async () => {
    app.route('/twilio/voice', () => '<Response><Say>Leave a message</Say><Record/></Response>');
    app.route('/twilio/status', () => undefined);
    const record = await call({ keys: '' });
    expect(record.ended).toMatchObject({ how: 'error', code: 'unsupported-verb' });
    expect(record.ended.detail).toContain('<Record>');
    expect(record.ok).toBe(false);
  });
});

describe("Twilio's error handling", () => {
  it('a 500 ends the call with the application-error message', async () => {
    app.twiml('/twilio/voice', (r) => void r.gather({ action: '/twilio/gather', numDigits: 1 }).say('Press 1'));
    app.route('/twilio/gather', (_req, res) => void res.status(500).send('boom'));
    app.route('/twilio/status', () => undefined);
    const record = await call({ keys: '1' });
    expect(record.ended).toMatchObject({ how: 'app-error', code: 'http-status', twilioErrorCode: '11200' });
    expect(record.ended.detail).toContain('/twilio/gather: HTTP 500');
    expect(record.transcript.at(-1)).toMatchObject({ verb: 'Twilio', text: APPLICATION_ERROR_MESSAGE });
    expect(app.to('/twilio/status')).toHaveLength(1);
    expect(app.to('/twilio/gather')).toHaveLength(1); // a 500 is not retried
  });

  it('a document that is not TwiML ends the call with the application-error message', async () => {
    app.route('/twilio/voice', () => '<Response><Say>unclosed</Response>');
    app.route('/twilio/status', () => undefined);
    const record = await call({ keys: '' });
    expect(record.ended).toMatchObject({ how: 'app-error', code: 'twiml-parse', twilioErrorCode: '12100' });
  });

  it('past the response limit (15 s, shortened here) the call fails with an application error', async () => {
    app.route('/twilio/voice', async () => {
      await new Promise((r) => setTimeout(r, 1500));
      return '<Response><Hangup/></Response>';
    });
    app.route('/twilio/status', () => undefined);
    const record = await call({ keys: '', responseTimeoutMs: 300 });
    expect(record.ended).toMatchObject({ how: 'app-error', code: 'response-timeout' });
    const voice = record.requests.filter((r) => r.kind === 'voice');
    expect(voice).toHaveLength(1); // timeouts are not retried (Twilio's default rp=ct)
    expect(voice[0]).toMatchObject({ status: null, outcome: 'timeout' });
    expect(voice[0]!.latencyMs).toBeGreaterThanOrEqual(290);
    expect(voice[0]!.latencyMs).toBeLessThan(1400);
  });

  it('retries once after a dropped connection, with the same idempotency token', async () => {
    let first = true;
    app.route('/twilio/voice', (_req, res) => {
      if (first) {
        first = false;
        res.socket?.destroy(); // ECONNRESET on the simulator's side
        return;
      }
      return '<Response><Say>Hello again</Say><Hangup/></Response>';
    });
    app.route('/twilio/status', () => undefined);
    const record = await call({ keys: '' });
    expect(record.ended.how).toBe('hangup');
    const voice = app.to('/twilio/voice');
    expect(voice).toHaveLength(2);
    expect(voice[0]!.idempotencyToken).toBe(voice[1]!.idempotencyToken);
    expect(voice[0]!.signature).toBe(voice[1]!.signature);
    const attempts = record.requests.filter((r) => r.kind === 'voice');
    expect(attempts.map((r) => [r.attempt, r.outcome])).toEqual([
      [1, 'connection-error'],
      [2, 'ok'],
    ]);
    expect(attempts[0]!.error).toMatch(/ECONNRESET/);
  });

  it('when the app cannot be reached at all: two attempts, then an application error', async () => {
    const port = await closedPort();
    const record = await call({ url: `http://127.0.0.1:${port}`, keys: '' });
    expect(record.ended).toMatchObject({ how: 'app-error', code: 'connection-failed' });
    const voice = record.requests.filter((r) => r.kind === 'voice');
    expect(voice.map((r) => r.attempt)).toEqual([1, 2]);
    expect(voice[0]!.idempotencyToken).toBe(voice[1]!.idempotencyToken);
    expect(voice[0]!.error).toMatch(/ECONNREFUSED/);
  });
});

describe('scripts and loops', () => {
  it('a script that does not fit the call ends it as an error, and says why', async () => {
    app.twiml('/twilio/voice', (r) => void r.gather({ action: '/twilio/gather' }).say('Order?'));
    app.twiml('/twilio/gather', (r) => void r.gather({ action: '/twilio/gather' }).say('Again?'));
    app.route('/twilio/status', () => undefined);
    const exhausted = await call({ keys: '1#' });
    expect(exhausted.ended).toMatchObject({ how: 'error', code: 'script-mismatch' });
    expect(exhausted.ended.detail).toContain('no steps left');
    expect(app.to('/twilio/status')).toHaveLength(1);

    const wrong = await call({ steps: [{ pay: { star: true } }] });
    expect(wrong.ended.detail).toContain('asked for digits (<Gather>) but the next step is {"pay"');
  });

  it('a Redirect loop is cut off', async () => {
    app.twiml('/twilio/voice', (r) => void r.redirect('/twilio/voice'));
    app.route('/twilio/status', () => undefined);
    const record = await call({ keys: '', maxRequests: 5 });
    expect(record.ended).toMatchObject({ how: 'error', code: 'request-loop' });
    expect(app.to('/twilio/voice')).toHaveLength(5);
  });

  it('beforeRequest is awaited before each attempt (a test can act at an exact point of the call)', async () => {
    app.twiml('/twilio/voice', (r) => void r.gather({ action: '/twilio/gather', numDigits: 1 }));
    app.twiml('/twilio/gather', (r) => void r.hangup());
    app.route('/twilio/status', () => undefined);
    const seen: string[] = [];
    await call({
      keys: '1',
      beforeRequest: async (req) => {
        await new Promise((r) => setTimeout(r, 20));
        seen.push(`${req.kind} ${new URL(req.url).pathname} ${app.received.length}`);
      },
    });
    expect(seen).toEqual(['voice /twilio/voice 0', 'gather /twilio/gather 1', 'status-callback /twilio/status 2']);
  });

  it('aborting the signal hangs up before the next verb', async () => {
    const controller = new AbortController();
    app.route('/twilio/voice', () => {
      controller.abort();
      return '<Response><Say>Hello</Say></Response>';
    });
    app.route('/twilio/status', () => undefined);
    const record = await call({ keys: '', signal: controller.signal });
    expect(record.ended).toMatchObject({ how: 'caller-hangup', during: 'call' });
    expect(heardText(record)).toEqual([]);
    expect(app.to('/twilio/status')).toHaveLength(1);
  });

  it('scripted pauses wait on the wall clock', async () => {
    app.twiml('/twilio/voice', (r) => void r.gather({ action: '/twilio/gather', numDigits: 1 }));
    app.twiml('/twilio/gather', (r) => void r.hangup());
    app.route('/twilio/status', () => undefined);
    const record = await call({ steps: [{ pause: 300 }, { gather: '1' }] });
    expect(record.durationMs).toBeGreaterThanOrEqual(290);
  });
});

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}
