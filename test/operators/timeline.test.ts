/**
 * The timeline module on recorded histories: the committed fixtures in histories/ (loaded
 * from JSON files with historyFromJSON, as `npm run inspect -- --history` does) and the same
 * scenarios recorded live in this run, plus running and terminated calls.
 */
import { readFileSync } from 'node:fs';
import type { History } from '@temporalio/common/lib/proto-utils.js';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callWorkflowId } from '../../src/contract/call.js';
import { randomBytes } from 'node:crypto';
import { formatMoney } from '../../src/money/format.js';
import { buildTimeline, decodeHistoryPayloads, mergeRefunds, type Timeline } from '../../src/operators/timeline/index.js';
import { maskPhone, scrubText } from '../../src/privacy/redact.js';
import { EncryptionCodec } from '../../src/temporal/encryption-codec.js';
import { TestCall } from '../helpers/test-call.js';
import { recordScenarios, recordedScenarios, type RecordedScenario } from './support/record.js';
import { genericDecline, scenarioSid, visa } from './support/scenarios.js';
import { startOperatorStack, type OperatorStack } from './support/stack.js';

/** The fixture sets: recorded before the step log (legacy reader), after it, and lean calls (local activities, fewer upserts). */
const legacySet = '2026-11-27';
const stepLogSet = '2026-12-01';
const leanSet = '2026-12-02';

function fixture(name: RecordedScenario, set = legacySet): History {
  return historyFromJSON(JSON.parse(readFileSync(new URL(`./histories/${set}/${name}.json`, import.meta.url), 'utf8')));
}

const shape = (t: Timeline) => t.entries.map((e) => `${e.step}${e.attempt ? `#${e.attempt}` : ''}:${e.status}${e.failing ? '!' : ''}`);

/** What every recording of each scenario must read as, whichever run produced it. */
const expectations: Record<Exclude<RecordedScenario, 'operator-refund'>, (t: Timeline) => void> = {
  paid(t) {
    expect(t).toMatchObject({ workflowType: 'callWorkflow', status: 'completed', effectiveOutcome: 'paid', amount: 1999, currency: 'usd' });
    expect(shape(t)).toEqual([
      'call:info',
      'order-entry#1:ok',
      'amount-confirmation#1:ok',
      'card-capture#1:ok',
      'charge#1:ok',
      'mark-paid:ok',
      'receipt:ok',
      'confirmation:ok',
      'outcome:ok',
    ]);
    expect(t.whereFailed).toMatch(/^Paid \$19\.99 \(pi_\w+, confirmation \d{6}\); nothing failed\.$/);
    expect(t.failingEntryId).toBeUndefined();
    const charge = t.entries.find((e) => e.step === 'charge')!;
    expect(charge).toMatchObject({ paymentIntentId: t.paymentIntentId, card: { brand: 'visa', last4: '4242' }, paymentMethodId: 'pm_card_visa' });
    expect(charge.idempotencyKey).toBe(`call-${t.callSid}/charge/1`);
    expect(charge.summary).toBe(`Charged $19.99: ${t.paymentIntentId} succeeded`);
    expect(t.entries.find((e) => e.step === 'order-entry')!.summary).toBe(`Order ${t.orderId} found: $19.99 for two concert tickets`);
    expect(Date.parse(charge.endedAt!)).toBeGreaterThanOrEqual(Date.parse(charge.startedAt));
    // The receipt went to a phone number in the workflow input: it never shows.
    expect(JSON.stringify(t)).not.toContain('5005550006');
  },
  declined(t) {
    expect(t).toMatchObject({ status: 'completed', effectiveOutcome: 'declined', outcome: { failure: { step: 'charge', code: 'insufficient_funds' } } });
    expect(shape(t)).toEqual([
      'call:info',
      'order-entry#1:failed',
      'order-entry#2:ok',
      'amount-confirmation#1:ok',
      'card-capture#1:ok',
      'charge#1:failed',
      'card-capture#2:failed',
      'card-capture#3:ok',
      'charge#3:failed!',
      'outcome:failed',
    ]);
    expect(t.entries[1]).toMatchObject({ summary: 'Order 11 not found', error: { code: 'order-not-found' } });
    expect(t.entries[5]).toMatchObject({ error: { type: 'CardDeclined', code: 'card_declined', declineCode: 'generic_decline' }, card: { last4: '0002' } });
    expect(t.entries[6]).toMatchObject({ error: { type: '<Pay>', code: 'too-many-failed-attempts', message: 'invalid-card-number' } });
    const failing = t.entries.find((e) => e.failing)!;
    expect(failing.id).toBe(t.failingEntryId);
    expect(failing).toMatchObject({ error: { declineCode: 'insufficient_funds', message: 'Your card has insufficient funds.' }, paymentIntentId: t.paymentIntentId });
    expect(t.whereFailed).toBe(`Declined at charge (attempt 3): card declined, card_declined / insufficient_funds: Your card has insufficient funds. (${t.paymentIntentId}).`);
  },
  abandoned(t) {
    expect(t).toMatchObject({ status: 'completed', effectiveOutcome: 'abandoned' });
    expect(shape(t)).toEqual(['call:info', 'order-entry#1:ok', 'amount-confirmation#1:ok', 'card-capture#1:failed!', 'call:info', 'outcome:failed']);
    expect(t.entries[4]!.title).toBe('Caller hung up');
    expect(t.entries[3]!.error).toMatchObject({ code: 'caller-hung-up' });
    expect(t.whereFailed).toBe('Caller hung up during card capture (attempt 1); nothing was charged.');
  },
  refunded(t) {
    // A call that refunded itself: `compensated` (histories from before that word said `refunded`).
    expect(t).toMatchObject({ status: 'completed', effectiveOutcome: 'compensated' });
    expect(shape(t)).toEqual([
      'call:info',
      'order-entry#1:ok',
      'amount-confirmation#1:ok',
      'card-capture#1:ok',
      'charge#1:ok',
      'mark-paid:failed!',
      'refund:ok',
      'outcome:info',
    ]);
    const refund = t.entries.find((e) => e.step === 'refund')!;
    expect(refund.refundId).toMatch(/^re_/);
    // Since the compensation runs as the refund workflow, it carries that workflow's key.
    expect(refund.idempotencyKey).toBe(
      t.source === 'legacy-history' ? `call-${t.callSid}/refund/${t.paymentIntentId}` : `paycall/refund-${t.paymentIntentId}-compensation`,
    );
    expect(t.whereFailed).toBe(
      `Charged $19.99 (${t.paymentIntentId}) but marking the order paid failed (OrderNotPayable: Order ${t.orderId} was already paid by another payment); the call refunded it (${refund.refundId}).`,
    );
  },
};

function expectOperatorRefund(paid: Timeline, refund: Timeline): void {
  expect(refund).toMatchObject({ workflowType: 'refundWorkflow', status: 'completed', refund: { status: 'refunded', amount: 1999, callWorkflowId: paid.workflowId } });
  expect(shape(refund)).toEqual(['refund:info', 'refund:ok', 'outcome:ok']);
  expect(refund.entries[0]!.summary).toBe(`Operator asked to refund the full remaining amount of $19.99 paid for order ${paid.orderId} (request fixture-refund, requested by customer)`);
  expect(refund.entries[1]!.idempotencyKey).toBe(`paycall/refund-${paid.paymentIntentId}-fixture-refund`);
  expect(refund.whereFailed).toBe(`Refunded $19.99 on ${paid.paymentIntentId} (${refund.refund?.status === 'refunded' ? refund.refund.refundId : ''}); nothing failed.`);

  const merged = mergeRefunds(paid, [refund]);
  expect(merged).toMatchObject({ effectiveOutcome: 'refunded', refundedAmount: 1999 });
  expect(shape(merged).slice(-3)).toEqual(['outcome:ok', 'refund:info', 'refund:ok']);
  expect(merged.whereFailed).toMatch(/^Paid \$19\.99 \(pi_\w+, confirmation \d{6}\)\. Then refunded \$19\.99 in full by an operator \(re_\w+\)\.$/);
}

describe('timeline from committed history files', () => {
  for (const [set, source] of [[legacySet, 'legacy-history'], [stepLogSet, 'step-log'], [leanSet, 'step-log']] as const) {
    for (const name of ['paid', 'declined', 'abandoned', 'refunded'] as const) {
      it(`${set}/${name}.json reads from the ${source}`, () => {
        const timeline = buildTimeline(fixture(name, set));
        expect(timeline.workflowId).toMatch(/^call-CA/);
        expect(timeline.source).toBe(source);
        expectations[name](timeline);
      });
    }

    it(`${set}/operator-refund.json, merged into paid.json`, () => {
      expectOperatorRefund(buildTimeline(fixture('paid', set)), buildTimeline(fixture('operator-refund', set)));
    });
  }

  it(`${leanSet}: the order book's steps run as local activities point at their markers; the charge at its activity`, () => {
    const history = fixture('paid', leanSet);
    const markers = new Set((history.events ?? []).filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity').map((e) => Number(String(e.eventId))));
    expect(markers.size).toBeGreaterThanOrEqual(2);
    const timeline = buildTimeline(history);
    for (const step of ['order-entry', 'mark-paid'] as const) {
      const entry = timeline.entries.find((e) => e.step === step)!;
      expect(entry.source.eventIds, step).toHaveLength(1);
      expect(markers.has(entry.source.eventIds[0]!), step).toBe(true);
    }
    // The charge stays a scheduled activity (src/workflows/activity-options.ts says why).
    const charge = timeline.entries.find((e) => e.step === 'charge')!;
    expect(charge).toMatchObject({ status: 'ok', paymentIntentId: expect.stringMatching(/^pi_/) });
    expect(charge.source.eventIds.some((id) => markers.has(id))).toBe(false);
    expect(charge.source.eventIds.length).toBeGreaterThanOrEqual(2);
  });

  it('an encrypted history (PAYLOAD_ENCRYPTION_KEY) reads the same once run through the codec', async () => {
    const codec = new EncryptionCodec({ k1: randomBytes(32) }, 'k1');
    const history = fixture('paid');
    // Encrypt it the way the worker's codec would have (encode as a "decoder").
    await decodeHistoryPayloads(history, [{ encode: async (p) => p, decode: (p) => codec.encode(p) }]);
    const unreadable = buildTimeline(history);
    expect(unreadable.outcome).toBeUndefined();
    expect(unreadable.callSid).toBeUndefined();
    expect(unreadable.whereFailed).toMatch(/^Ended \(\d+ payloads are encrypted: set PAYLOAD_ENCRYPTION_KEY to the worker's key to read them\)\.$/);
    // Stages still show: search attributes are never encrypted.
    expect(shape(unreadable)).toContain('charge#1:ok');
    await decodeHistoryPayloads(history, [codec]);
    expectations.paid(buildTimeline(history));
  });

  it('a history cut short reads as a running call', () => {
    const full = fixture('declined');
    const events = full.events ?? [];
    // Up to the first decline: the caller is being asked for another card.
    const cut = events.findIndex((e) => e.activityTaskFailedEventAttributes) + 1;
    const running = buildTimeline({ events: events.slice(0, cut + 1) });
    expect(running.status).toBe('running');
    expect(running.stage).toBe('card-capture');
    expect(running.whereFailed).toBe('In progress: card capture (attempt 2); last problem: Charge #1: card_declined / generic_decline.');
    expect(running.failingEntryId).toBeUndefined();
  });
});

describe('timeline from histories recorded in this run', () => {
  let stack: OperatorStack;
  let recorded: Awaited<ReturnType<typeof recordScenarios>>;
  beforeAll(async () => {
    stack = await startOperatorStack();
    recorded = await recordScenarios(stack.temporal.client, stack.temporal.namespace, stack.taskQueue, stack.orders);
  });
  afterAll(async () => {
    await stack?.close();
  });

  for (const name of ['paid', 'declined', 'abandoned', 'refunded'] as const) {
    it(name, () => {
      const timeline = buildTimeline(recorded.histories[name]);
      // Built from the step log the workflow returned, not from interpreting history.
      expect(timeline.source).toBe('step-log');
      expect(recorded.played[name].outcome.steps?.length).toBeGreaterThan(0);
      expect(timeline.callSid).toBe(recorded.played[name].call.input.callSid);
      expect(timeline.outcome).toEqual(recorded.played[name].outcome);
      expectations[name](timeline);
    });
  }

  it('operator refund', () => {
    expectOperatorRefund(buildTimeline(recorded.histories.paid), buildTimeline(recorded.histories['operator-refund']));
  });

  it('covers every recorded scenario (the fixture script writes the same set)', () => {
    expect(Object.keys(recorded.histories).sort()).toEqual([...recordedScenarios].sort());
  });

  it('a running call: where it is now and its last problem', async () => {
    const order = stack.orders.add();
    const call = new TestCall(stack.temporal.client, stack.taskQueue, { callSid: scenarioSid(), locale: 'en-US' });
    const handle = stack.temporal.client.workflow.getHandle(callWorkflowId(call.input.callSid));
    await call.start();
    await call.press(`${order.orderId}#`);
    await call.press('1');
    expect(buildTimeline(await handle.fetchHistory()).whereFailed).toBe('In progress: card capture; no problems so far.');
    await call.pay(genericDecline);
    // With the live step log from the state query, as the operator API reads a running call…
    const live = buildTimeline(await handle.fetchHistory(), { steps: (await call.state()).steps });
    expect(live.source).toBe('step-log');
    expect(live.whereFailed).toBe('In progress: card capture (attempt 2); last problem: Charge #1: card_declined / generic_decline.');
    expect(shape(live).slice(-2)).toEqual(['charge#1:failed', 'card-capture#2:running']);
    // …and without it (no worker answered): the legacy reader rebuilds the same from history.
    const afterDecline = buildTimeline(await handle.fetchHistory());
    expect(afterDecline.source).toBe('legacy-history');
    expect(afterDecline.status).toBe('running');
    expect(afterDecline.whereFailed).toBe('In progress: card capture (attempt 2); last problem: Charge #1: card_declined / generic_decline.');
    expect(shape(afterDecline).slice(-2)).toEqual(['charge#1:failed', 'card-capture#2:running']);
    await call.pay(visa);
    expect((await call.outcome()).outcome).toBe('paid');
    const done = buildTimeline(await handle.fetchHistory());
    expect(done.whereFailed).toMatch(/^Paid \$19\.99 \(pi_\w+, confirmation \d{6}\) after 1 declined card; nothing failed\.$/);
  });

  it('a terminated call says so, with the reason', async () => {
    const call = new TestCall(stack.temporal.client, stack.taskQueue, { callSid: scenarioSid(), locale: 'en-US' });
    await call.start();
    const handle = stack.temporal.client.workflow.getHandle(callWorkflowId(call.input.callSid));
    await handle.terminate('stuck call cleared by ops (ticket 4411)');
    const timeline = buildTimeline(await handle.fetchHistory());
    expect(timeline.status).toBe('terminated');
    expect(timeline.whereFailed).toBe('The call workflow terminated: Terminated: stuck call cleared by ops (ticket 4411). Its history in the Temporal Web UI has the details.');
    expect(timeline.entries.at(-1)).toMatchObject({ step: 'outcome', status: 'failed', failing: true });
  });
});

describe('what an operator may see', () => {
  it('scrubs card-length digit runs and phone numbers from free text', () => {
    expect(scrubText('card 4242 4242 4242 4242 declined')).toBe('card [number removed] declined');
    expect(scrubText('card 4000000000000002')).toBe('card [number removed]');
    expect(scrubText('SMS to +15005550006 failed')).toBe('SMS to +•••••••0006 failed');
    expect(scrubText('No order 73021')).toBe('No order 73021');
    expect(maskPhone('+819012345678')).toBe('+••••••••5678');
  });

  it('formats money in the currency’s units', () => {
    expect(formatMoney(1999, 'usd')).toBe('$19.99');
    expect(formatMoney(6480, 'jpy')).toBe('¥6,480');
    expect(formatMoney(123456789, 'usd')).toBe('$1,234,567.89');
    expect(formatMoney(100, 'xyz')).toBe('100 XYZ (minor units)');
    expect(formatMoney(undefined, 'usd')).toBe('?');
  });
});
