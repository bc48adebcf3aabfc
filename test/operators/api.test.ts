/**
 * The operator API on the real dev server: calls played through the Update protocol with
 * the real Stripe activities against the local sandbox, then found, read and refunded
 * over HTTP exactly as the console does.
 */
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callWorkflowId } from '../../src/contract/call.js';
import { callSteps, refundStatuses, shownOutcomes, troubledOutcomes } from '../../src/contract/vocabulary.js';
import { temporalUiBaseUrl } from '../../src/operators/web/mount.js';
import { TestCall } from '../helpers/test-call.js';
import { playAbandoned, playDeclined, playPaid, scenarioSid, visa, type Played } from './support/scenarios.js';
import { eventually, operatorToken, startOperatorStack, type OperatorStack } from './support/stack.js';

let stack: OperatorStack;
let paid: Played;
let declined: Played;
let abandoned: Played;

beforeAll(async () => {
  stack = await startOperatorStack();
  const { client } = stack.temporal;
  [paid, declined, abandoned] = await Promise.all([
    playPaid(client, stack.taskQueue, stack.orders.add()),
    playDeclined(client, stack.taskQueue, stack.orders.add(4500, 'usd', 'a museum annual pass')),
    playAbandoned(client, stack.taskQueue, stack.orders.add(6480, 'jpy', 'コンサートチケット2枚')),
  ]);
});

afterAll(async () => {
  await stack?.close();
});

/** Lists calls (waits for visibility to catch up until `count` rows are there). */
async function listCalls(query: string, count = 1) {
  return eventually(
    () => stack.api(`/api/calls?${query}`),
    (r) => r.status !== 200 || r.body.calls.length >= count,
  );
}

describe('operator API: authentication', () => {
  it('answers 401 without a token, with a wrong one, and with a non-bearer scheme', async () => {
    for (const init of [{ token: null }, { token: 'wrong' }, { token: null, headers: { authorization: `Basic ${operatorToken}` } }]) {
      const r = await stack.api('/api/calls', init);
      expect(r.status).toBe(401);
      expect(r.headers.get('www-authenticate')).toContain('Bearer');
      expect(r.body.error.code).toBe('unauthorized');
    }
    const refund = await stack.api(`/api/calls/${paid.call.input.callSid}/refunds`, { method: 'POST', body: '{}', token: null });
    expect(refund.status).toBe(401);
  });

  it('accepts the operator token and says which namespace it serves', async () => {
    const r = await stack.api('/api/session');
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ namespace: stack.temporal.namespace, operator: 'operator', temporalUiUrl: 'http://localhost:8233', vocabulary: expect.any(Object), stepTitles: expect.any(Object), currencies: expect.any(Array) });
    // The console's capture form offers these and computes minor units with their exponents.
    expect(r.body.currencies).toContainEqual({ code: 'usd', exponent: 2 });
    expect(r.body.currencies).toContainEqual({ code: 'jpy', exponent: 0 });
    // The console's filters come from the contract's vocabulary, served here.
    expect(r.body.vocabulary).toEqual({ steps: [...callSteps], outcomes: [...shownOutcomes], troubledOutcomes: [...troubledOutcomes], refundStatuses: [...refundStatuses] });
    expect(r.body.vocabulary.outcomes).toContain('compensated');
    // The console names steps as the server does (no second copy of the names in the page).
    expect(r.body.stepTitles).toMatchObject({ charge: 'Charge', 'card-capture': 'Card capture', 'mark-paid': 'Mark order paid' });
    expect(r.headers.get('cache-control')).toBe('no-store');
  });

  it('is disabled (503) when no OPERATOR_TOKEN is configured', async () => {
    const { createWebApp } = await import('../../src/web/app.js');
    const { loadConfig } = await import('../../src/config/config.js');
    const { createLogger } = await import('../../src/logging/logger.js');
    const { CallGateway } = await import('../../src/calls/call-gateway.js');
    const app = createWebApp({
      gateway: new CallGateway(stack.temporal.client, { taskQueue: stack.taskQueue, deadlineMs: 1000 }),
      config: loadConfig({}),
      authToken: 'x',
      receiptsEnabled: false,
      logger: createLogger('t', 'silent'),
      operators: { client: stack.temporal.client, namespace: stack.temporal.namespace, taskQueue: stack.taskQueue, token: undefined },
    });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      const port = (server.address() as { port: number }).port;
      const r = await fetch(`http://127.0.0.1:${port}/api/calls`, { headers: { authorization: 'Bearer anything' } });
      expect(r.status).toBe(503);
      expect(((await r.json()) as { error: { message: string } }).error.message).toContain('OPERATOR_TOKEN');
    } finally {
      server.close();
    }
  });
});

describe('operator API: finding calls', () => {
  it('finds a call by order number, with its outcome and one-line verdict', async () => {
    const r = await listCalls(`order=${paid.outcome.orderId}`);
    expect(r.status).toBe(200);
    expect(r.body.query).toBe(`WorkflowType = 'callWorkflow' AND PaycallOrderId = '${paid.outcome.orderId}'`);
    expect(r.body.calls).toHaveLength(1);
    expect(r.body.calls[0]).toMatchObject({
      workflowId: callWorkflowId(paid.call.input.callSid),
      callSid: paid.call.input.callSid,
      status: 'completed',
      stage: 'done',
      outcome: 'paid',
      orderId: paid.outcome.orderId,
      amount: 1999,
      currency: 'usd',
      amountText: '$19.99',
      paymentIntentId: paid.outcome.paymentIntentId,
    });
    expect(r.body.calls[0].whereFailed).toMatch(/^Paid \$19\.99 .*nothing failed\.$/);
    expect(r.body.calls[0].temporalUiUrl).toBe(
      `http://localhost:8233/namespaces/${stack.temporal.namespace}/workflows/${r.body.calls[0].workflowId}/${r.body.calls[0].runId}/history`,
    );
  });

  it('filters by outcome and failing step (declined at charge), and the filters combine', async () => {
    const order = declined.outcome.orderId!;
    const byOutcome = await listCalls(`outcome=declined&order=${order}`);
    expect(byOutcome.body.calls).toHaveLength(1);
    expect(byOutcome.body.calls[0]).toMatchObject({ outcome: 'declined', failureStep: 'charge', failureCode: 'insufficient_funds', amountText: '$45.00' });
    expect(byOutcome.body.calls[0].whereFailed).toContain('Declined at charge (attempt 3)');
    expect(byOutcome.body.calls[0].whereFailed).toContain('insufficient_funds');

    const byStep = await listCalls(`failedAt=charge&order=${order}`);
    expect(byStep.body.calls.map((c: { callSid: string }) => c.callSid)).toEqual([declined.call.input.callSid]);
    expect((await stack.api(`/api/calls?outcome=paid&order=${order}`)).body.calls).toEqual([]);
    expect((await stack.api(`/api/calls?failedAt=card-capture&order=${order}`)).body.calls).toEqual([]);

    const abandonedCall = await listCalls(`outcome=abandoned&failedAt=card-capture&order=${abandoned.outcome.orderId}`);
    expect(abandonedCall.body.calls[0]).toMatchObject({ outcome: 'abandoned', amountText: '¥6,480' });
  });

  it('filters by start time (--since) and pages with nextPageToken', async () => {
    const order = stack.orders.add();
    const sids = [];
    for (let i = 0; i < 3; i++) sids.push((await playAbandoned(stack.temporal.client, stack.taskQueue, order)).call.input.callSid);

    const first = await listCalls(`order=${order.orderId}&since=10m&pageSize=2`, 2);
    expect(first.body.calls).toHaveLength(2);
    expect(first.body.query).toMatch(/StartTime >= '\d{4}-\d\d-\d\dT/);
    expect(first.body.nextPageToken).toEqual(expect.any(String));
    const second = await stack.api(`/api/calls?order=${order.orderId}&since=10m&pageSize=2&pageToken=${encodeURIComponent(first.body.nextPageToken)}`);
    expect(second.body.calls).toHaveLength(1);
    expect(second.body.nextPageToken).toBeUndefined();
    const seen = [...first.body.calls, ...second.body.calls].map((c: { callSid: string }) => c.callSid);
    expect(seen.sort()).toEqual([...sids].sort());
    // Newest first.
    expect(first.body.calls[0].callSid).toBe(sids[2]);

    const future = new Date(Date.now() + 3_600_000).toISOString();
    expect((await stack.api(`/api/calls?order=${order.orderId}&since=${encodeURIComponent(future)}`)).body.calls).toEqual([]);
  });

  it('rejects bad filters with 400 and a clear message', async () => {
    const cases: [string, RegExp][] = [
      ['outcome=bogus', /outcome/],
      ['failedAt=somewhere', /failedAt/],
      ['since=yesterday', /not a duration like 30m/],
      ["order=73021' OR 1=1", /order: must be the order number/],
      ['pageSize=1000', /pageSize/],
      ['color=red', /Unrecognized key/i],
      ['outcome=paid&outcome=declined', /Give outcome once/],
    ];
    for (const [query, message] of cases) {
      const r = await stack.api(`/api/calls?${query}`);
      expect(r.status, query).toBe(400);
      expect(r.body.error.code).toBe('invalid-request');
      expect(r.body.error.message).toMatch(message);
    }
  });
});

describe('operator API: one call', () => {
  it('shows a declined call: timeline with the failing charge highlighted and the decline code', async () => {
    const r = await stack.api(`/api/calls/${declined.call.input.callSid}`);
    expect(r.status).toBe(200);
    const detail = r.body;
    expect(detail).toMatchObject({ outcome: 'declined', failureStep: 'charge', captureAttempts: 3, state: null, pendingActivities: [] });
    expect(detail.stateUnavailable).toContain('ended');
    expect(detail.refundable).toBeUndefined();
    const steps = detail.timeline.entries.map((e: { step: string; attempt?: number; status: string }) => `${e.step}${e.attempt ? `#${e.attempt}` : ''}:${e.status}`);
    expect(steps).toEqual([
      'call:info',
      'order-entry#1:failed',
      'order-entry#2:ok',
      'amount-confirmation#1:ok',
      'card-capture#1:ok',
      'charge#1:failed',
      'card-capture#2:failed',
      'card-capture#3:ok',
      'charge#3:failed',
      'outcome:failed',
    ]);
    const failing = detail.timeline.entries.filter((e: { failing?: boolean }) => e.failing);
    expect(failing).toHaveLength(1);
    expect(failing[0]).toMatchObject({
      step: 'charge',
      attempt: 3,
      error: { type: 'CardDeclined', code: 'card_declined', declineCode: 'insufficient_funds', message: 'Your card has insufficient funds.' },
      paymentIntentId: declined.outcome.paymentIntentId,
      idempotencyKey: `call-${declined.call.input.callSid}/charge/3`,
      card: { brand: 'visa', last4: '9995' },
    });
    expect(detail.timeline.failingEntryId).toBe(failing[0].id);
  });

  it('takes a CallSid or a workflow id, and answers 404 for an unknown call and 400 for a bad id', async () => {
    const byId = await stack.api(`/api/calls/${callWorkflowId(paid.call.input.callSid)}`);
    expect(byId.status).toBe(200);
    expect(byId.body.callSid).toBe(paid.call.input.callSid);
    const missing = await stack.api(`/api/calls/${scenarioSid()}`);
    expect(missing.status).toBe(404);
    expect(missing.body.error.message).toMatch(/^No call CA/);
    expect((await stack.api('/api/calls/bad%20id')).status).toBe(400);
  });

  it('never shows phone numbers or card numbers', async () => {
    const r = await stack.api(`/api/calls/${paid.call.input.callSid}`);
    expect(r.text).toContain('4242'); // last four, as Twilio masks them
    expect(r.text).not.toContain('5005550006'); // the receipt number in the workflow input
    expect(r.text).not.toMatch(/\d{12,}/);
    expect(r.text).not.toContain('xxxx-xxxx');
    const entries = r.body.timeline.entries.map((e: { title: string }) => e.title);
    expect(entries).toContain('Receipt');
  });

  it('shows a running call with its live state from the state query', async () => {
    const order = stack.orders.add();
    const call = new TestCall(stack.temporal.client, stack.taskQueue, { callSid: scenarioSid(), locale: 'en-US' });
    await call.start();
    await call.press(`${order.orderId}#`);
    await call.press('1');
    const r = await stack.api(`/api/calls/${call.input.callSid}`);
    expect(r.body).toMatchObject({ status: 'running', stage: 'card-capture', orderId: order.orderId, amountText: '$19.99' });
    expect(r.body.state).toMatchObject({ step: 'card-capture', captureAttempts: 1, orderEntryAttempts: 1, hungUp: false });
    expect(r.body.whereFailed).toBe('In progress: card capture; no problems so far.');
    expect(r.body.timeline.entries.at(-1)).toMatchObject({ step: 'card-capture', status: 'running' });
    const refund = await stack.api(`/api/calls/${call.input.callSid}/refunds`, { method: 'POST', body: '{"full":true}' });
    expect(refund.status).toBe(409);
    expect(refund.body.error.code).toBe('call-in-progress');
    await call.pay(visa);
    await call.outcome();
  });
});

describe('operator API: refunds', () => {
  it('refunds part, then the rest; a repeated request attaches instead of refunding again; over-refunds are refused', async () => {
    const order = stack.orders.add();
    const { call, outcome } = await playPaid(stack.temporal.client, stack.taskQueue, order);
    const sid = call.input.callSid;
    const pi = outcome.paymentIntentId!;
    const post = (body: unknown) => stack.api(`/api/calls/${sid}/refunds`, { method: 'POST', body: JSON.stringify(body) });

    const part = await post({ amount: 500, requestId: 'req-part-1' });
    expect(part.status).toBe(200);
    expect(part.body).toMatchObject({ attached: false, callWorkflowId: callWorkflowId(sid), refund: { status: 'refunded', amount: 500, amountText: '$5.00', workflowId: `refund-${pi}-req-part-1` } });
    const again = await post({ amount: 500, requestId: 'req-part-1' });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ attached: true, refund: { refundId: part.body.refund.refundId } });

    // Visibility has to show the first refund before the remaining amount is right.
    await eventually(() => stack.api(`/api/calls/${sid}`), (r) => r.body.refunds?.length === 1);
    const tooMuch = await post({ amount: 1500 });
    expect(tooMuch.status).toBe(422);
    expect(tooMuch.body.error).toEqual({
      code: 'amount-too-large',
      message: 'A refund of $15.00 is more than the $14.99 left to refund (paid $19.99, already refunded $5.00).',
    });

    const rest = await post({ full: true });
    expect(rest.status).toBe(200);
    expect(rest.body.refund).toMatchObject({ status: 'refunded', amount: 1499, workflowId: `refund-${pi}-full` });
    expect((await post({ full: true })).body).toMatchObject({ attached: true, refund: { refundId: rest.body.refund.refundId } });

    const refunds = await stack.sandbox.stripe().refunds.list({ payment_intent: pi });
    expect(refunds.data.map((r) => r.amount).sort()).toEqual([1499, 500]);

    const detail = await eventually(() => stack.api(`/api/calls/${sid}`), (r) => r.body.refunds?.length === 2);
    expect(detail.body).toMatchObject({ outcome: 'refunded', callOutcome: 'paid', refundedAmount: 1999, refundedText: '$19.99' });
    expect(detail.body.refundable).toBeUndefined();
    expect(detail.body.whereFailed).toContain('Then refunded $19.99 in full by an operator');
    expect(detail.body.timeline.entries.filter((e: { title: string }) => e.title === 'Refund (Stripe)')).toHaveLength(2);

    const nothingLeft = await post({ full: true, requestId: 'req-another' });
    expect(nothingLeft.status).toBe(422);
    expect(nothingLeft.body.error).toEqual({ code: 'already-refunded', message: 'Nothing left to refund: $19.99 of $19.99 has already been refunded.' });

    // The call is found as refunded (through its refund workflows) and no longer as paid.
    const asRefunded = await listCalls(`outcome=refunded&order=${order.orderId}`);
    expect(asRefunded.body.query).toContain("WorkflowType = 'refundWorkflow' AND (PaycallRefundStatus = 'refunded'");
    expect(asRefunded.body.calls).toHaveLength(1);
    expect(asRefunded.body.calls[0]).toMatchObject({ callSid: sid, outcome: 'refunded', callOutcome: 'paid', refundedText: '$19.99' });
    expect((await stack.api(`/api/calls?outcome=paid&order=${order.orderId}`)).body.calls).toEqual([]);
  });

  it('a double click (two identical requests at once) refunds exactly once', async () => {
    const { call, outcome } = await playPaid(stack.temporal.client, stack.taskQueue, stack.orders.add());
    const post = () => stack.api(`/api/calls/${call.input.callSid}/refunds`, { method: 'POST', body: JSON.stringify({ full: true, requestId: 'double-click-1' }) });
    const [a, b] = await Promise.all([post(), post()]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(a.body.refund.refundId).toBe(b.body.refund.refundId);
    const refunds = await stack.sandbox.stripe().refunds.list({ payment_intent: outcome.paymentIntentId! });
    expect(refunds.data).toHaveLength(1);
    expect(refunds.data[0]!.amount).toBe(1999);
  });

  it("surfaces Stripe's refusal clearly (money already refunded outside paycall)", async () => {
    const { call, outcome } = await playPaid(stack.temporal.client, stack.taskQueue, stack.orders.add());
    await stack.sandbox.stripe().refunds.create({ payment_intent: outcome.paymentIntentId!, amount: 500 });
    const r = await stack.api(`/api/calls/${call.input.callSid}/refunds`, { method: 'POST', body: JSON.stringify({ amount: 1999 }) });
    expect(r.status).toBe(422);
    expect(r.body.error.code).toBe('refund-refused');
    expect(r.body.error.message).toBe('Stripe refused the refund: Refund amount ($19.99) is greater than unrefunded amount on charge ($14.99) (amount_too_large)');
    expect(r.body.refund).toMatchObject({ status: 'refused', code: 'amount_too_large' });

    const detail = await eventually(() => stack.api(`/api/calls/${call.input.callSid}`), (d) => d.body.refunds?.length === 1);
    expect(detail.body.outcome).toBe('paid');
    expect(detail.body.refunds[0]).toMatchObject({ status: 'refused', code: 'amount_too_large' });
    expect(detail.body.whereFailed).toContain('A refund was refused: amount_too_large');
    const refused = await listCalls(`outcome=refund-refused&order=${outcome.orderId}`);
    expect(refused.body.calls[0]).toMatchObject({ callSid: call.input.callSid });
  });

  it('refuses calls that charged nothing, and validates the body', async () => {
    const declinedRefund = await stack.api(`/api/calls/${declined.call.input.callSid}/refunds`, { method: 'POST', body: '{"full":true}' });
    expect(declinedRefund.status).toBe(409);
    expect(declinedRefund.body.error).toEqual({ code: 'not-refundable', message: 'This call cannot be refunded: its outcome is declined, so nothing was charged.' });
    const sid = paid.call.input.callSid;
    for (const body of ['{"amount":-5}', '{"amount":1.5}', '{"amount":"500"}', '{"full":true,"requestId":"no spaces allowed"}', '{"full":true,"other":1}', 'not json', '{"full":false}']) {
      const r = await stack.api(`/api/calls/${sid}/refunds`, { method: 'POST', body });
      expect(r.status, body).toBe(400);
      expect(r.body.error.code).toBe('invalid-request');
    }
  });
});

describe('operator API: a refund must say what it refunds', () => {
  const gzipOf = (text: string) => gzipSync(Buffer.from(text));
  it('refuses bodies that are not JSON, bodies that do not name an amount or full, and malformed bodies; nothing reaches Temporal or Stripe', async () => {
    const sid = paid.call.input.callSid;
    const pi = paid.outcome.paymentIntentId!;
    const post = (body: string | Uint8Array, headers: Record<string, string>) => stack.api(`/api/calls/${sid}/refunds`, { method: 'POST', body, headers });
    const cases: { name: string; body: string | Uint8Array; headers: Record<string, string>; status: number; code: string }[] = [
      { name: 'a form post (curl -d)', body: 'amount=100', headers: { 'content-type': 'application/x-www-form-urlencoded' }, status: 415, code: 'unsupported-media-type' },
      { name: 'plain text', body: '{"amount":100}', headers: { 'content-type': 'text/plain' }, status: 415, code: 'unsupported-media-type' },
      { name: 'an empty JSON object', body: '{}', headers: { 'content-type': 'application/json' }, status: 400, code: 'invalid-request' },
      { name: 'only a reason', body: '{"reason":"duplicate"}', headers: { 'content-type': 'application/json' }, status: 400, code: 'invalid-request' },
      { name: 'both an amount and full', body: '{"amount":100,"full":true}', headers: { 'content-type': 'application/json' }, status: 400, code: 'invalid-request' },
      { name: 'over 4 kB', body: JSON.stringify({ full: true, padding: 'x'.repeat(5000) }), headers: { 'content-type': 'application/json' }, status: 413, code: 'payload-too-large' },
      { name: 'an unknown Content-Encoding', body: '{"full":true}', headers: { 'content-type': 'application/json', 'content-encoding': 'zstd-bogus' }, status: 415, code: 'unsupported-media-type' },
      { name: 'bad gzip', body: 'not gzip at all', headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, status: 400, code: 'invalid-request' },
    ];
    for (const c of cases) {
      const r = await post(c.body, c.headers);
      expect(r.status, c.name).toBe(c.status);
      expect(r.body.error.code, c.name).toBe(c.code);
      expect(r.headers.get('x-content-type-options'), c.name).toBe('nosniff');
      expect(r.text, c.name).not.toMatch(/\bat \w+ \(|node_modules/); // no stack trace
    }
    // A well-formed gzip body is still accepted as JSON (and refused here only for what it asks).
    const gz = await post(gzipOf('{"amount":0}'), { 'content-type': 'application/json', 'content-encoding': 'gzip' });
    expect(gz.status).toBe(400);
    // Nothing of the above started a refund.
    expect((await stack.sandbox.stripe().refunds.list({ payment_intent: pi })).data).toEqual([]);
    const refundWorkflows = await stack.temporal.client.workflow.count(`WorkflowType = 'refundWorkflow' AND PaycallOrderId = '${paid.outcome.orderId}'`);
    expect(refundWorkflows.count).toBe(0);
  });
});

describe('Temporal Web UI link', () => {
  it('points at the embedded dev server, a configured server, or Temporal Cloud', () => {
    expect(temporalUiBaseUrl({ TEMPORAL_UI_PORT: 8233 })).toBe('http://127.0.0.1:8233');
    expect(temporalUiBaseUrl({ TEMPORAL_ADDRESS: 'temporal.internal:7233', TEMPORAL_UI_PORT: 8080 })).toBe('http://temporal.internal:8080');
    expect(temporalUiBaseUrl({ TEMPORAL_ADDRESS: 'payments.a1b2c.tmprl.cloud:7233', TEMPORAL_UI_PORT: 8233 })).toBe('https://cloud.temporal.io');
  });
});
