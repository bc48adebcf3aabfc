/**
 * The webhooks against a real Temporal server and the real call workflow (activities
 * mocked): signatures, validation, duplicate deliveries, and a worker that is down.
 */
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallActivities } from '../../src/activities/types.js';
import { callWorkflowId, stateQuery } from '../../src/contract/call.js';
import { connectTestTemporal, uniqueCallSid, uniqueTaskQueue, workflowBundle, type TestTemporal } from '../helpers/temporal.js';
import { historyAsText } from '../helpers/card-data-scanner.js';
import { actionUrl, startTestWeb, voiceParams, type TestWeb } from '../helpers/web.js';

let temporal: TestTemporal;
let web: TestWeb;
let worker: Worker;
let workerRun: Promise<void>;
let charges = 0;
const taskQueue = uniqueTaskQueue('webhooks');

const activities: CallActivities = {
  lookupOrder: async (orderId) =>
    orderId === '73021' ? { orderId, amount: 1999, currency: 'usd', description: 'two concert tickets', status: 'unpaid' } : null,
  chargeCard: async () => {
    charges++;
    return { paymentIntentId: 'pi_test', status: 'succeeded' };
  },
  markOrderPaid: async ({ orderId, paymentIntentId }) => ({ orderId, amount: 1999, currency: 'usd', description: 'x', status: 'paid', paymentIntentId }),
  refundPayment: async () => ({ refundId: 're_x', status: 'succeeded', amount: 1999 }),
  sendReceipt: async () => ({ sent: false }),
};

async function startWorker(): Promise<void> {
  worker = await Worker.create({
    connection: temporal.nativeConnection,
    namespace: temporal.namespace,
    taskQueue,
    workflowBundle: await workflowBundle(),
    activities,
  });
  workerRun = worker.run();
}

async function stopWorker(): Promise<void> {
  worker.shutdown();
  await workerRun;
}

beforeAll(async () => {
  temporal = await connectTestTemporal();
  web = await startTestWeb({ client: temporal.client, taskQueue, deadlineMs: 2000 });
  await startWorker();
});

afterAll(async () => {
  await web?.close();
  if (worker?.getState() === 'RUNNING') await stopWorker();
  await temporal?.close();
});

describe('Twilio webhooks', () => {
  it('answers an incoming call with TwiML: greeting and a <Gather> for the order number', async () => {
    const res = await web.post('/twilio/voice', voiceParams(uniqueCallSid()));
    expect(res.status).toBe(200);
    expect(res.body).toContain('<Say language="en-US" voice="Polly.Joanna-Neural">Welcome to paycall.</Say>');
    expect(actionUrl(res.body, 'Gather')).toBe(`${web.baseUrl}/twilio/gather?turn=1`);
    expect(res.body).toContain('finishOnKey="#"');
  });

  it('refuses a missing signature with 400 and an invalid one with 403, starting nothing', async () => {
    const missing = uniqueCallSid();
    const invalid = uniqueCallSid();
    expect((await web.post('/twilio/voice', voiceParams(missing), { signature: 'none' })).status).toBe(400);
    expect((await web.post('/twilio/voice', voiceParams(invalid), { signature: 'invalid' })).status).toBe(403);
    for (const callSid of [missing, invalid]) {
      await expect(temporal.client.workflow.getHandle(callWorkflowId(callSid)).describe()).rejects.toThrow(/not found/i);
    }
  });

  it('rejects a request signed for another URL (tampered query)', async () => {
    const callSid = uniqueCallSid();
    const params = voiceParams(callSid, { Digits: '1' });
    // Sign for turn=1 but send to turn=2.
    const twilio = (await import('twilio')).default;
    const signature = twilio.getExpectedTwilioSignature('test-auth-token-0123456789abcdef', `${web.baseUrl}/twilio/gather?turn=1`, params);
    const response = await fetch(`${web.baseUrl}/twilio/gather?turn=2`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
      body: new URLSearchParams(params).toString(),
    });
    expect(response.status).toBe(403);
  });

  it('answers malformed parameters with a clear 400', async () => {
    const badSid = await web.post('/twilio/voice', voiceParams('not-a-call-sid'));
    expect(badSid.status).toBe(400);
    expect(badSid.body).toMatch(/CallSid/);
    const callSid = uniqueCallSid();
    await web.post('/twilio/voice', voiceParams(callSid));
    const badDigits = await web.post('/twilio/gather?turn=1', voiceParams(callSid, { Digits: '12ab' }));
    expect(badDigits.status).toBe(400);
    expect(badDigits.body).toMatch(/Digits/);
    const badTurn = await web.post('/twilio/gather?turn=zero', voiceParams(callSid, { Digits: '1' }));
    expect(badTurn.status).toBe(400);
    const noResult = await web.post('/twilio/pay?turn=1', voiceParams(callSid, {}));
    expect(noResult.status).toBe(400);
    expect(noResult.body).toMatch(/Result/);
  });

  it('refuses an answer of the wrong kind for its turn, leaving the call as it was', async () => {
    const callSid = uniqueCallSid();
    await web.post('/twilio/voice', voiceParams(callSid));
    const wrong = await web.post('/twilio/pay?turn=1', voiceParams(callSid, { Result: 'success', PaymentToken: 'pm_card_visa' }));
    expect(wrong.status).toBe(400);
    expect(wrong.body).toMatch(/turn 1 expects digits, got pay-result/);
    const state = await temporal.client.workflow.getHandle(callWorkflowId(callSid)).query(stateQuery);
    expect(state).toMatchObject({ turn: 1, step: 'order-entry', orderEntryAttempts: 1 });
  });

  it('masks an unmasked card number to its last four before the workflow sees it, and never echoes it', async () => {
    const callSid = uniqueCallSid();
    await web.post('/twilio/voice', voiceParams(callSid));
    await web.post('/twilio/gather?turn=1', voiceParams(callSid, { Digits: '73021' }));
    await web.post('/twilio/gather?turn=2', voiceParams(callSid, { Digits: '1' }));
    const res = await web.post('/twilio/pay?turn=3', voiceParams(callSid, { Result: 'too-many-failed-attempts', PaymentCardNumber: '4242424242424242' }));
    expect(res.status).toBe(200);
    expect(res.body).not.toContain('4242424242424242');
    const history = historyAsText(await temporal.client.workflow.getHandle(callWorkflowId(callSid)).fetchHistory());
    expect(history).not.toContain('4242424242424242');
    const state = await temporal.client.workflow.getHandle(callWorkflowId(callSid)).query(stateQuery);
    expect(state.steps.find((s) => s.step === 'card-capture')?.card).toEqual({ last4: '4242' });
  });

  it('applies a duplicate delivery once', async () => {
    const callSid = uniqueCallSid();
    await web.post('/twilio/voice', voiceParams(callSid));
    const first = await web.post('/twilio/gather?turn=1', voiceParams(callSid, { Digits: '999' }), { idempotencyToken: 'dup-1' });
    const again = await web.post('/twilio/gather?turn=1', voiceParams(callSid, { Digits: '999' }), { idempotencyToken: 'dup-1' });
    expect(again.body).toBe(first.body);
    const state = await temporal.client.workflow.getHandle(callWorkflowId(callSid)).query(stateQuery);
    expect(state.orderEntryAttempts).toBe(2); // one failed entry, now on the second
    expect(state.turn).toBe(2);
  });

  it('runs a whole paid call through the routes', async () => {
    const callSid = uniqueCallSid();
    const before = charges;
    const first = await web.post('/twilio/voice', voiceParams(callSid));
    const menu = await web.post(actionUrl(first.body, 'Gather')!, voiceParams(callSid, { Digits: '73021' }));
    expect(menu.body).toContain('19 dollars and 99 cents');
    const pay = await web.post(actionUrl(menu.body, 'Gather')!, voiceParams(callSid, { Digits: '1' }));
    expect(pay.body).toContain('<Pay');
    expect(pay.body).toContain('chargeAmount="0"');
    expect(pay.body).toContain('tokenType="payment-method"');
    expect(pay.body).toContain(`statusCallback="${web.baseUrl}/twilio/pay-status"`);
    const status = await web.post('/twilio/pay-status', { CallSid: callSid, AccountSid: voiceParams(callSid).AccountSid!, For: 'payment-card-number', Attempt: '1' });
    expect(status.status).toBe(204);
    const done = await web.post(actionUrl(pay.body, 'Pay')!, voiceParams(callSid, {
      Result: 'success', PaymentToken: 'pm_card_visa', PaymentCardNumber: 'xxxx-xxxx-xxxx-4242', PaymentCardType: 'visa', ExpirationDate: '1234', SecurityCode: 'xxx',
    }));
    expect(done.body).toMatch(/confirmation code is( \d){6}/);
    expect(done.body).toContain('<Hangup/>');
    expect((await web.post('/twilio/status', voiceParams(callSid, { CallStatus: 'completed', CallDuration: '42' }))).status).toBe(204);
    const outcome = await temporal.client.workflow.getHandle(callWorkflowId(callSid)).result();
    expect(outcome).toMatchObject({ outcome: 'paid', paymentIntentId: 'pi_test' });
    expect(charges).toBe(before + 1);
  });

  it('with the worker down, answers the call at once, holds the caller inside the deadline, and the call proceeds once it is back', async () => {
    await stopWorker();
    try {
      const callSid = uniqueCallSid();
      // The opening turn needs no workflow task: the start is recorded and the caller hears the greeting.
      const answered = await web.post('/twilio/voice', voiceParams(callSid));
      expect(answered.status).toBe(200);
      expect(answered.body).toContain('Welcome to paycall.');
      expect(actionUrl(answered.body, 'Gather')).toBe(`${web.baseUrl}/twilio/gather?turn=1`);
      // The order number needs the workflow (and a look-up): held inside the deadline.
      const held = await web.post('/twilio/gather?turn=1', voiceParams(callSid, { Digits: '73021#' }));
      expect(held.status).toBe(200);
      expect(held.ms).toBeLessThan(5000);
      expect(held.body).toContain('One moment please.');
      const continueAt = actionUrl(held.body, 'Redirect');
      expect(continueAt).toMatch(/\/twilio\/continue\?u=.+&e=.+&h=1$/);
      // Still down: held again, without repeating the message.
      const heldAgain = await web.post(continueAt!, voiceParams(callSid));
      expect(heldAgain.body).not.toContain('One moment please.');
      expect(actionUrl(heldAgain.body, 'Redirect')).toMatch(/h=2$/);
      await startWorker();
      const resumed = await web.post(actionUrl(heldAgain.body, 'Redirect')!, voiceParams(callSid));
      expect(actionUrl(resumed.body, 'Gather')).toBe(`${web.baseUrl}/twilio/gather?turn=2`);
    } finally {
      if (worker.getState() !== 'RUNNING') await startWorker();
    }
  });

  it('a gather for a call that has ended just hangs up', async () => {
    const res = await web.post('/twilio/gather?turn=1', voiceParams(uniqueCallSid(), { Digits: '1' }));
    expect(res.status).toBe(200);
    expect(res.body).toContain('<Hangup/>');
  });

  it('reports health', async () => {
    const res = await fetch(`${web.baseUrl}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ok: true });
  });
});
