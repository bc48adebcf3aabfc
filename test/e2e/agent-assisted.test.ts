/**
 * Agent-assisted payments end to end: the phone simulator's caller presses 0 and is put
 * through to an operator (a live `<Dial>`); the test plays the operator through the operator
 * API (start capture, cancel, end the call); the worker drives the Twilio REST stand-in's
 * Payments API on the live call; the stand-in prompts the simulated caller, tokenizes with
 * the Stripe sandbox and posts signed status callbacks. Each case checks the charges in the
 * sandbox, what the caller heard, the step log, and that no card number went anywhere.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callWorkflowId, type CallState } from '../../src/contract/call.js';
import type { AgentCaptureView } from '../../src/contract/operator.js';
import { heardText, type CallRecord } from '../../src/stand-ins/phone-simulator/index.js';
import { cardDataFindings, historyAsText } from '../helpers/card-data-scanner.js';
import { uniqueCallSid } from '../helpers/temporal.js';
import { recordHistoryIfAsked } from './history-recorder.js';
import { e2eOperatorToken, startLocalStack, type LocalStack } from './local-stack.js';

let stack: LocalStack;
beforeAll(async () => {
  stack = await startLocalStack({}, { withOperators: true });
});
afterAll(async () => {
  await stack?.close();
});

const visa = { cardNumber: '4242424242424242', expiry: '1234', securityCode: '123' };

async function api(path: string, body?: unknown): Promise<{ status: number; body: any; text: string }> {
  const response = await fetch(`${stack.webUrl}${path}`, {
    method: body === undefined && !path.endsWith('/cancel') && !path.endsWith('/end') ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${e2eOperatorToken}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: response.status, body: parsed, text };
}

/** The call's live state as the operator API reports it (its `state` query). */
async function live(callSid: string): Promise<CallState> {
  const r = await api(`/api/calls/${callSid}`);
  return r.body.state as CallState;
}

async function until<T>(read: () => Promise<T>, ok: (value: T) => boolean, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read().catch(() => undefined as T);
    if (value !== undefined && ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function onLine(callSid: string): Promise<void> {
  await until(() => live(callSid), (s) => s?.step === 'with-operator' && Boolean(s.operatorLine), 'the caller on the operator line');
}

async function capture(callSid: string, status: AgentCaptureView['status']): Promise<AgentCaptureView> {
  const s = await until(() => live(callSid), (st) => st?.operatorLine?.capture?.status === status, `capture ${status}`);
  return s.operatorLine!.capture!;
}

/** Every request the simulator sent to paycall, and everything paycall kept of the call: no card number in any. */
async function expectNoCardData(record: CallRecord, callSid: string): Promise<void> {
  expect(cardDataFindings(JSON.stringify(record.requests), 'requests to paycall')).toEqual([]);
  expect(cardDataFindings(historyAsText(await stack.client.workflow.getHandle(callWorkflowId(callSid)).fetchHistory()), 'history')).toEqual([]);
  expect(cardDataFindings((await api(`/api/calls/${callSid}`)).text, 'operator API')).toEqual([]);
}

describe('agent-assisted payments', () => {
  it('the operator takes the payment on the live call: one charge, the code read out, the operator named', async () => {
    const callSid = uniqueCallSid();
    const calling = stack.call({ callSid, steps: [{ gather: '80020#' }, { gather: '0' }, { agentPay: visa }] });
    await onLine(callSid);
    const started = await api(`/api/calls/${callSid}/capture`, { orderId: '80020' });
    expect(started.status).toBe(202);
    const paid = await capture(callSid, 'paid');
    expect(paid).toMatchObject({ operator: 'operator', orderId: '80020', card: { last4: '4242' } });
    expect(paid.confirmationCode).toMatch(/^\d{6}$/);
    expect((await api(`/api/calls/${callSid}/end`)).status).toBe(202);
    const record = await calling;
    expect(heardText(record).join(' ')).toContain(`confirmation code is ${paid.confirmationCode!.split('').join(' ')}`);
    const outcome = await stack.outcome(callSid);
    await recordHistoryIfAsked(stack.client, callSid, 'agent-paid');
    expect(outcome).toMatchObject({ outcome: 'paid', orderId: '80020', confirmationCode: paid.confirmationCode });
    const intents = await stack.paymentIntents(callSid);
    expect(intents.filter((i) => i.status === 'succeeded')).toHaveLength(1);
    const steps = outcome.steps!;
    expect(steps.find((s) => s.step === 'card-capture' && s.via === 'operator')).toMatchObject({ status: 'ok', operator: 'operator' });
    expect(steps.find((s) => s.step === 'with-operator')).toMatchObject({ code: 'ended-by-operator', operator: 'operator' });
    // The timeline operators read says who took the card, on which line, and how the call ended.
    const summaries = ((await api(`/api/calls/${callSid}`)).body.timeline.entries as { summary: string }[]).map((e) => e.summary);
    expect(summaries).toContain('Card captured on the live call by operator operator: visa ending 4242 (' + steps.find((s) => s.step === 'card-capture' && s.via === 'operator')!.paymentMethodId + ')');
    expect(summaries).toContain('The call was ended by operator operator');
    await expectNoCardData(record, callSid);
  });

  it('a mistyped card number is asked again; a declined card is followed by another on a new session', async () => {
    const callSid = uniqueCallSid();
    const calling = stack.call({
      callSid,
      steps: [
        { gather: '80021#' },
        { gather: '0' },
        { agentPay: { cardNumber: ['4242424242424241', '4000000000000002'], expiry: '1234', securityCode: '123' } },
        { agentPay: visa },
      ],
    });
    await onLine(callSid);
    await api(`/api/calls/${callSid}/capture`, { orderId: '80021' });
    const declined = await capture(callSid, 'declined');
    expect(declined.fields.find((f) => f.field === 'payment-card-number')).toMatchObject({ attempts: 2 });
    expect(declined.problem).toMatch(/declined/i);
    await api(`/api/calls/${callSid}/capture`, { orderId: '80021' });
    await capture(callSid, 'paid');
    await api(`/api/calls/${callSid}/end`);
    const record = await calling;
    const outcome = await stack.outcome(callSid);
    await recordHistoryIfAsked(stack.client, callSid, 'agent-mistyped-declined-then-paid');
    expect(outcome).toMatchObject({ outcome: 'paid', captureAttempts: 2 });
    const intents = await stack.paymentIntents(callSid);
    expect(intents).toHaveLength(1); // the second card confirmed the PaymentIntent the decline left
    expect(intents[0]!.status).toBe('succeeded');
    await expectNoCardData(record, callSid);
  });

  it('the caller hanging up mid-capture charges nothing, and the step log says where', async () => {
    const callSid = uniqueCallSid();
    const calling = stack.call({ callSid, steps: [{ gather: '80022#' }, { gather: '0' }, { agentPay: { cardNumber: '4242424242424242', hangup: true } }] });
    await onLine(callSid);
    await api(`/api/calls/${callSid}/capture`, { orderId: '80022' });
    await calling;
    const outcome = await stack.outcome(callSid);
    await recordHistoryIfAsked(stack.client, callSid, 'agent-hangup-mid-capture');
    expect(outcome).toMatchObject({ outcome: 'abandoned', failure: { step: 'with-operator', code: 'caller-hung-up' } });
    expect(outcome.steps!.find((s) => s.step === 'card-capture')).toMatchObject({ status: 'failed', code: 'caller-hung-up', via: 'operator' });
    expect(await stack.paymentIntents(callSid)).toEqual([]);
  });

  it('the operator cancels the capture; duplicated and reordered status callbacks change nothing', async () => {
    const callSid = uniqueCallSid();
    // Real time: the caller stays silent at the expiry for Twilio's 5 s, long enough for the operator to cancel.
    const calling = stack.call({ callSid, realtime: true, steps: [{ gather: '80023#' }, { gather: '0' }, { agentPay: { cardNumber: '4242424242424242', expiry: '', securityCode: '123' } }, { agentPay: visa }] });
    await onLine(callSid);
    await api(`/api/calls/${callSid}/capture`, { orderId: '80023' });
    await until(() => live(callSid), (s) => s?.operatorLine?.capture?.fields[0]?.state === 'entered', 'the card number entered');
    const cancel = await api(`/api/calls/${callSid}/capture/cancel`);
    expect(cancel.status, cancel.text).toBe(202);
    await capture(callSid, 'cancelled');
    // Twilio retries and reorders: the next callbacks arrive twice and two of them swapped.
    stack.twilioStandIn!.faults.duplicateNextCallback();
    stack.twilioStandIn!.faults.reorderNextTwoCallbacks();
    await api(`/api/calls/${callSid}/capture`, { orderId: '80023' });
    const paid = await capture(callSid, 'paid');
    expect(paid.fields.map((f) => f.attempts)).toEqual([1, 1, 1]);
    await api(`/api/calls/${callSid}/end`);
    await calling;
    const outcome = await stack.outcome(callSid);
    await recordHistoryIfAsked(stack.client, callSid, 'agent-cancelled-then-paid');
    expect(outcome.outcome).toBe('paid');
    expect(outcome.steps!.filter((s) => s.step === 'card-capture').map((s) => s.code ?? s.status)).toEqual(['cancelled-by-operator', 'ok']);
    expect((await stack.paymentIntents(callSid)).filter((i) => i.status === 'succeeded')).toHaveLength(1);
  });

  it('refuses commands the line cannot take, with a clear 409', async () => {
    const callSid = uniqueCallSid();
    const calling = stack.call({ callSid, steps: [{ gather: '80024#' }, { gather: '0' }, { agentPay: visa }] });
    await onLine(callSid);
    const reask = await api(`/api/calls/${callSid}/capture/reask`, { field: 'security-code' });
    expect(reask.status).toBe(409);
    expect(reask.body.error.message).toMatch(/no card capture is in progress/);
    const bad = await api(`/api/calls/${callSid}/capture`, { amount: -5, currency: 'usd', description: 'x' });
    expect(bad.status).toBe(400);
    // Below Stripe's smallest charge for the currency: refused before the caller keys a card, naming the minimum.
    const tooSmall = await api(`/api/calls/${callSid}/capture`, { amount: 10, currency: 'jpy', description: 'a sample' });
    expect(tooSmall.status).toBe(400);
    expect(tooSmall.body.error.message).toContain('¥50');
    await api(`/api/calls/${callSid}/end`);
    await calling;
    expect((await stack.outcome(callSid)).outcome).toBe('transferred');
  });
});
