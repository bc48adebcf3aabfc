/**
 * The Payments subresource of a live call through the real `twilio` client: create, capture
 * each field (the caller answering over the caller link), complete → callback with pm_ and the
 * masked card, cancel, idempotency, errors as Twilio shapes them, signed callbacks.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ACCOUNT_SID,
  AUTH_TOKEN,
  cardLikeRuns,
  clientFor,
  connectFakePhone,
  restError,
  startCallbackReceiver,
  startStandInFixture,
  type CallbackReceiver,
  type FakePhone,
  type Received,
  type StandInFixture,
} from './helpers.js';

const VISA = '4242424242424242';
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

let keyCounter = 0;
const key = (what: string) => `test/${what}/${++keyCounter}`;

function startSession(p: FakePhone, extra: Record<string, unknown> = {}) {
  return fx.client.calls(p.callSid).payments.create({
    idempotencyKey: key('create'),
    statusCallback: `${receiver.url}/twilio/payment-status`,
    paymentConnector: 'Default',
    tokenType: 'payment-method',
    chargeAmount: 0,
    validCardTypes: 'visa mastercard amex',
    postalCode: false,
    ...extra,
  });
}

const forSession = (sid: string, more: (r: Received) => boolean) => (r: Received) => r.params.Sid === sid && more(r);

async function captureField(p: FakePhone, sid: string, field: 'payment-card-number' | 'expiration-date' | 'security-code' | 'postal-code') {
  const from = receiver.received.length;
  await fx.client.calls(p.callSid).payments(sid).update({ idempotencyKey: key(field), statusCallback: `${receiver.url}/twilio/payment-status`, capture: field });
  return receiver.waitFor(forSession(sid, (r) => r.params.Capture === field && r.params.PartialResult === 'false'), 5000, from);
}

describe('a whole capture', () => {
  it('create, capture each field, complete: signed callbacks with masked values and a pm_ token', async () => {
    const p = await phone({
      'payment-card-number': [{ keys: `${VISA}#` }],
      'expiration-date': [{ keys: '1234#' }],
      'security-code': [{ keys: '123#' }],
    });
    const session = await startSession(p);
    expect(session.sid).toMatch(/^PK[0-9a-f]{32}$/);
    expect(session.callSid).toBe(p.callSid);
    expect(session.accountSid).toBe(ACCOUNT_SID);
    expect(session.uri).toBe(`/2010-04-01/Accounts/${ACCOUNT_SID}/Calls/${p.callSid}/Payments/${session.sid}.json`);
    expect(session.dateCreated).toBeInstanceOf(Date);

    const created = await receiver.waitFor(forSession(session.sid, (r) => r.params.Capture === undefined && r.params.Result === undefined));
    expect(Object.keys(created.params).sort()).toEqual(
      ['AccountSid', 'BankAccountType', 'CallSid', 'ChargeAmount', 'DateCreated', 'PaymentConnector', 'PaymentMethod', 'Sid', 'TokenType'].sort(),
    );
    expect(created.params).toMatchObject({ AccountSid: ACCOUNT_SID, CallSid: p.callSid, ChargeAmount: '0', PaymentConnector: 'Default', PaymentMethod: 'credit-card', TokenType: 'payment-method' });

    const card = await captureField(p, session.sid, 'payment-card-number');
    expect(card.params).toMatchObject({ PartialResult: 'false', ErrorType: '', PaymentCardNumber: 'xxxx-xxxx-xxxx-4242', PaymentCardType: 'visa', Required: 'expiration-date,security-code' });
    const started = receiver.received.find((r) => r.params.Sid === session.sid && r.params.Capture === 'payment-card-number' && r.params.PartialResult === 'true');
    expect(started?.params.Required).toBe('payment-card-number,expiration-date,security-code');
    expect(p.events.find((e) => e.type === 'capture')).toMatchObject({ field: 'payment-card-number', attempt: 1, timeoutSeconds: 5, paymentSid: session.sid });

    const expiry = await captureField(p, session.sid, 'expiration-date');
    expect(expiry.params).toMatchObject({ ExpirationDate: '1234', Required: 'security-code', PaymentCardNumber: 'xxxx-xxxx-xxxx-4242' });
    const cvc = await captureField(p, session.sid, 'security-code');
    expect(cvc.params).toMatchObject({ SecurityCode: 'xxx', Required: '' });

    const from = receiver.received.length;
    const done = await fx.client.calls(p.callSid).payments(session.sid).update({ idempotencyKey: key('complete'), statusCallback: `${receiver.url}/twilio/payment-status`, status: 'complete' });
    expect(done.sid).toBe(session.sid);
    const result = await receiver.waitFor(forSession(session.sid, (r) => r.params.Result !== undefined), 5000, from);
    expect(result.params).toMatchObject({
      Result: 'success',
      PaymentCardNumber: 'xxxx-xxxx-xxxx-4242',
      PaymentCardType: 'visa',
      ExpirationDate: '1234',
      SecurityCode: 'xxx',
      PaymentError: '',
      PayErrorCode: '',
      ConnectorError: '',
    });
    expect(result.params.PaymentToken).toMatch(/^pm_/);
    expect(Object.keys(result.params)).toEqual(expect.arrayContaining(['DateUpdated', 'ProfileId', 'PaymentConfirmationCode']));
    await p.next((e) => e.type === 'payment-ended');

    const mine = receiver.received.filter((r) => r.params.Sid === session.sid);
    expect(mine.length).toBe(8); // created, 3 × (started, entered), result
    for (const r of mine) {
      expect(r.validSignature, JSON.stringify(r.params)).toBe(true);
      expect(r.idempotencyToken).toMatch(/^[0-9a-f-]{36}$/);
    }
    expect(new Set(mine.map((r) => r.idempotencyToken)).size).toBe(mine.length);
    expect(cardLikeRuns(mine.flatMap((r) => Object.values(r.params)))).toEqual([]);
    expect(JSON.stringify(mine)).not.toContain(VISA);
  });

  it('a mistyped card number is reported (ErrorType) and stays required until asked again and keyed right', async () => {
    const p = await phone({ 'payment-card-number': [{ keys: '4242424242424241#' }, { keys: `${VISA}#` }] });
    const session = await startSession(p);
    const wrong = await captureField(p, session.sid, 'payment-card-number');
    expect(wrong.params).toMatchObject({ ErrorType: 'invalid-card-number', Required: 'payment-card-number,expiration-date,security-code' });
    expect(wrong.params.PaymentCardNumber).toBeUndefined();
    const right = await captureField(p, session.sid, 'payment-card-number');
    expect(right.params).toMatchObject({ ErrorType: '', PaymentCardNumber: 'xxxx-xxxx-xxxx-4242' });
    expect(p.events.filter((e) => e.type === 'capture').map((e) => (e.type === 'capture' ? e.attempt : 0))).toEqual([1, 2]);
  });

  it('checks the card type, the expiry and the security code length by brand', async () => {
    const p = await phone({
      'payment-card-number': [{ keys: '6011111111111117#' }, { keys: '378282246310005#' }],
      'expiration-date': [{ keys: '1320#' }, { keys: '0120#' }],
      'security-code': [{ keys: '123#' }, { keys: '1234#' }],
    });
    const session = await startSession(p);
    expect((await captureField(p, session.sid, 'payment-card-number')).params.ErrorType).toBe('invalid-card-type'); // discover not accepted
    expect((await captureField(p, session.sid, 'payment-card-number')).params).toMatchObject({ PaymentCardType: 'amex', PaymentCardNumber: 'xxxx-xxxxxx-x0005' });
    expect((await captureField(p, session.sid, 'expiration-date')).params.ErrorType).toBe('invalid-date'); // month 13
    expect((await captureField(p, session.sid, 'expiration-date')).params.ErrorType).toBe('invalid-date'); // expired
    expect((await captureField(p, session.sid, 'security-code')).params.ErrorType).toBe('invalid-security-code'); // amex needs 4
    expect((await captureField(p, session.sid, 'security-code')).params).toMatchObject({ ErrorType: '', SecurityCode: 'xxxx' });
  });

  it('a silent caller: input-timeout; a capture nobody answers ends the same way after the deadline', async () => {
    const p = await phone({ 'payment-card-number': ['no-input'] });
    const session = await startSession(p);
    expect((await captureField(p, session.sid, 'payment-card-number')).params).toMatchObject({ ErrorType: 'input-timeout', PartialResult: 'false' });

    const quick = await startStandInFixture({ answerDeadlineMs: 150 });
    const quickReceiver = await startCallbackReceiver();
    try {
      const silent = await connectFakePhone(quick.standIn.url, {}); // never answers
      const s = await quick.client.calls(silent.callSid).payments.create({ idempotencyKey: 'k1', statusCallback: `${quickReceiver.url}/cb`, tokenType: 'payment-method', chargeAmount: 0 });
      await quick.client.calls(silent.callSid).payments(s.sid).update({ idempotencyKey: 'k2', statusCallback: `${quickReceiver.url}/cb`, capture: 'payment-card-number' });
      const timedOut = await quickReceiver.waitFor((r) => r.params.PartialResult === 'false');
      expect(timedOut.params.ErrorType).toBe('input-timeout');
      await silent.stop();
    } finally {
      await quick.stop();
      await quickReceiver.close();
    }
  });

  it('cancel ends the session (Result=cancelled); a finished session refuses updates (64021)', async () => {
    const p = await phone();
    const session = await startSession(p);
    const from = receiver.received.length;
    await fx.client.calls(p.callSid).payments(session.sid).update({ idempotencyKey: key('cancel'), statusCallback: `${receiver.url}/cb`, status: 'cancel' });
    const cancelled = await receiver.waitFor(forSession(session.sid, (r) => r.params.Result !== undefined), 5000, from);
    expect(cancelled.params).toMatchObject({ Result: 'cancelled', PaymentToken: '' });
    expect(cancelled.path).toBe('/cb'); // each update's StatusCallback is where its callbacks go
    const again = await restError(fx.client.calls(p.callSid).payments(session.sid).update({ idempotencyKey: key('x'), statusCallback: `${receiver.url}/cb`, capture: 'payment-card-number' }));
    expect(again).toMatchObject({ status: 400, code: 64021, moreInfo: 'https://www.twilio.com/docs/errors/64021' });
    // A new session may follow a finished one.
    const next = await startSession(p);
    expect(next.sid).not.toBe(session.sid);
  });

  it('the caller hanging up mid-capture ends the session (Result=caller-hung-up); the call is then not in progress (21220)', async () => {
    const p = await phone({ 'payment-card-number': ['hangup'] });
    const session = await startSession(p);
    const from = receiver.received.length;
    await fx.client.calls(p.callSid).payments(session.sid).update({ idempotencyKey: key('c'), statusCallback: `${receiver.url}/twilio/payment-status`, capture: 'payment-card-number' });
    const ended = await receiver.waitFor(forSession(session.sid, (r) => r.params.Result !== undefined), 5000, from);
    expect(ended.params).toMatchObject({ Result: 'caller-hung-up', PaymentToken: '' });
    const late = await restError(fx.client.calls(p.callSid).payments(session.sid).update({ idempotencyKey: key('late'), statusCallback: `${receiver.url}/cb`, status: 'complete' }));
    expect(late).toMatchObject({ status: 400, code: 21220 });
    const fresh = await restError(startSession(p));
    expect(fresh).toMatchObject({ status: 400, code: 21220 });
  });
});

describe('Twilio-shaped refusals', () => {
  it('401 20003 without the right credentials, with Twilio’s error body', async () => {
    const p = await phone();
    const wrong = await restError(clientFor(fx.standIn.url, 'not-the-token').calls(p.callSid).payments.create({ idempotencyKey: 'a', statusCallback: `${receiver.url}/cb` }));
    expect(wrong).toMatchObject({ status: 401, code: 20003, message: 'Authenticate' });
    const raw = await fetch(`${fx.standIn.url}/2010-04-01/Accounts/${ACCOUNT_SID}/Calls/${p.callSid}/Payments.json`, { method: 'POST' });
    expect(raw.status).toBe(401);
    expect(await raw.json()).toEqual({ code: 20003, message: 'Authenticate', more_info: 'https://www.twilio.com/docs/errors/20003', status: 401 });
    const otherAccount = await fetch(`${fx.standIn.url}/2010-04-01/Accounts/AC${'b'.repeat(32)}/Messages.json`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString('base64')}` },
    });
    expect(otherAccount.status).toBe(401);
  });

  it('404 20404 for an unknown call or payment session', async () => {
    const unknown = await restError(fx.client.calls(`CA${'0'.repeat(32)}`).payments.create({ idempotencyKey: 'u', statusCallback: `${receiver.url}/cb` }));
    expect(unknown).toMatchObject({ status: 404, code: 20404 });
    const p = await phone();
    const noSession = await restError(fx.client.calls(p.callSid).payments(`PK${'0'.repeat(32)}`).update({ idempotencyKey: 'u', statusCallback: `${receiver.url}/cb`, status: 'cancel' }));
    expect(noSession).toMatchObject({ status: 404, code: 20404 });
  });

  it('a second session while one is in progress: 64021 (session in progress)', async () => {
    const p = await phone();
    await startSession(p);
    const second = await restError(startSession(p));
    expect(second.status).toBe(400);
    expect(second.code).toBe(64021);
    expect(second.message).toContain('session-in-progress');
  });

  it('bad parameters: 64018 both or neither of Capture and Status, 64019 complete too early, 64020 bad values, 21502 bad StatusCallback', async () => {
    const p = await phone();
    const session = await startSession(p);
    const update = (params: Record<string, unknown>) =>
      restError(fx.client.calls(p.callSid).payments(session.sid).update({ idempotencyKey: key('bad'), statusCallback: `${receiver.url}/cb`, ...params }));
    expect((await update({ capture: 'payment-card-number', status: 'complete' })).code).toBe(64018);
    expect((await update({})).code).toBe(64018);
    const early = await update({ status: 'complete' });
    expect(early).toMatchObject({ status: 400, code: 64019 });
    expect(early.message).toContain('payment-card-number, expiration-date, security-code');
    expect((await update({ capture: 'postal-code' })).code).toBe(64020); // created with PostalCode=false
    expect((await update({ capture: 'bank-account-number' })).code).toBe(64020);

    const q = await phone();
    const create = (params: Record<string, unknown>) =>
      restError(fx.client.calls(q.callSid).payments.create({ idempotencyKey: key('bad-create'), statusCallback: `${receiver.url}/cb`, tokenType: 'payment-method', ...params }));
    expect((await create({ tokenType: 'reusable' })).code).toBe(64020);
    expect((await create({ chargeAmount: 10 })).code).toBe(64020);
    expect((await create({ validCardTypes: 'visa bitcoin' })).code).toBe(64020);
    expect((await create({ timeout: 601 })).code).toBe(64020);
    expect((await create({ statusCallback: 'ftp://nope' })).code).toBe(21502);
    // Nothing was created by the refused requests.
    expect(fx.standIn.calls().find((c) => c.callSid === q.callSid)?.sessions).toHaveLength(0);
  });
});

describe('IdempotencyKey', () => {
  it('the same key gets the same answer and does the work once', async () => {
    const p = await phone({ 'payment-card-number': [{ keys: `${VISA}#` }] });
    const params = { idempotencyKey: key('same'), statusCallback: `${receiver.url}/cb`, tokenType: 'payment-method' as const, chargeAmount: 0 };
    const first = await fx.client.calls(p.callSid).payments.create(params);
    const again = await fx.client.calls(p.callSid).payments.create(params);
    expect(again.sid).toBe(first.sid);
    expect(fx.standIn.calls().find((c) => c.callSid === p.callSid)?.sessions).toHaveLength(1);

    const capture = { idempotencyKey: key('capture-once'), statusCallback: `${receiver.url}/cb`, capture: 'payment-card-number' as const };
    await fx.client.calls(p.callSid).payments(first.sid).update(capture);
    await fx.client.calls(p.callSid).payments(first.sid).update(capture);
    await receiver.waitFor((r) => r.params.Sid === first.sid && r.params.PartialResult === 'false');
    await fx.standIn.settled();
    expect(p.events.filter((e) => e.type === 'capture')).toHaveLength(1);
    const created = receiver.received.filter((r) => r.params.Sid === first.sid && r.params.Capture === undefined);
    expect(created).toHaveLength(1);
  });
});
