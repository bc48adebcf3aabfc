/**
 * The caller's side of a live `<Dial>`: the `agent:pay=…` keys and `agentPay` steps, the
 * scripted caller's answers per payment session, a `<Dial>` with no stand-in to reach (still a
 * transfer), hanging up as soon as the operator answers, and Twilio's rule that TwiML given
 * inline by a call update needs absolute URLs.
 */
import twilio from 'twilio';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ScriptedCaller } from '../../../src/stand-ins/phone-simulator/caller.js';
import { placeCall } from '../../../src/stand-ins/phone-simulator/place-call.js';
import { keysToSteps, loadScenario, ScenarioError } from '../../../src/stand-ins/phone-simulator/scenario.js';
import { TwilioLink } from '../../../src/stand-ins/phone-simulator/twilio-link.js';
import { createLogger } from '../../../src/logging/logger.js';
import { startTwilioStandIn, type TwilioStandIn } from '../../../src/stand-ins/twilio-rest/server.js';
import { startFakeApp, type FakeApp } from './helpers.js';

const TOKEN = 'live-dial-test-token';
const ACCOUNT = `AC${'d'.repeat(32)}`;

describe('agent:pay keys', () => {
  it('a named card, a card with mistypes and silence, and a hang-up at a field', () => {
    expect(keysToSteps('0,agent:pay=visa')).toEqual([
      { gather: '0' },
      { agentPay: { cardNumber: '4242424242424242', expiry: '1234', securityCode: '123' } },
    ]);
    expect(keysToSteps('agent:pay=4242424242424241|visa')).toEqual([
      { agentPay: { cardNumber: ['4242424242424241', '4242424242424242'], expiry: '1234', securityCode: '123' } },
    ]);
    expect(keysToSteps('agent:pay=|amex')).toEqual([{ agentPay: { cardNumber: ['', '378282246310005'], expiry: '1234', securityCode: '1234' } }]);
    expect(keysToSteps('agent:pay=5555555555554444/1299|1230/123/94107')).toEqual([
      { agentPay: { cardNumber: '5555555555554444', expiry: ['1299', '1230'], securityCode: '123', postalCode: '94107' } },
    ]);
    expect(keysToSteps('agent:pay=visa/1234/hangup')).toEqual([{ agentPay: { cardNumber: '4242424242424242', expiry: '1234', hangup: true } }]);
    expect(keysToSteps('agent:pay=hangup')).toEqual([{ agentPay: { hangup: true } }]);
    expect(() => keysToSteps('agent:pay=42x2')).toThrow(ScenarioError);
    expect(() => keysToSteps('agent:pay=1/2/3/4/5')).toThrow(/agent:pay=NAME or agent:pay=CARD/);
  });

  it('the example scenario file is valid', async () => {
    const s = await loadScenario('scenarios/agent-assisted-mistyped-card.json');
    expect(s.steps.some((step) => 'agentPay' in step)).toBe(true);
  });
});

describe('ScriptedCaller.agentCapture', () => {
  it('takes one agentPay step per payment session and one entry each time a field is asked for', async () => {
    const caller = new ScriptedCaller(keysToSteps('agent:pay=4242424242424241|visa/|1234,agent:pay=mastercard'));
    expect(await caller.dialConnected()).toBe('stay');
    const ask = (paymentSid: string, field: 'payment-card-number' | 'expiration-date' | 'security-code' | 'postal-code', attempt = 1) =>
      caller.agentCapture({ paymentSid, field, attempt, timeoutSeconds: 5 });
    expect(await ask('PK1', 'payment-card-number')).toEqual({ kind: 'keys', keys: '4242424242424241#' });
    expect(await ask('PK1', 'payment-card-number', 2)).toEqual({ kind: 'keys', keys: '4242424242424242#' });
    expect(await ask('PK1', 'expiration-date')).toEqual({ kind: 'no-input' });
    expect(await ask('PK1', 'expiration-date', 2)).toEqual({ kind: 'keys', keys: '1234#' });
    expect(await ask('PK1', 'postal-code')).toEqual({ kind: 'keys', keys: '94107#' }); // the default, as for <Pay>
    expect(await ask('PK1', 'expiration-date', 3)).toMatchObject({ kind: 'script-error', message: expect.stringContaining('no expiry entry left') });
    // A new session: the next step's card.
    expect(await ask('PK2', 'payment-card-number')).toEqual({ kind: 'keys', keys: '5555555555554444#' });
    expect(await ask('PK3', 'payment-card-number')).toMatchObject({ kind: 'script-error', message: expect.stringContaining('no steps left') });
  });

  it('a hangup step hangs up when the operator answers; agentPay hangup when a field has no entry', async () => {
    expect(await new ScriptedCaller(keysToSteps('hangup')).dialConnected()).toBe('hangup');
    const caller = new ScriptedCaller(keysToSteps('agent:pay=visa/hangup'));
    expect(await caller.agentCapture({ paymentSid: 'PK1', field: 'payment-card-number', attempt: 1, timeoutSeconds: 5 })).toMatchObject({ kind: 'keys' });
    expect(await caller.agentCapture({ paymentSid: 'PK1', field: 'expiration-date', attempt: 1, timeoutSeconds: 5 })).toEqual({ kind: 'hangup' });
  });
});

describe('a <Dial> with a Twilio link', () => {
  let app: FakeApp;
  let standIn: TwilioStandIn;
  beforeAll(async () => {
    standIn = await startTwilioStandIn({ authToken: TOKEN, logger: createLogger('twilio-stand-in', 'silent'), tokenize: async () => ({ ok: false, cardError: false, message: 'unused' }) });
  });
  afterAll(() => standIn.close());
  beforeEach(async () => {
    app = await startFakeApp({ authToken: TOKEN });
    app.twiml('/twilio/voice', (r) => {
      r.dial({ action: '/twilio/dial-done' }, '+15005550009');
    });
    app.route('/twilio/dial-done', () => '<Response><Hangup/></Response>');
    app.route('/twilio/status', () => undefined);
  });
  afterEach(() => app.close());
  const call = (keys: string, twilioUrl = standIn.url, callSid?: string) =>
    placeCall({ url: app.url, publicUrl: app.publicUrl, authToken: TOKEN, accountSid: ACCOUNT, keys, twilioUrl, ...(callSid ? { callSid } : {}), tokenize: async () => ({ ok: false, cardError: false, message: 'unused' }) });

  it('with no stand-in listening, is still a transfer, saying why', async () => {
    const record = await call('', 'http://127.0.0.1:9');
    expect(record.ended).toMatchObject({ how: 'transfer', transferTo: '+15005550009' });
    expect(record.transcript.find((e) => e.verb === 'Dial')?.detail).toContain('no Twilio stand-in at http://127.0.0.1:9');
  });

  it('the caller hanging up as the operator answers: the stand-in knows, the Dial action and status callback say completed', async () => {
    const callSid = `CA${'e'.repeat(32)}`;
    const record = await call('hangup', standIn.url, callSid);
    expect(record.ended).toMatchObject({ how: 'caller-hangup', during: 'dial' });
    expect(standIn.calls().find((c) => c.callSid === callSid)?.status).toBe('completed');
    expect(app.to('/twilio/dial-done')[0]?.params).toMatchObject({ CallStatus: 'completed', DialCallStatus: 'completed' });
    expect(app.to('/twilio/status')[0]?.params.CallStatus).toBe('completed');
  });

  it('inline TwiML from a call update must use absolute URLs (Twilio error 11100)', async () => {
    const callSid = `CA${'f'.repeat(32)}`;
    const done = call('', standIn.url, callSid);
    await standIn.waitForDial(callSid);
    const client = twilio(ACCOUNT, TOKEN);
    client.api.baseUrl = standIn.url;
    await client.calls(callSid).update({ twiml: '<Response><Redirect>/twilio/next</Redirect></Response>' });
    const record = await done;
    expect(record.ended).toMatchObject({ how: 'app-error', code: 'twiml-relative-url', twilioErrorCode: '11100' });
    expect(app.to('/twilio/next')).toHaveLength(0);
  });

  it('the stand-in knows the call from its start and that it ended, Dial or not', async () => {
    const callSid = `CA${'1a'.repeat(16)}`;
    app.twiml('/twilio/voice', (r) => void r.hangup());
    await call('', standIn.url, callSid);
    expect(standIn.calls().find((c) => c.callSid === callSid)).toMatchObject({ status: 'completed', inDial: false });
  });

  it('a second <Dial> in the same call goes on from the events already seen', async () => {
    const callSid = `CA${'2b'.repeat(16)}`;
    let dials = 0;
    app.route('/twilio/dial-done', () => (++dials === 1 ? '<Response><Dial action="/twilio/dial-done">+15005550009</Dial></Response>' : '<Response><Hangup/></Response>'));
    const done = call('', standIn.url, callSid);
    const client = twilio(ACCOUNT, TOKEN);
    client.api.baseUrl = standIn.url;
    const first = await standIn.waitForDial(callSid);
    const firstLeg = first.childCallSid!;
    await client.calls(firstLeg).update({ status: 'completed' });
    // The action answers with another <Dial>: a new operator leg, connected until ended too.
    await until(() => (first.inDial && first.childCallSid !== firstLeg ? true : undefined));
    const secondLeg = first.childCallSid!;
    await new Promise((r) => setTimeout(r, 100)); // were the old dial-ended replayed, the second Dial would end now
    expect(first.inDial).toBe(true);
    await client.calls(secondLeg).update({ status: 'completed' });
    const record = await done;
    expect(record.ended.how).toBe('hangup');
    expect(app.to('/twilio/dial-done').map((r) => r.params.DialCallSid)).toEqual([firstLeg, secondLeg]);
  });
});

describe('a capture asked for before the <Dial>', () => {
  it('waits in the call’s queue and reaches the caller once connected', async () => {
    const standIn = await startTwilioStandIn({ authToken: TOKEN, logger: createLogger('twilio-stand-in', 'silent'), tokenize: async () => ({ ok: true, paymentMethodId: 'pm_x' }) });
    try {
      const link = new TwilioLink({ baseUrl: standIn.url, accountSid: ACCOUNT, authToken: TOKEN });
      const callSid = `CA${'3c'.repeat(16)}`;
      await link.start(callSid, { accountSid: ACCOUNT, from: '+15005550006', to: '+15005550001', documentUrl: 'https://paycall.example.test/twilio/voice' });
      const client = twilio(ACCOUNT, TOKEN);
      client.api.baseUrl = standIn.url;
      const session = await client.calls(callSid).payments.create({ idempotencyKey: 'early', statusCallback: 'http://127.0.0.1:9/cb', tokenType: 'payment-method', chargeAmount: 0 });
      await client.calls(callSid).payments(session.sid).update({ idempotencyKey: 'early-card', statusCallback: 'http://127.0.0.1:9/cb', capture: 'payment-card-number' });
      // A redirect, though, needs the caller in a <Dial>: the stand-in cannot reach them in the IVR.
      await expect(client.calls(callSid).update({ twiml: '<Response/>' })).rejects.toMatchObject({ code: 21220 });
      await link.dial(callSid, { accountSid: ACCOUNT, from: '+15005550006', to: '+15005550001', dialTo: ['+15005550009'], childCallSid: `CA${'4d'.repeat(16)}`, documentUrl: 'https://paycall.example.test/twilio/menu' });
      const events = await link.events(callSid, 1000);
      expect(events).toMatchObject([{ type: 'capture', field: 'payment-card-number', paymentSid: session.sid }]);
      expect(await link.events(callSid, 50)).toEqual([]); // seen events are not delivered again
    } finally {
      await standIn.close();
    }
  });
});

async function until<T>(find: () => T | undefined, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = find();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}
