/**
 * What a chaos run found, as data (`--json`) and as the table `npm run chaos` prints. The
 * money lines come first: they must be 0 whatever else happened.
 */
import type { CallKind } from './call-plan.js';
import type { WaitSummary } from './caller-wait.js';
import type { FaultStats } from './fault-schedule.js';
import type { MoneyLines, MoneyProblem } from './reconcile.js';
import type { StripeFaultGateStats } from './stripe-fault-gate.js';
import type { WebhookFrontStats } from '../helpers/webhook-front.js';

export interface ChaosSettings {
  calls: number;
  concurrency: number;
  workers: number;
  webs: number;
  killIntervalMs: number;
  stripeErrorRate: number;
  stripeDropRate: number;
  duplicateRate: number;
  raceShare: number;
  temporalRestart: boolean;
  webRestart: boolean;
  thinkMs: { min: number; max: number };
  graceMs: number;
  seed: number;
}

export interface KindLine {
  calls: number;
  paid: number;
  heardConfirmation: number;
  appErrors: number;
  /** Workflow outcome (or `running`, `no-workflow`, `workflow-<status>`) → calls. */
  outcomes: Record<string, number>;
}

export interface Surprise {
  callSid: string;
  kind: CallKind;
  what: string;
  outcome: string;
  ended: string;
  /** The last thing the caller heard. */
  lastHeard?: string;
}

export interface ChaosReport {
  settings: ChaosSettings;
  machine: { cpus: number; loadAverageBefore: number[]; loadAverageAfter: number[] };
  orderBook: string;
  durationMs: { total: number; startup: number; load: number; settle: number };
  money: {
    doubleCharges: number;
    paidButUnrecorded: number;
    recordedButUnpaid: number;
    toldPaidButNotPaid: number;
    problems: Array<MoneyProblem & { line: string }>;
    counts: MoneyLines['counts'];
  };
  stuck: { count: number; calls: Array<{ callSid: string; kind: CallKind; step?: string }> };
  calls: {
    placed: number;
    paid: number;
    heardConfirmation: number;
    /** Paid calls whose caller stayed on the line yet did not hear the confirmation. */
    missedConfirmation: string[];
    /** Calls that ended in Twilio's application error (the caller heard it). */
    appErrors: number;
    outcomes: Record<string, number>;
    /** How the simulator saw each call end: `hangup`, `caller-hangup`, `error:request-loop`, … → calls. */
    endedBy: Record<string, number>;
    byKind: Partial<Record<CallKind, KindLine>>;
    /** Calls that did not go as their kind should (a good card not paid, a paid caller who missed the confirmation), with what happened. */
    surprises: Surprise[];
  };
  wait: WaitSummary;
  faults: FaultStats & { stripe: StripeFaultGateStats; webhooks: WebhookFrontStats };
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const percent = (share: number) => `${(share * 100).toFixed(1)}%`;

export function formatChaosReport(report: ChaosReport): string {
  const { settings: s, money, calls, wait, faults } = report;
  const lines: string[] = [];
  lines.push(
    `paycall chaos run: ${s.calls} calls, concurrency ${s.concurrency}, ${s.workers} workers, ${s.webs} webs, a worker killed every ${s.killIntervalMs / 1000} s, seed ${s.seed}`,
  );
  lines.push(
    `machine: ${report.machine.cpus} CPUs, load average (1/5/15 min) ${report.machine.loadAverageBefore.map((l) => l.toFixed(2)).join('/')} before, ${report.machine.loadAverageAfter.map((l) => l.toFixed(2)).join('/')} after`,
  );
  lines.push(
    `took ${seconds(report.durationMs.total)}: start-up ${seconds(report.durationMs.startup)}, calls ${seconds(report.durationMs.load)}, settling ${seconds(report.durationMs.settle)}; order book ${report.orderBook}`,
  );
  lines.push('');
  lines.push('faults');
  const restart = faults.workerRestartMs.length
    ? ` (ready again p50 ${seconds(median(faults.workerRestartMs))}, max ${seconds(Math.max(...faults.workerRestartMs))})`
    : '';
  lines.push(`  worker kills (SIGKILL)              ${faults.workerKills}${restart}${faults.killsSkipped ? `, ${faults.killsSkipped} ticks skipped: no ready worker` : ''}`);
  lines.push(`  processes that crashed by themselves ${faults.crashes.length}${faults.crashes.length ? ` (${faults.crashes.join(', ')})` : ''}`);
  lines.push(`  Temporal restarts                   ${faults.temporalRestarts}${faults.temporalDowntimeMs !== undefined ? ` (down ${seconds(faults.temporalDowntimeMs)})` : ''}`);
  lines.push(`  web restarts                        ${faults.webRestarts}${faults.webRestartMs !== undefined ? ` (back after ${seconds(faults.webRestartMs)})` : ''}`);
  lines.push(`  Stripe 500s injected                ${faults.stripe.answered500} of ${faults.stripe.requests} requests (${percent(faults.stripe.requests ? faults.stripe.answered500 / faults.stripe.requests : 0)})`);
  lines.push(`  charges made, response dropped      ${faults.stripe.droppedAfterCharge} of ${faults.stripe.charges} charge requests`);
  const dupFailures = Object.entries(faults.webhooks.duplicateFailures).map(([k, n]) => `${k} ${n}`).join(', ');
  lines.push(`  webhooks duplicated                 ${faults.webhooks.duplicatesSent} of ${faults.webhooks.requests}${dupFailures ? ` (duplicates not answered 2xx: ${dupFailures})` : ''}`);
  lines.push(`  webhooks retried on the other web   ${faults.webhooks.retriedElsewhere}; unanswered (502) ${faults.webhooks.unanswered}`);
  lines.push('');
  lines.push('money (must all be 0)');
  lines.push(`  double charges                      ${money.doubleCharges}`);
  lines.push(`  paid but unrecorded                 ${money.paidButUnrecorded}`);
  lines.push(`  recorded but unpaid                 ${money.recordedButUnpaid}`);
  lines.push(`  told paid but not paid              ${money.toldPaidButNotPaid}`);
  for (const p of money.problems) lines.push(`    ${p.line}: order ${p.orderId} ${p.paymentIntents.join(', ')}: ${p.detail}`);
  lines.push(
    `  (Stripe: ${money.counts.paymentIntents} PaymentIntents, ${money.counts.succeeded} succeeded, ${money.counts.refunded} refunded; ${money.counts.ordersPaid} orders marked paid)`,
  );
  lines.push('');
  lines.push('calls');
  lines.push(`  stuck (running after ${s.graceMs / 1000} s grace)    ${report.stuck.count}`);
  for (const c of report.stuck.calls) lines.push(`    ${c.callSid} (${c.kind}) at ${c.step ?? '?'}`);
  lines.push(`  paid                                ${calls.paid} of ${calls.placed} calls`);
  lines.push(`  heard their confirmation            ${calls.heardConfirmation} (paid calls that stayed on the line but missed it: ${calls.missedConfirmation.length})`);
  lines.push(`  heard Twilio's application error    ${calls.appErrors}`);
  lines.push(`  outcomes                            ${Object.entries(calls.outcomes).map(([k, n]) => `${k} ${n}`).join(', ')}`);
  lines.push(`  ended (as the simulator saw it)     ${Object.entries(calls.endedBy).map(([k, n]) => `${k} ${n}`).join(', ')}`);
  lines.push(`  surprises                           ${calls.surprises.length}`);
  for (const x of calls.surprises.slice(0, 20)) {
    lines.push(`    ${x.callSid} ${x.kind}: ${x.what}; outcome ${x.outcome}; ended ${x.ended}${x.lastHeard ? `; last heard "${x.lastHeard.slice(0, 90)}"` : ''}`);
  }
  if (calls.surprises.length > 20) lines.push(`    … ${calls.surprises.length - 20} more (--json has them all)`);
  lines.push('');
  lines.push(`caller wait (${wait.inputs} inputs: the incoming call and each Gather/Pay answer, until TwiML that is not a hold)`);
  lines.push(`  p50                                 ${seconds(wait.p50Ms)}`);
  lines.push(`  p99                                 ${seconds(wait.p99Ms)}`);
  lines.push(`  max                                 ${seconds(wait.maxMs)}`);
  lines.push(`  inputs that hit at least one hold   ${percent(wait.heldShare)} (${wait.heldInputs})`);
  lines.push(`  inputs answered by an app error     ${wait.appErrorInputs}`);
  for (const [route, w] of Object.entries(wait.byRoute ?? {})) {
    lines.push(`  ${route.padEnd(20)} ${String(w.inputs).padStart(4)} inputs: p50 ${seconds(w.p50Ms)}, p99 ${seconds(w.p99Ms)}, max ${seconds(w.maxMs)}, held ${percent(w.heldShare)}`);
  }
  lines.push('');
  lines.push(`by kind                          ${'calls'.padStart(5)} ${'paid'.padStart(5)} ${'heard'.padStart(5)} ${'app-err'.padStart(7)}  outcomes`);
  for (const [kind, line] of Object.entries(calls.byKind)) {
    const outcomes = Object.entries(line.outcomes).map(([k, n]) => `${k} ${n}`).join(', ');
    lines.push(`  ${kind.padEnd(30)} ${String(line.calls).padStart(5)} ${String(line.paid).padStart(5)} ${String(line.heardConfirmation).padStart(5)} ${String(line.appErrors).padStart(7)}  ${outcomes}`);
  }
  return lines.join('\n');
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)] ?? 0;
}
