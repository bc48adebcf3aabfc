/**
 * Call update/fetch and Messages through the real `twilio` client against the stand-in; that
 * `client.api.baseUrl` is the one hook paycall needs (Calls, Payments and Messages all go
 * through it); and the StatusCallback delivery rules: retry once on a failed connection, no
 * retry on an HTTP error, and the duplicate/reorder faults.
 */
import twilio from 'twilio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ACCOUNT_SID,
  AUTH_TOKEN,
  connectFakePhone,
  restError,
  startCallbackReceiver,
  startStandInFixture,
  type CallbackReceiver,
  type FakePhone,
  type StandInFixture,
} from './helpers.js';

let fx: StandInFixture;
let receiver: CallbackReceiver;
const phones: FakePhone[] = [];

beforeAll(async () => {
  fx = await startStandInFixture();
  receiver = await startCallbackReceiver();
});
afterAll(async () => {
  await Promise.all(phones.map((p) => p.stop()));
  await fx.stop();
  await receiver.close();
});

async function phone(answers: Parameters<typeof connectFakePhone>[1] = {}): Promise<FakePhone> {
  const p = await connectFakePhone(fx.standIn.url, answers);
  phones.push(p);
  return p;
}

describe('client.api.baseUrl', () => {
  it('routes Calls, Payments and Messages to the stand-in (all are api.twilio.com resources)', () => {
    const client = twilio(ACCOUNT_SID, AUTH_TOKEN);
    client.api.baseUrl = fx.standIn.url;
    // The same Domain object builds every v2010 URL; nothing else points at api.twilio.com.
    expect(client.api.v2010.domain).toBe(client.api);
    expect(client.api.absoluteUrl('/2010-04-01/Accounts/AC1/Calls/CA1/Payments.json')).toBe(
      `${fx.standIn.url}/2010-04-01/Accounts/AC1/Calls/CA1/Payments.json`,
    );
  });
});

describe('call update', () => {
  it('Twiml takes the caller out of the <Dial> with that TwiML', async () => {
    const p = await phone();
    const twiml = '<Response><Say>Back to you.</Say><Hangup/></Response>';
    const call = await fx.client.calls(p.callSid).update({ twiml });
    expect(call).toMatchObject({ sid: p.callSid, status: 'in-progress', accountSid: ACCOUNT_SID });
    expect(await p.next((e) => e.type === 'redirect')).toMatchObject({ twiml });
    // No longer in the <Dial>: the stand-in cannot reach the caller now.
    expect(await restError(fx.client.calls(p.callSid).update({ twiml }))).toMatchObject({ status: 400, code: 21220 });
  });

  it('Url + Method redirects; a bad Url is 21205, Url with Twiml 21200', async () => {
    const p = await phone();
    expect(await restError(fx.client.calls(p.callSid).update({ url: 'not a url' }))).toMatchObject({ code: 21205, status: 400 });
    expect(await restError(fx.client.calls(p.callSid).update({ url: 'https://x.test/a', twiml: '<Response/>' }))).toMatchObject({ code: 21200 });
    await fx.client.calls(p.callSid).update({ url: 'https://paycall.example.test/twilio/continue?x=1', method: 'GET' });
    expect(await p.next((e) => e.type === 'redirect')).toMatchObject({ url: 'https://paycall.example.test/twilio/continue?x=1', method: 'GET' });
  });

  it('Status=completed hangs the call up; later updates are 21220; fetch says completed', async () => {
    const p = await phone();
    const ended = await fx.client.calls(p.callSid).update({ status: 'completed' });
    expect(ended.status).toBe('completed');
    await p.next((e) => e.type === 'hangup');
    expect(await restError(fx.client.calls(p.callSid).update({ twiml: '<Response/>' }))).toMatchObject({ code: 21220 });
    expect((await fx.client.calls(p.callSid).fetch()).status).toBe('completed');
  });

  it("Status=completed on the operator's leg ends the <Dial> only (DialCallStatus=completed)", async () => {
    const p = await phone();
    const leg = await fx.client.calls(p.childCallSid).fetch();
    expect(leg).toMatchObject({ sid: p.childCallSid, parentCallSid: p.callSid, status: 'in-progress', direction: 'outbound-dial' });
    await fx.client.calls(p.childCallSid).update({ status: 'completed' });
    expect(await p.next((e) => e.type === 'dial-ended')).toMatchObject({ dialCallStatus: 'completed', dialCallSid: p.childCallSid });
    expect((await fx.client.calls(p.callSid).fetch()).status).toBe('in-progress');
  });

  it('an unknown call is 20404', async () => {
    expect(await restError(fx.client.calls(`CA${'9'.repeat(32)}`).update({ twiml: '<Response/>' }))).toMatchObject({ status: 404, code: 20404 });
  });
});

describe('Messages', () => {
  it('queues an SMS and keeps it for tests; Twilio’s errors for a missing body or a bad number', async () => {
    const message = await fx.client.messages.create({ to: '+15005550009', from: '+15005550006', body: 'paycall: receipt 481523' });
    expect(message.sid).toMatch(/^SM[0-9a-f]{32}$/);
    expect(message).toMatchObject({ status: 'queued', to: '+15005550009', from: '+15005550006', body: 'paycall: receipt 481523', accountSid: ACCOUNT_SID });
    expect(fx.standIn.messages.at(-1)).toMatchObject({ sid: message.sid, to: '+15005550009', body: 'paycall: receipt 481523' });
    expect(await restError(fx.client.messages.create({ to: '+15005550009', from: '+15005550006' }))).toMatchObject({ status: 400, code: 21602 });
    expect(await restError(fx.client.messages.create({ to: '12345', from: '+15005550006', body: 'x' }))).toMatchObject({ code: 21211 });
    expect(await restError(fx.client.messages.create({ to: '+15005550009', body: 'x' }))).toMatchObject({ code: 21603 });
  });
});

describe('StatusCallback delivery', () => {
  const startSession = (p: FakePhone, statusCallback: string, key: string) =>
    fx.client.calls(p.callSid).payments.create({ idempotencyKey: key, statusCallback, tokenType: 'payment-method', chargeAmount: 0, postalCode: false });

  it('retries once, with the same idempotency token, when the connection fails; not after an HTTP error', async () => {
    const closed = await startCallbackReceiver();
    const deadUrl = `${closed.url}/twilio/payment-status`;
    await closed.close();
    const p = await phone();
    const session = await startSession(p, deadUrl, 'retry-1');
    await fx.standIn.settled();
    const attempts = fx.standIn.callbacks.filter((r) => r.params.Sid === session.sid);
    expect(attempts.map((a) => a.attempt)).toEqual([1, 2]);
    expect(attempts.map((a) => a.outcome)).toEqual(['connection-error', 'connection-error']);
    expect(attempts[0]!.idempotencyToken).toBe(attempts[1]!.idempotencyToken);

    // An HTTP error is an answer: not retried (the stand-in's own 404 route answers here).
    const r = await startSession(await phone(), `${fx.standIn.url}/not-a-callback-route`, 'retry-3');
    await fx.standIn.settled();
    const refused = fx.standIn.callbacks.filter((c) => c.params.Sid === r.sid);
    expect(refused.map((c) => [c.attempt, c.status])).toEqual([[1, 404]]);
  });

  it('duplicateNextCallback delivers one callback twice (same token); reorderNextTwoCallbacks swaps two', async () => {
    const p = await phone({ 'payment-card-number': [{ keys: '4242424242424242#' }] });
    const from = receiver.received.length;
    fx.standIn.faults.duplicateNextCallback();
    const session = await startSession(p, `${receiver.url}/cb`, 'dup-1');
    await fx.standIn.settled();
    const created = receiver.received.slice(from).filter((r) => r.params.Sid === session.sid);
    expect(created).toHaveLength(2);
    expect(created[0]!.idempotencyToken).toBe(created[1]!.idempotencyToken);
    expect(created[0]!.params).toEqual(created[1]!.params);

    fx.standIn.faults.reorderNextTwoCallbacks();
    const before = receiver.received.length;
    await fx.client.calls(p.callSid).payments(session.sid).update({ idempotencyKey: 'dup-2', statusCallback: `${receiver.url}/cb`, capture: 'payment-card-number' });
    await receiver.waitFor((r) => r.params.Sid === session.sid && r.params.PartialResult === 'true', 5000, before);
    const order = receiver.received.slice(before).map((r) => r.params.PartialResult);
    expect(order).toEqual(['false', 'true']); // the "entered" callback arrived before the "capturing" one

    // Over HTTP too (paycall's tests in another process): fresh tokens for content duplicates.
    const set = await fetch(`${fx.standIn.url}/_stand-in/faults`, { method: 'POST', body: JSON.stringify({ duplicateNext: 1, duplicateWithFreshToken: true }) });
    expect(await set.json()).toMatchObject({ duplicateNext: 1, duplicateWithFreshToken: true });
    const mark = receiver.received.length;
    await fx.client.calls(p.callSid).payments(session.sid).update({ idempotencyKey: 'dup-3', statusCallback: `${receiver.url}/cb`, status: 'cancel' });
    await fx.standIn.settled();
    const cancelled = receiver.received.slice(mark).filter((r) => r.params.Result === 'cancelled');
    expect(cancelled).toHaveLength(2);
    expect(cancelled[0]!.idempotencyToken).not.toBe(cancelled[1]!.idempotencyToken);
    expect((await (await fetch(`${fx.standIn.url}/_stand-in/faults`, { method: 'DELETE' })).json())).toEqual({ duplicateNext: 0, duplicateWithFreshToken: false, reorderNext: 0 });
  });
});
