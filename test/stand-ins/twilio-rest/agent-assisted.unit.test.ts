/**
 * Agent-assisted capture end to end: a phone-simulator call (the caller) presses 0 and is
 * connected to an operator with `<Dial>`; a tiny signed-TwiML app stands in for paycall (it
 * answers the webhooks and, when the call is live, drives the Payments subresource through the
 * real `twilio` client, as paycall's activity will); the Twilio REST stand-in plays Twilio
 * between them. Nothing the app receives may carry a card number.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findSecrets, heardText, placeCall, type CallRecord } from '../../../src/stand-ins/phone-simulator/index.js';
import { startFakeApp, type FakeApp, type Received } from '../phone-simulator/helpers.js';
import { ACCOUNT_SID, AUTH_TOKEN, cardLikeRuns, restError, startStandInFixture, type StandInFixture } from './helpers.js';

const PUBLIC_URL = 'https://paycall.example.test';
const STATUS_CALLBACK = `${PUBLIC_URL}/twilio/payment-status`;
const VISA = '4242424242424242';
const DECLINED = '4000000000000002';
const MISTYPED = '4242424242424241';

let fx: StandInFixture;
let app: FakeApp;

beforeAll(async () => {
  app = await startFakeApp({ authToken: AUTH_TOKEN, publicUrl: PUBLIC_URL });
  fx = await startStandInFixture({ publicBaseUrl: PUBLIC_URL, appUrl: app.url });
  app.twiml('/twilio/voice', (r) => {
    const g = r.gather({ numDigits: 1, action: '/twilio/menu' });
    g.say('Press 0 for an operator.');
  });
  app.twiml('/twilio/menu', (r) => {
    r.say('Connecting you to an operator.');
    r.dial({ action: '/twilio/dial-done' }, '+15005550009');
  });
  app.twiml('/twilio/dial-done', (r) => {
    r.say('The operator has left the call. Goodbye.');
    r.hangup();
  });
  app.twiml('/twilio/after-operator', (r) => {
    r.say('Thank you for your payment. Goodbye.');
    r.hangup();
  });
  app.route('/twilio/payment-status', () => undefined);
  app.route('/twilio/status', () => undefined);
});
afterAll(async () => {
  await fx.stop();
  await app.close();
});

let callCounter = 0;
/** Fixed CallSids: no accidental digit runs in what the app receives. */
const nextCallSid = () => `CA${'c'.repeat(30)}${(++callCounter).toString(16).padStart(2, '0')}`;

async function until<T>(find: () => T | undefined, what: string, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = find();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** What paycall's activity does, from the operator's console: drives Twilio's Payments API. */
function operator(callSid: string) {
  let n = 0;
  const key = (what: string) => `call-${callSid}/agent/${what}/${++n}`;
  const callbacks = () => app.to('/twilio/payment-status');
  return {
    async start(extra: Record<string, unknown> = {}) {
      const session = await fx.client.calls(callSid).payments.create({
        idempotencyKey: key('start'),
        statusCallback: STATUS_CALLBACK,
        paymentConnector: 'Default',
        tokenType: 'payment-method',
        chargeAmount: 0,
        currency: 'usd',
        validCardTypes: 'visa mastercard amex',
        postalCode: false,
        ...extra,
      });
      return session.sid;
    },
    /** Ask for a field; resolves with Twilio's callback once the caller's entry is over. */
    async capture(sid: string, field: 'payment-card-number' | 'expiration-date' | 'security-code') {
      const from = callbacks().length;
      await fx.client.calls(callSid).payments(sid).update({ idempotencyKey: key(field), statusCallback: STATUS_CALLBACK, capture: field });
      return until(() => callbacks().slice(from).find((r) => r.params.Sid === sid && r.params.Capture === field && r.params.PartialResult === 'false'), `${field} entered`);
    },
    async finish(sid: string, status: 'complete' | 'cancel') {
      const from = callbacks().length;
      await fx.client.calls(callSid).payments(sid).update({ idempotencyKey: key(status), statusCallback: STATUS_CALLBACK, status });
      return until(() => callbacks().slice(from).find((r) => r.params.Sid === sid && r.params.Result !== undefined), `${status} result`);
    },
    async wholeCard(sid: string) {
      for (const field of ['payment-card-number', 'expiration-date', 'security-code'] as const) {
        const entered = await this.capture(sid, field);
        expect(entered.params.ErrorType, field).toBe('');
      }
      return this.finish(sid, 'complete');
    },
  };
}

function call(keys: string, callSid: string): Promise<CallRecord> {
  return placeCall({
    url: app.url,
    publicUrl: PUBLIC_URL,
    authToken: AUTH_TOKEN,
    accountSid: ACCOUNT_SID,
    callSid,
    keys,
    stripeUrl: fx.sandbox.url,
    twilioUrl: fx.standIn.url,
  });
}

/** Every value the app received in this call (and its callbacks), for the card-data scan. */
function receivedBy(callSid: string): Received[] {
  return app.received.filter((r) => r.params.CallSid === callSid);
}

function expectNoCardData(callSid: string, record: CallRecord, secrets: string[]) {
  const received = receivedBy(callSid);
  expect(received.length).toBeGreaterThan(0);
  const values = received.flatMap((r) => [r.url, ...Object.keys(r.params), ...Object.values(r.params)]);
  expect(cardLikeRuns(values)).toEqual([]);
  for (const s of secrets) expect(values.join('\n')).not.toContain(s);
  expect(findSecrets(record, [...secrets, '123'])).toEqual([]);
  for (const r of received) expect(r.validSignature, `${r.method} ${r.url}`).toBe(true);
}

describe('agent-assisted capture on a live call', () => {
  it('a good card: the operator captures it, gets pm_… and masked facts, and sends the caller on with inline TwiML', async () => {
    const callSid = nextCallSid();
    const done = call('0,agent:pay=visa', callSid);
    await fx.standIn.waitForDial(callSid);
    const op = operator(callSid);
    const sid = await op.start();
    const result = await op.wholeCard(sid);
    expect(result.params).toMatchObject({ Result: 'success', PaymentCardNumber: 'xxxx-xxxx-xxxx-4242', PaymentCardType: 'visa', ExpirationDate: '1234', SecurityCode: 'xxx' });
    expect(result.params.PaymentToken).toMatch(/^pm_/);
    await fx.client.calls(callSid).update({ twiml: '<Response><Say>Your payment is taken.</Say><Hangup/></Response>' });

    const record = await done;
    expect(record.ended).toMatchObject({ how: 'hangup' });
    expect(heardText(record)).toEqual(['Press 0 for an operator.', 'Connecting you to an operator.', 'Your payment is taken.']);
    const dial = record.transcript.filter((e) => e.verb === 'Dial');
    expect(dial.map((e) => e.event)).toEqual(['connected', 'capture', 'input', 'capture', 'input', 'capture', 'input', 'payment-ended', 'redirect']);
    expect(dial.filter((e) => e.event === 'input').map((e) => e.keys)).toEqual(['xxxxxxxxxxxx4242#', '1234#', 'xxx#']);
    expect(dial.find((e) => e.event === 'payment-ended')).toMatchObject({ paymentSid: sid, result: 'success' });
    expect(app.to('/twilio/status').filter((r) => r.params.CallSid === callSid)).toHaveLength(1);
    expectNoCardData(callSid, record, [VISA]);
  });

  it('a mistyped card number is re-asked by the operator; when the operator leg ends the <Dial action> gets DialCallStatus', async () => {
    const callSid = nextCallSid();
    const done = call(`0,agent:pay=${MISTYPED}|visa`, callSid);
    const live = await fx.standIn.waitForDial(callSid);
    const op = operator(callSid);
    const sid = await op.start();
    const wrong = await op.capture(sid, 'payment-card-number');
    expect(wrong.params).toMatchObject({ ErrorType: 'invalid-card-number', Required: 'payment-card-number,expiration-date,security-code' });
    const result = await op.wholeCard(sid);
    expect(result.params.Result).toBe('success');
    await fx.client.calls(live.childCallSid!).update({ status: 'completed' });

    const record = await done;
    expect(record.ended.how).toBe('hangup');
    const action = app.to('/twilio/dial-done').find((r) => r.params.CallSid === callSid);
    expect(action?.params).toMatchObject({ DialCallStatus: 'completed', DialCallSid: live.childCallSid, CallStatus: 'in-progress' });
    expect(heardText(record).at(-1)).toBe('The operator has left the call. Goodbye.');
    const captures = record.transcript.filter((e) => e.verb === 'Dial' && e.event === 'capture' && e.for === 'payment-card-number');
    expect(captures.map((e) => e.attempt)).toEqual([1, 2]);
    expectNoCardData(callSid, record, [MISTYPED, VISA]);
  });

  it('a declined card tokenizes (the decline is at charge time); a second session follows the completed one', async () => {
    const callSid = nextCallSid();
    const done = call('0,agent:pay=declined,agent:pay=visa', callSid);
    await fx.standIn.waitForDial(callSid);
    const op = operator(callSid);
    const first = await op.start();
    const declined = await op.wholeCard(first);
    expect(declined.params).toMatchObject({ Result: 'success', PaymentCardNumber: 'xxxx-xxxx-xxxx-0002' });
    const second = await op.start();
    expect(second).not.toBe(first);
    const good = await op.wholeCard(second);
    expect(good.params).toMatchObject({ Result: 'success', PaymentCardNumber: 'xxxx-xxxx-xxxx-4242' });
    expect(good.params.PaymentToken).not.toBe(declined.params.PaymentToken);
    await fx.client.calls(callSid).update({ url: `${PUBLIC_URL}/twilio/after-operator`, method: 'POST' });

    const record = await done;
    expect(record.ended.how).toBe('hangup');
    expect(heardText(record).at(-1)).toBe('Thank you for your payment. Goodbye.');
    expect(app.to('/twilio/after-operator').filter((r) => r.params.CallSid === callSid)).toHaveLength(1);
    expectNoCardData(callSid, record, [DECLINED, VISA]);
  });

  it('the caller hangs up mid-capture: Result=caller-hung-up, the <Dial action> and the status callback say completed', async () => {
    const callSid = nextCallSid();
    const done = call('0,agent:pay=visa/1234/hangup', callSid);
    await fx.standIn.waitForDial(callSid);
    const op = operator(callSid);
    const sid = await op.start();
    await op.capture(sid, 'payment-card-number');
    await op.capture(sid, 'expiration-date');
    const from = app.to('/twilio/payment-status').length;
    await fx.client.calls(callSid).payments(sid).update({ idempotencyKey: 'hang/cvc', statusCallback: STATUS_CALLBACK, capture: 'security-code' });
    const ended = await until(() => app.to('/twilio/payment-status').slice(from).find((r) => r.params.Result !== undefined), 'hang-up result');
    expect(ended.params).toMatchObject({ Result: 'caller-hung-up', PaymentToken: '', PaymentCardNumber: 'xxxx-xxxx-xxxx-4242', ExpirationDate: '1234' });

    const record = await done;
    expect(record.ended).toMatchObject({ how: 'caller-hangup', during: 'agent-capture' });
    const action = app.to('/twilio/dial-done').find((r) => r.params.CallSid === callSid);
    expect(action?.params).toMatchObject({ CallStatus: 'completed', DialCallStatus: 'completed' });
    expect(app.to('/twilio/status').find((r) => r.params.CallSid === callSid)?.params.CallStatus).toBe('completed');
    expect(await restError(fx.client.calls(callSid).payments(sid).update({ idempotencyKey: 'hang/late', statusCallback: STATUS_CALLBACK, status: 'complete' }))).toMatchObject({ code: 21220 });
    expectNoCardData(callSid, record, [VISA]);
  });

  it('a silent caller: input-timeout after the session Timeout, then the card when asked again', async () => {
    const callSid = nextCallSid();
    const done = call('0,agent:pay=|visa', callSid);
    await fx.standIn.waitForDial(callSid);
    const op = operator(callSid);
    const sid = await op.start({ timeout: 3 });
    const silent = await op.capture(sid, 'payment-card-number');
    expect(silent.params).toMatchObject({ ErrorType: 'input-timeout', Required: 'payment-card-number,expiration-date,security-code' });
    expect((await op.wholeCard(sid)).params.Result).toBe('success');
    await fx.client.calls(callSid).update({ status: 'completed' });

    const record = await done;
    expect(record.ended).toMatchObject({ how: 'hangup', code: 'call-update' });
    expect(record.transcript.find((e) => e.verb === 'Dial' && e.input === 'no-input')).toMatchObject({ for: 'payment-card-number', seconds: 3 });
    expect(record.callDurationSeconds).toBeGreaterThanOrEqual(3); // the silence counts, simulated
    expectNoCardData(callSid, record, [VISA]);
  });

  it('duplicated and reordered callbacks are delivered as asked (paycall must ignore them)', async () => {
    const callSid = nextCallSid();
    const done = call('0,agent:pay=visa', callSid);
    await fx.standIn.waitForDial(callSid);
    const op = operator(callSid);
    const sid = await op.start();
    fx.standIn.faults.reorderNextTwoCallbacks();
    const from = app.to('/twilio/payment-status').length;
    await op.capture(sid, 'payment-card-number');
    await until(() => app.to('/twilio/payment-status').slice(from).find((r) => r.params.PartialResult === 'true'), 'the held callback');
    const cardCallbacks = app.to('/twilio/payment-status').slice(from).filter((r) => r.params.Capture === 'payment-card-number');
    expect(cardCallbacks.map((r) => r.params.PartialResult)).toEqual(['false', 'true']);

    await op.capture(sid, 'expiration-date');
    await op.capture(sid, 'security-code');
    fx.standIn.faults.duplicateNextCallback();
    const result = await op.finish(sid, 'complete');
    await fx.standIn.settled();
    const results = app.to('/twilio/payment-status').filter((r) => r.params.Sid === sid && r.params.Result !== undefined);
    expect(results).toHaveLength(2);
    expect(results[1]!.idempotencyToken).toBe(result.idempotencyToken);
    expect(results[1]!.params).toEqual(result.params);
    await fx.client.calls(callSid).update({ status: 'completed' });
    const record = await done;
    expectNoCardData(callSid, record, [VISA]);
  });

  it('nothing the app received in any call has a 13–19 digit run', () => {
    expect(app.received.length).toBeGreaterThan(40);
    expect(cardLikeRuns(app.received.flatMap((r) => [r.url, ...Object.values(r.params)]))).toEqual([]);
  });
});
