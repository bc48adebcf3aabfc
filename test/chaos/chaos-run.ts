/**
 * One chaos run: plan the calls, start the stack (chaos-stack.ts), place the calls through
 * the webhook front while the fault schedule kills and restarts things, let the calls'
 * workflows settle, then reconcile Stripe, the order book and Temporal and measure how
 * long callers waited. Returns the report; everything started is stopped, even on failure.
 */
import { rmSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { failureKind, heardText, type CallRecord } from '../../src/stand-ins/phone-simulator/index.js';
import { expectedToPay, hearsConfirmationWhenPaid, planCalls, type PlannedCall } from './call-plan.js';
import { heardAnyConfirmation, heardOwnConfirmation, runCalls, settleCalls, type CallResult } from './call-runner.js';
import type { ChaosReport, ChaosSettings, KindLine, Surprise } from './chaos-report.js';
import { callerWaits, summarizeWaits } from './caller-wait.js';
import { removeDataDir, startChaosStack, type ChaosStack } from './chaos-stack.js';
import { FaultSchedule } from './fault-schedule.js';
import { seededRandom } from './random.js';
import { readStripeLedger, reconcile, type CallFacts } from './reconcile.js';

export interface RunOptions {
  /** Progress lines while it runs. */
  onProgress?: (line: string) => void;
  /** Keep the data directory (Temporal database, sandbox state, process logs) and say where. */
  keepData?: boolean;
  progressEveryMs?: number;
  /** Extra environment for paycall's processes. */
  env?: Record<string, string>;
}

export async function runChaos(settings: ChaosSettings, options: RunOptions = {}): Promise<ChaosReport> {
  const say = options.onProgress ?? (() => undefined);
  const began = Date.now();
  const loadAverageBefore = os.loadavg();
  const plan = planCalls({ calls: settings.calls, raceShare: settings.raceShare, thinkMs: settings.thinkMs, random: seededRandom(settings.seed, 'plan') });
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'paycall-chaos-'));
  // If this process ends mid-run (Ctrl-C), the data dir goes too (the processes are killed by their own exit hooks).
  const removeOnExit = () => rmSync(dataDir, { recursive: true, force: true });
  if (!options.keepData) process.once('exit', removeOnExit);
  say(`starting: Temporal dev server, Stripe sandbox, PostgreSQL with ${plan.orders.length} orders, ${settings.workers} workers, ${settings.webs} webs (data in ${dataDir})`);
  let stack: ChaosStack | undefined;
  try {
    stack = await startChaosStack({
      dataDir,
      orders: plan.orders,
      workers: settings.workers,
      webs: settings.webs,
      stripeErrorRate: settings.stripeErrorRate,
      stripeDropRate: settings.stripeDropRate,
      duplicateRate: settings.duplicateRate,
      random: { front: seededRandom(settings.seed, 'front'), stripe: seededRandom(settings.seed, 'stripe') },
      ...(options.env ? { env: options.env } : {}),
    });
    const startup = Date.now() - began;
    say(`stack ready in ${(startup / 1000).toFixed(1)} s (order book: ${stack.orderBook.label}); placing ${plan.calls.length} calls`);

    const schedule = new FaultSchedule(stack, {
      killIntervalMs: settings.killIntervalMs,
      ...(settings.temporalRestart ? { temporalRestartAt: 0.35 } : {}),
      ...(settings.webRestart ? { webRestartAt: 0.6 } : {}),
      random: seededRandom(settings.seed, 'kills'),
      onEvent: say,
    });
    const loadBegan = Date.now();
    schedule.start();
    let records: Map<number, CallRecord>;
    try {
      records = await placeCallsWithProgress(stack, plan.units, settings.concurrency, schedule, say, options.progressEveryMs ?? 5000);
    } finally {
      await schedule.stop();
    }
    const loadMs = Date.now() - loadBegan;
    say(`all calls placed in ${(loadMs / 1000).toFixed(1)} s; waiting up to ${settings.graceMs / 1000} s for their workflows to finish`);

    const settleBegan = Date.now();
    const results = await settleCalls(stack.client, plan.calls, records, settings.graceMs);
    const settleMs = Date.now() - settleBegan;

    const [ledger, rows] = await Promise.all([readStripeLedger(stack.stripe), stack.orderBook.rows()]);
    const facts: CallFacts[] = results.map((r) => ({
      callSid: r.record.callSid,
      ...(r.outcome?.outcome === 'paid' && r.outcome.paymentIntentId ? { paidWith: r.outcome.paymentIntentId } : {}),
      ...((r.outcome?.orderId ?? r.plan.orderId) ? { orderId: r.outcome?.orderId ?? r.plan.orderId } : {}),
      heardConfirmation: heardAnyConfirmation(r.record, r.plan.locale),
    }));
    const money = reconcile(ledger, rows, facts);
    const waits = results.flatMap((r) => callerWaits(r.record));

    const byKind: ChaosReport['calls']['byKind'] = {};
    const outcomes: Record<string, number> = {};
    const missedConfirmation: string[] = [];
    const endedBy: Record<string, number> = {};
    const surprises: Surprise[] = [];
    const pairPaid = new Set(results.filter((r) => r.plan.pair !== undefined && r.outcome?.outcome === 'paid').map((r) => r.plan.pair));
    for (const r of results) {
      const ended = endedLabel(r.record);
      endedBy[ended] = (endedBy[ended] ?? 0) + 1;
      const line: KindLine = (byKind[r.plan.kind] ??= { calls: 0, paid: 0, heardConfirmation: 0, appErrors: 0, outcomes: {} });
      const outcome = outcomeLabel(r);
      line.calls++;
      line.outcomes[outcome] = (line.outcomes[outcome] ?? 0) + 1;
      outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
      if (r.record.ended.how === 'app-error') line.appErrors++;
      if (r.outcome?.outcome === 'paid') line.paid++;
      const heard = heardOwnConfirmation(r);
      if (heard) line.heardConfirmation++;
      const surprise = (what: string) =>
        surprises.push({ callSid: r.record.callSid, kind: r.plan.kind, what, outcome, ended, ...(heardText(r.record).at(-1) ? { lastHeard: heardText(r.record).at(-1)! } : {}) });
      if (r.outcome?.outcome === 'paid' && !heard && hearsConfirmationWhenPaid.has(r.plan.kind)) {
        missedConfirmation.push(r.record.callSid);
        surprise('paid, but the caller did not hear the confirmation');
      } else if (r.outcome?.outcome !== 'paid' && expectedToPay.has(r.plan.kind) && !(r.plan.pair !== undefined && pairPaid.has(r.plan.pair))) {
        surprise(r.plan.pair !== undefined ? 'neither caller of the pair paid' : 'should have paid');
      }
    }
    const stuck = results.filter((r) => r.workflow === 'running');
    const lines = (name: string, problems: typeof money.doubleCharges) => problems.map((p) => ({ ...p, line: name }));

    return {
      settings,
      machine: { cpus: os.cpus().length, loadAverageBefore, loadAverageAfter: os.loadavg() },
      orderBook: stack.orderBook.label,
      durationMs: { total: Date.now() - began, startup, load: loadMs, settle: settleMs },
      money: {
        doubleCharges: money.doubleCharges.length,
        paidButUnrecorded: money.paidButUnrecorded.length,
        recordedButUnpaid: money.recordedButUnpaid.length,
        toldPaidButNotPaid: money.toldPaidButNotPaid.length,
        problems: [
          ...lines('double charge', money.doubleCharges),
          ...lines('paid but unrecorded', money.paidButUnrecorded),
          ...lines('recorded but unpaid', money.recordedButUnpaid),
          ...lines('told paid but not paid', money.toldPaidButNotPaid),
        ],
        counts: money.counts,
      },
      stuck: { count: stuck.length, calls: stuck.map((r) => ({ callSid: r.record.callSid, kind: r.plan.kind, ...(r.step ? { step: r.step } : {}) })) },
      calls: {
        placed: results.length,
        paid: results.filter((r) => r.outcome?.outcome === 'paid').length,
        heardConfirmation: results.filter(heardOwnConfirmation).length,
        missedConfirmation,
        appErrors: results.filter((r) => r.record.ended.how === 'app-error').length,
        outcomes,
        endedBy,
        byKind,
        surprises,
      },
      wait: summarizeWaits(waits),
      faults: { ...schedule.stats, stripe: stack.gate.stats(), webhooks: stack.front.stats() },
    };
  } finally {
    await stack?.close().catch((err: unknown) => say(`teardown problem: ${(err as Error).message}`));
    if (options.keepData) say(`data kept in ${dataDir} (Temporal database, sandbox state, worker-*.log, web-*.log)`);
    else await removeDataDir(dataDir);
    process.off('exit', removeOnExit);
  }
}

/** runCalls, telling the fault schedule how far the run is and printing a progress line every few seconds. */
async function placeCallsWithProgress(
  stack: ChaosStack,
  units: PlannedCall[][],
  concurrency: number,
  schedule: FaultSchedule,
  say: (line: string) => void,
  progressEveryMs: number,
): Promise<Map<number, CallRecord>> {
  const total = units.reduce((n, u) => n + u.length, 0);
  const started = Date.now();
  let done = 0;
  let confirmations = 0;
  let held = 0;
  let appErrors = 0;
  const ticker = setInterval(() => {
    say(
      `[${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] calls ${done}/${total} done; confirmations heard ${confirmations}, ` +
        `calls that heard a hold ${held}, app errors ${appErrors}; worker kills ${schedule.stats.workerKills}, ` +
        `Temporal restarts ${schedule.stats.temporalRestarts}, web restarts ${schedule.stats.webRestarts}`,
    );
  }, progressEveryMs);
  try {
    return await runCalls({ url: stack.front.url, authToken: stack.authToken, stripeUrl: stack.sandbox.url }, units, concurrency, (record, call) => {
      done++;
      if (heardAnyConfirmation(record, call.locale)) confirmations++;
      if (record.requests.some((q) => q.path === '/twilio/continue')) held++;
      if (record.ended.how === 'app-error') appErrors++;
      schedule.progress(done / total);
    });
  } finally {
    clearInterval(ticker);
  }
}

function outcomeLabel(r: CallResult): string {
  if (r.workflow !== 'completed') return r.workflow;
  const o = r.outcome!;
  return o.failure && o.outcome !== 'abandoned' ? `${o.outcome} (${o.failure.step}: ${o.failure.code})` : o.outcome;
}

function endedLabel(record: CallRecord): string {
  const failure = failureKind(record.ended);
  if (failure) return failure;
  return record.ended.during ? `${record.ended.how} (${record.ended.during})` : record.ended.how;
}
