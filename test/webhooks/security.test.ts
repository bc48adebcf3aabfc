/**
 * What a security review found in the webhooks, each proved closed against the real call
 * workflow on the run's Temporal server (activities mocked): a card number keyed at the
 * wrong prompt never enters history, TwiML or the Update id; a replayed first webhook of an
 * ended call starts nothing; absolute-form request lines and malformed bodies get a 4xx
 * without a stack trace and are logged once, without the body; late events on a finishing
 * call get a clean goodbye; Twilio's formats are accepted as they vary.
 */
import { Worker } from '@temporalio/worker';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallActivities } from '../../src/activities/types.js';
import { callWorkflowId, stateQuery, type CallOutcome } from '../../src/contract/call.js';
import { connectTestTemporal, uniqueCallSid, uniqueTaskQueue, workflowBundle, type TestTemporal } from '../helpers/temporal.js';
import { cardDataFindings, historyAsText } from '../helpers/card-data-scanner.js';
import { startTestWeb, voiceParams, type TestWeb } from '../helpers/web.js';

let temporal: TestTemporal;
let web: TestWeb;
let worker: Worker;
let workerRun: Promise<void>;
const lookups: string[] = [];
const taskQueue = uniqueTaskQueue('security');

const activities: CallActivities = {
  lookupOrder: async (orderId) => {
    lookups.push(orderId);
    return orderId === '73021' ? { orderId, amount: 1999, currency: 'usd', description: 'two concert tickets', status: 'unpaid' } : null;
  },
  chargeCard: async () => ({ paymentIntentId: 'pi_test', status: 'succeeded' }),
  markOrderPaid: async ({ orderId, paymentIntentId }) => ({ orderId, amount: 1999, currency: 'usd', description: 'x', status: 'paid', paymentIntentId }),
  refundPayment: async () => ({ refundId: 're_x', status: 'succeeded', amount: 1999 }),
  sendReceipt: async () => ({ sent: false }),
};

beforeAll(async () => {
  temporal = await connectTestTemporal();
  web = await startTestWeb({ client: temporal.client, taskQueue, deadlineMs: 3000, captureLogs: true, operatorToken });
  worker = await Worker.create({ connection: temporal.nativeConnection, namespace: temporal.namespace, taskQueue, workflowBundle: await workflowBundle(), activities });
  workerRun = worker.run();
});

afterAll(async () => {
  await web?.close();
  worker?.shutdown();
  await workerRun;
  await temporal?.close();
});

const typedCard = '4111111111111111';
const operatorToken = 'security-operator-token';

/** The call's history with every payload decoded, so the checks see what the payloads hold. */
async function historyText(callSid: string): Promise<string> {
  return historyAsText(await temporal.client.workflow.getHandle(callWorkflowId(callSid)).fetchHistory());
}

describe('a card number keyed at the wrong prompt', () => {
  it('at the order prompt: withheld before the workflow, the caller is told, the timeline says so; nothing keeps it', async () => {
    const callSid = uniqueCallSid();
    await web.post('/twilio/voice', voiceParams(callSid));
    const lookupsBefore = lookups.length;
    const answer = await web.post('/twilio/gather?turn=1', voiceParams(callSid, { Digits: `${typedCard}#` }));
    expect(answer.status).toBe(200);
    expect(answer.body).toContain('Please do not enter a card number here');
    expect(answer.body).not.toMatch(/4 1 1 1|4111/);
    // No look-up ran with it.
    expect(lookups.length).toBe(lookupsBefore);
    const state = await temporal.client.workflow.getHandle(callWorkflowId(callSid)).query(stateQuery);
    expect(state.steps[0]).toMatchObject({ step: 'order-entry', status: 'failed', code: 'card-like-number', message: 'card-like number entered at order entry (redacted)' });
    expect(state.steps[0]!.input).toBeUndefined();
    // Spaced and separated the same: still withheld.
    const spaced = await web.post('/twilio/gather?turn=2', voiceParams(callSid, { Digits: '4111*1111*1111*1111#' }));
    expect(spaced.body).toContain('Please do not enter a card number here');
    expect(cardDataFindings(await historyText(callSid))).toEqual([]);
    expect(await historyText(callSid)).not.toContain(typedCard);
    expect(cardDataFindings(web.logs().join('\n'))).toEqual([]);
    // The operator API (what the console and CLI show) says what happened, without the number.
    const detail = await fetch(`${web.baseUrl}/api/calls/${callSid}`, { headers: { authorization: `Bearer ${operatorToken}` } });
    const text = await detail.text();
    expect(detail.status).toBe(200);
    expect(text).not.toContain(typedCard);
    expect(cardDataFindings(text)).toEqual([]);
    const entries = (JSON.parse(text) as { timeline: { entries: { step: string; summary: string }[] } }).timeline.entries;
    expect(entries.filter((e) => e.step === 'order-entry').map((e) => e.summary)).toContain('card-like number entered at order entry (redacted)');
  });

  it('at the one-digit menu: withheld, and more than one digit is refused as a choice', async () => {
    const callSid = uniqueCallSid();
    await web.post('/twilio/voice', voiceParams(callSid));
    await web.post('/twilio/gather?turn=1', voiceParams(callSid, { Digits: '73021' }));
    const card = await web.post('/twilio/gather?turn=2', voiceParams(callSid, { Digits: typedCard }));
    expect(card.body).toContain('Please do not enter a card number here');
    const many = await web.post('/twilio/gather?turn=3', voiceParams(callSid, { Digits: '12' }));
    expect(many.body).toContain('not one of the options');
    const state = await temporal.client.workflow.getHandle(callWorkflowId(callSid)).query(stateQuery);
    expect(state.steps.filter((s) => s.step === 'amount-confirmation').map((s) => s.code)).toEqual(['card-like-number', 'invalid-choice', undefined]);
    expect(await historyText(callSid)).not.toContain(typedCard);
  });

  it('an order number longer than ORDER_NUMBER_MAX_LENGTH is not kept either', async () => {
    const callSid = uniqueCallSid();
    await web.post('/twilio/voice', voiceParams(callSid));
    const long = '1234567890123'; // 13 digits, not Luhn-valid: not a card, just too long
    const answer = await web.post('/twilio/gather?turn=1', voiceParams(callSid, { Digits: long }));
    expect(answer.body).toContain('too long to be an order number');
    expect(await historyText(callSid)).not.toContain(long);
  });

  it('in a <Pay> error text: redacted before it is kept', async () => {
    const callSid = uniqueCallSid();
    await web.post('/twilio/voice', voiceParams(callSid));
    await web.post('/twilio/gather?turn=1', voiceParams(callSid, { Digits: '73021' }));
    await web.post('/twilio/gather?turn=2', voiceParams(callSid, { Digits: '1' }));
    await web.post('/twilio/pay?turn=3', voiceParams(callSid, { Result: 'payment-connector-error', PaymentError: `card ${typedCard} declined`, ConnectorError: `no such card ${typedCard}` }));
    const state = await temporal.client.workflow.getHandle(callWorkflowId(callSid)).query(stateQuery);
    expect(state.steps.find((s) => s.step === 'card-capture')?.message).toBe('card [card number removed] declined');
    expect(await historyText(callSid)).not.toContain(typedCard);
  });
});

describe('replaying an ended call', () => {
  it("the original first webhook sent again with a new idempotency token gets a goodbye and starts no second run", async () => {
    const callSid = uniqueCallSid();
    await web.post('/twilio/voice', voiceParams(callSid), { idempotencyToken: 'first' });
    await web.post('/twilio/status', voiceParams(callSid, { CallStatus: 'completed' }));
    const handle = temporal.client.workflow.getHandle(callWorkflowId(callSid));
    const ended = (await handle.result()) as CallOutcome;
    expect(ended.outcome).toBe('abandoned');
    const firstRun = (await handle.describe()).runId;
    const replay = await web.post('/twilio/voice', voiceParams(callSid), { idempotencyToken: 'forged-new-token' });
    expect(replay.status).toBe(200);
    expect(replay.body).toMatch(/<Say[^>]*>Goodbye\.<\/Say><Hangup\/>/);
    const runs = await temporal.client.workflow.count(`WorkflowId = '${callWorkflowId(callSid)}'`);
    expect(runs.count).toBe(1);
    expect((await handle.describe()).runId).toBe(firstRun);
  });
});

describe('malformed requests', () => {
  /** A raw HTTP request, for request lines fetch() will not send. */
  function raw(request: string): Promise<string> {
    const { port } = new URL(web.baseUrl);
    return new Promise((resolve, reject) => {
      const socket = net.connect(Number(port), '127.0.0.1', () => socket.end(request));
      let data = '';
      socket.on('data', (chunk) => (data += chunk.toString()));
      socket.on('end', () => resolve(data));
      socket.on('error', reject);
    });
  }

  it('an absolute-form request line gets 400, never a 500 or a stack trace', async () => {
    const body = 'CallSid=CA00000000000000000000000000000000';
    const response = await raw(`POST http://evil.example/twilio/voice HTTP/1.1\r\nHost: evil.example\r\nX-Twilio-Signature: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`);
    expect(response).toMatch(/^HTTP\/1\.1 400 /);
    expect(response).not.toMatch(/TypeError|at \w+ \(|node_modules/);
  });

  it('a body the parser refuses gets a 4xx; the error is logged once per kind, without the body, and rate-limited', async () => {
    const secret = `Digits=${typedCard}&`.repeat(2000); // over the 32 kB limit
    web.clearLogs();
    const answers = await Promise.all(
      Array.from({ length: 30 }, () =>
        fetch(`${web.baseUrl}/twilio/gather?turn=1`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': 'x' }, body: secret }),
      ),
    );
    for (const a of answers) {
      expect(a.status).toBe(413);
      expect(await a.text()).not.toMatch(/at \w+ \(|node_modules|4111/);
    }
    const lines = web.logs();
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.length).toBeLessThanOrEqual(10);
    for (const line of lines) {
      expect(() => JSON.parse(line)).not.toThrow();
      expect(line).not.toContain(typedCard);
      expect(line).not.toContain('Digits=');
    }
    expect(JSON.parse(lines[0]!)).toMatchObject({ kind: 'client-error', status: 413, path: '/twilio/gather' });
  });

  it('a static file request that fails gets a 4xx without a stack trace', async () => {
    const response = await fetch(`${web.baseUrl}/operator/%E0%A4%A`);
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
    expect(await response.text()).not.toMatch(/at \w+ \(|node_modules|URIError/);
  });
});

describe("tolerant with what Twilio may send", () => {
  it('an unknown <Pay> Result is a failed capture with its raw value kept; an odd expiry is kept as sent; a long SIP address is accepted', async () => {
    const callSid = uniqueCallSid();
    const sip = `sip:${'caller'.repeat(30)}@pbx.example.com;transport=tls`;
    expect((await web.post('/twilio/voice', voiceParams(callSid, { From: sip, CallStatus: 'ringing' }))).status).toBe(200);
    await web.post('/twilio/gather?turn=1', voiceParams(callSid, { Digits: '73021', From: sip }));
    await web.post('/twilio/gather?turn=2', voiceParams(callSid, { Digits: '1', From: sip }));
    const pay = await web.post('/twilio/pay?turn=3', voiceParams(callSid, { Result: 'some-new-result', ExpirationDate: '12/34', PaymentCardNumber: 'xxxx-xxxxxx-x4242', From: sip }));
    expect(pay.status).toBe(200);
    expect(pay.body).toContain('<Pay');
    const state = await temporal.client.workflow.getHandle(callWorkflowId(callSid)).query(stateQuery);
    expect(state.steps.find((s) => s.step === 'card-capture')).toMatchObject({ status: 'failed', code: 'unrecognized-result', card: { last4: '4242', expiry: '12/34' } });
    expect(await historyText(callSid)).toContain('some-new-result');
  });
});

describe('late events on a call that is finishing', () => {
  it('concurrent events as the call completes always get a clean goodbye or hang-up, never "technical difficulty"', async () => {
    const bodies: string[] = [];
    for (let i = 0; i < Number(process.env.LATE_EVENT_CALLS ?? 12); i++) {
      const callSid = uniqueCallSid();
      await web.post('/twilio/voice', voiceParams(callSid));
      await web.post('/twilio/gather?turn=1', voiceParams(callSid, { Digits: '1' }));
      await web.post('/twilio/gather?turn=2', voiceParams(callSid, { Digits: '2' }));
      // The third unknown order ends the call; stale, duplicate and status events race it.
      const racing = await Promise.all([
        web.post('/twilio/gather?turn=3', voiceParams(callSid, { Digits: '3' })),
        ...Array.from({ length: 6 }, (_, k) => web.post(`/twilio/gather?turn=${1 + (k % 4)}`, voiceParams(callSid, { Digits: String(k) }), { idempotencyToken: `late-${k}` })),
        web.post('/twilio/status', voiceParams(callSid, { CallStatus: 'completed' })),
      ]);
      for (const r of racing) {
        expect([200, 204]).toContain(r.status);
        bodies.push(r.body);
      }
    }
    expect(bodies.filter((b) => /technical difficult/i.test(b))).toEqual([]);
  }, 120_000);
});
