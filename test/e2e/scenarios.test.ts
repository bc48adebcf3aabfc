/**
 * End to end: the phone simulator calls the web server, which drives real call workflows
 * on the real Temporal dev server; the worker charges through the real stripe client
 * against the Stripe sandbox. Each scenario checks the workflow's result, what the caller
 * heard, and the sandbox's PaymentIntents.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { callWorkflowId } from '../../src/contract/call.js';
import { buildTimeline } from '../../src/operators/timeline/index.js';
import { findSecrets, heardText, loadScenario, type CallRecord } from '../../src/stand-ins/phone-simulator/index.js';
import { cardDataFindings, historyAsText, scanFolder } from '../helpers/card-data-scanner.js';
import { recordHistoryIfAsked } from './history-recorder.js';
import { startLocalStack, type LocalStack } from './local-stack.js';

let stack: LocalStack;
beforeAll(async () => {
  stack = await startLocalStack();
});
afterAll(async () => {
  await stack?.close();
});
beforeEach(() => {
  stack.sandbox.faults.reset();
});

const goodCard = { cardNumber: '4242424242424242', expiry: '1234', securityCode: '123' };
const typedSecrets = ['4242424242424242', '4000000000000002', '4000000000009995', '4242424242424241'];

/** Every call the suite placed: the last test scans all they left behind. */
const placed: string[] = [];

/** Places a call and returns everything the assertions need. */
async function call(name: string, options: Parameters<LocalStack['call']>[0]) {
  const record = await stack.call(options);
  placed.push(record.callSid);
  const outcome = await stack.outcome(record.callSid);
  const intents = await stack.paymentIntents(record.callSid);
  await recordHistoryIfAsked(stack.client, record.callSid, name);
  // Card data never reaches paycall: no typed card number in any request the simulator sent.
  expect(findSecrets(record, typedSecrets)).toEqual([]);
  // Operators read the call from the workflow's own step log, and it names the failing step.
  const timeline = buildTimeline(await stack.client.workflow.getHandle(callWorkflowId(record.callSid)).fetchHistory());
  expect(timeline.source).toBe('step-log');
  expect(timeline.entries.filter((e) => e.failing).map((e) => e.step)).toEqual(outcome.failure ? [outcome.failure.step] : []);
  return { record, outcome, intents, timeline, heard: heardText(record).join(' | '), succeeded: intents.filter((i) => i.status === 'succeeded') };
}

function endedBy(record: CallRecord): string {
  return record.ended.how;
}

describe('end to end', () => {
  it('happy path in English (USD)', async () => {
    const { record, outcome, heard, succeeded } = await call('happy-path-en', {
      steps: [{ gather: '80001#' }, { gather: '1' }, { pay: goodCard }],
    });
    expect(endedBy(record)).toBe('hangup');
    expect(outcome).toMatchObject({ outcome: 'paid', orderId: '80001', amount: 1999, currency: 'usd', captureAttempts: 1 });
    expect(heard).toContain('19 dollars and 99 cents');
    expect(heard).toContain(`confirmation code is ${outcome.confirmationCode!.split('').join(' ')}`);
    expect(succeeded).toHaveLength(1);
    expect(succeeded[0]).toMatchObject({ id: outcome.paymentIntentId, amount: 1999, currency: 'usd' });
  });

  it('happy path in Japanese (JPY)', async () => {
    const { outcome, heard, succeeded, record } = await call('happy-path-ja', {
      to: '+81501234567',
      steps: [{ gather: '85001#' }, { gather: '1' }, { pay: goodCard }],
    });
    expect(outcome).toMatchObject({ outcome: 'paid', amount: 6480, currency: 'jpy' });
    expect(heard).toContain('6,480円');
    expect(heard).toContain('確認番号');
    expect(record.transcript.filter((e) => e.verb === 'Say').every((e) => e.language === 'ja-JP')).toBe(true);
    expect(succeeded).toHaveLength(1);
    expect(succeeded[0]).toMatchObject({ amount: 6480, currency: 'jpy' });
  });

  it('a mistyped card number is corrected within one <Pay>', async () => {
    const { outcome, heard, succeeded } = await call('mistyped-card-corrected', {
      steps: [{ gather: '80002#' }, { gather: '1' }, { pay: { ...goodCard, cardNumber: ['4242424242424241', '4242424242424242'] } }],
    });
    expect(heard).toContain('That card number is not valid.');
    expect(outcome).toMatchObject({ outcome: 'paid', captureAttempts: 1 });
    expect(succeeded).toHaveLength(1);
  });

  it('an expired card is refused at entry and a valid date pays', async () => {
    const { outcome, heard, succeeded } = await call('expired-card', {
      steps: [{ gather: '80003#' }, { gather: '1' }, { pay: { ...goodCard, expiry: ['0120', '1234'] } }],
    });
    expect(heard).toContain('That expiration date is not valid.');
    expect(outcome).toMatchObject({ outcome: 'paid', captureAttempts: 1 });
    expect(succeeded).toHaveLength(1);
  });

  it('a decline, then a good card', async () => {
    const { outcome, heard, intents, succeeded } = await call('decline-then-good-card', {
      steps: [{ gather: '80004#' }, { gather: '1' }, { pay: { ...goodCard, cardNumber: '4000000000000002' } }, { pay: goodCard }],
    });
    expect(heard).toContain('Your card was declined.');
    expect(outcome).toMatchObject({ outcome: 'paid', captureAttempts: 2 });
    // The second card re-confirms the same PaymentIntent: one PaymentIntent, succeeded.
    expect(intents).toHaveLength(1);
    expect(succeeded).toHaveLength(1);
  });

  it('insufficient funds three times ends declined, nothing charged', async () => {
    const poor = { ...goodCard, cardNumber: '4000000000009995' };
    const { outcome, heard, succeeded, record } = await call('insufficient-funds-three-times', {
      steps: [{ gather: '80005#' }, { gather: '1' }, { pay: poor }, { pay: poor }, { pay: poor }],
    });
    expect(outcome).toMatchObject({ outcome: 'declined', captureAttempts: 3, failure: { step: 'charge', code: 'insufficient_funds' } });
    expect(heard).toContain('insufficient funds');
    expect(heard).toContain('Your card has not been charged.');
    expect(endedBy(record)).toBe('hangup');
    expect(succeeded).toHaveLength(0);
  });

  it('an unknown order, three times', async () => {
    const { outcome, heard, intents } = await call('unknown-order', {
      steps: [{ gather: '11111#' }, { gather: '22222#' }, { gather: '33333#' }],
    });
    expect(outcome).toMatchObject({ outcome: 'failed', failure: { step: 'order-entry', code: 'order-not-found' } });
    expect(heard).toContain('could not find order 1 1 1 1 1');
    expect(intents).toHaveLength(0);
  });

  it('an already-paid order', async () => {
    const { outcome, heard, intents } = await call('already-paid-order', {
      steps: [{ gather: '90001#' }, { hangup: 'now' }],
    });
    expect(heard).toContain('That order has already been paid.');
    expect(outcome).toMatchObject({ outcome: 'abandoned', failure: { step: 'order-entry' } });
    expect(intents).toHaveLength(0);
  });

  it('a hang-up in the menu', async () => {
    const { outcome, record, intents } = await call('hangup-in-menu', {
      steps: [{ gather: '80006#' }, { hangup: 'now' }],
    });
    expect(endedBy(record)).toBe('caller-hangup');
    expect(outcome).toMatchObject({ outcome: 'abandoned', orderId: '80006', failure: { step: 'amount-confirmation', code: 'caller-hung-up' } });
    expect(intents).toHaveLength(0);
  });

  it('a hang-up while the charge is processing: the payment still completes', async () => {
    stack.sandbox.faults.set({ latencyMs: 2500 });
    const { outcome, record, succeeded } = await call('hangup-during-charge', {
      steps: [{ gather: '80007#' }, { gather: '1' }, { pay: goodCard }, { hangupDuring: 'pay-processing' }],
    });
    expect(record.ended).toMatchObject({ how: 'caller-hangup', during: 'pay-processing' });
    expect(outcome).toMatchObject({ outcome: 'paid', orderId: '80007' });
    expect(succeeded).toHaveLength(1);
  });

  it('* during card entry ends that <Pay>; the caller then hangs up: abandoned, nothing charged', async () => {
    const { outcome, heard, intents } = await call('star-during-entry', {
      steps: [{ gather: '80008#' }, { gather: '1' }, { pay: { cardNumber: '4242424242424242', expiry: '*' } }, { hangup: 'now' }],
    });
    expect(heard).toContain('Card entry was cancelled.');
    expect(outcome).toMatchObject({ outcome: 'abandoned', failure: { step: 'card-capture' } });
    expect(intents).toHaveLength(0);
  });

  it('the Stripe sandbox failing with 500s for a while: one charge', async () => {
    const { outcome, succeeded, intents, record } = await call('stripe-500s', {
      steps: [{ gather: '80010#' }, { gather: '1' }, { pay: goodCard }],
      beforeRequest: (request) => {
        if (request.url.includes('/twilio/pay?') && request.attempt === 1) stack.sandbox.faults.set({ failNext: 3, failStatus: 500 });
      },
    });
    expect(stack.sandbox.faults.get().failNext).toBe(0);
    expect(endedBy(record)).toBe('hangup');
    expect(outcome).toMatchObject({ outcome: 'paid' });
    expect(intents).toHaveLength(1);
    expect(succeeded).toHaveLength(1);
  });

  it('the connection dropped after the charge: one charge', async () => {
    const { outcome, succeeded, intents } = await call('connection-dropped-after-charge', {
      steps: [{ gather: '80011#' }, { gather: '1' }, { pay: goodCard }],
      beforeRequest: (request) => {
        if (request.url.includes('/twilio/pay?') && request.attempt === 1) stack.sandbox.faults.set({ dropAfterChargeNext: 1 });
      },
    });
    expect(stack.sandbox.faults.get().dropAfterChargeNext).toBe(0);
    expect(outcome).toMatchObject({ outcome: 'paid' });
    expect(intents).toHaveLength(1);
    expect(succeeded).toHaveLength(1);
  });

  it('the worker killed and restarted mid-call: the call completes, one charge', async () => {
    let worker = await stack.startWorkerProcess();
    let killed = false;
    const { outcome, succeeded, record, heard } = await call('worker-killed-mid-call', {
      steps: [{ gather: '80009#' }, { gather: '1' }, { pay: goodCard }],
      beforeRequest: async (request) => {
        if (!killed && request.url.includes('/twilio/pay?')) {
          killed = true;
          worker.kill('SIGKILL');
          await new Promise((resolve) => worker.once('exit', resolve));
          // Bring a new worker up while the caller is on hold.
          void stack.startWorkerProcess().then((next) => (worker = next));
        }
      },
    });
    expect(killed).toBe(true);
    expect(heard).toContain('One moment please.');
    expect(record.requests.some((r) => r.url.includes('/twilio/continue'))).toBe(true);
    expect(endedBy(record)).toBe('hangup');
    expect(outcome).toMatchObject({ outcome: 'paid', orderId: '80009' });
    expect(succeeded).toHaveLength(1);
    worker.kill('SIGTERM');
    await stack.startInProcessWorker();
  }, 120_000);

  it('two calls paying the same order at once: one keeps the payment, the other is refunded', async () => {
    const steps = [{ gather: '80012#' }, { gather: '1' }, { pay: goodCard }];
    const [a, b] = await Promise.all([stack.call({ steps }), stack.call({ steps })]);
    const outcomes = await Promise.all([stack.outcome(a.callSid), stack.outcome(b.callSid)]);
    const paid = outcomes.filter((o) => o.outcome === 'paid');
    const others = outcomes.filter((o) => o.outcome !== 'paid');
    expect(paid).toHaveLength(1);
    // The loser either saw the order already paid before charging, or was charged and refunded.
    for (const other of others) {
      if (other.outcome === 'compensated') {
        const refunds = await stack.stripe.refunds.list({ payment_intent: other.paymentIntentId! });
        expect(refunds.data.map((r) => r.amount)).toEqual([1999]);
      } else {
        expect(other).toMatchObject({ outcome: 'failed', failure: { code: 'order-already-paid' } });
      }
    }
  });

  it('the example scenario files in scenarios/ run against the stack', async () => {
    for (const file of ['happy-path-en', 'happy-path-ja', 'hangup-in-menu']) {
      const record = await stack.call({ scenario: await loadScenario(`scenarios/${file}.json`) });
      placed.push(record.callSid);
      expect(record.ended.how, file).not.toMatch(/error/);
    }
  });

  it('a card number keyed at the order prompt is not kept; the caller is told and then pays', async () => {
    const { outcome, heard, timeline } = await call('card-number-at-order-prompt', {
      // Not one of typedSecrets: Twilio does send what a caller keys at a <Gather>; paycall must not keep it.
      steps: [{ gather: '5555555555554444#' }, { gather: '80013#' }, { gather: '1' }, { pay: goodCard }],
    });
    expect(heard).toContain('Please do not enter a card number here');
    expect(outcome).toMatchObject({ outcome: 'paid', orderId: '80013' });
    expect(timeline.entries.find((e) => e.step === 'order-entry')).toMatchObject({ status: 'failed', summary: 'card-like number entered at order entry (redacted)' });
  });

  it('leaves no card data anywhere: in any call history, the data dir (sandbox state, paid orders) or the logs', async () => {
    expect(placed.length).toBeGreaterThan(10);
    const findings = [];
    for (const callSid of placed) {
      findings.push(...cardDataFindings(historyAsText(await stack.client.workflow.getHandle(callWorkflowId(callSid)).fetchHistory()), callSid));
    }
    findings.push(...scanFolder(stack.dataDir));
    findings.push(...cardDataFindings(stack.logs.join('\n'), 'logs'));
    expect(stack.logs.length).toBeGreaterThan(0);
    expect(findings.map((f) => `${f.kind} ${f.value} in ${f.where} after ${f.context ?? ''}`)).toEqual([]);
  });
});
