/**
 * One side, one round: a fresh Temporal dev server (durable sides), the side's process, a
 * few unmeasured warm-up calls, then the measured calls through the phone simulator's load
 * mode. Afterwards: which calls really paid (the caller heard the confirmation code, and the
 * side's own record agrees: a succeeded PaymentIntent in its Stripe sandbox, a workflow that
 * ended paid, or both for paycall), the latencies, CPU per process, the server's metrics,
 * and, from the durable sides' histories, what a paid call cost.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { callWorkflowId } from '../../src/contract/call.js';
import { catalogFor } from '../../src/i18n/catalog.js';
import { failureKind, heardText, keysToSteps, latencyStats, runLoad, type CallRecord, type LatencyStats } from '../../src/stand-ins/phone-simulator/index.js';
import { createStripeClient } from '../../src/stripe/stripe-client.js';
import { startDevServer, type DevServer } from '../../src/temporal/dev-server.js';
import { sandboxSecretKey } from '../../src/worker/activity-deps.js';
import type { ActionKind } from './billable-actions.js';
import { tallyHistories, type HistoryTally } from './call-histories.js';
import { startCpuMeter } from './cpu-usage.js';
import { summarizeProfiles, type ProfileSummary } from './cpu-profile.js';
import { metricsDelta, scrapeMetrics, type ServerMetricsDelta } from './server-metrics.js';
import { benchNamespace, benchOrderIds, durableSides, sideNames, startSide, type RunningSide, type SideName } from './sides.js';
import { minimalCallWorkflowId } from './sides/minimal-call-app.js';
import { sleep } from './side-process.js';

export interface SideRunSettings {
  side: SideName;
  round: number;
  calls: number;
  concurrency: number;
  warmup: number;
  persistence: 'file' | 'memory';
  temporalCli: string;
  runDir: string;
  bundles: { minimal: string; paycall: string };
  /** Profile mode: CPU profiles and metric snapshots go here. */
  profileDir?: string;
  progress: (line: string) => void;
}

/** The webhooks a caller waits on for TwiML; the callbacks (`<Pay>` progress, call status) are reported per route only. */
export const twimlRoutes = ['/twilio/voice', '/twilio/gather', '/twilio/pay', '/twilio/continue'];

export interface SideRun {
  side: SideName;
  round: number;
  calls: number;
  /** Calls that paid: heard the confirmation and confirmed by the side. */
  paid: number;
  /** Calls the simulator counted as failed (app errors, timeouts, …), by kind. */
  failed: number;
  failuresByKind: Record<string, number>;
  /** Why the calls that did not pay did not, by reason: what the caller heard last, or which record disagrees. */
  unpaid: Record<string, number>;
  wallMs: number;
  paidCallsPerSecond: number;
  /** Every attempt on the TwiML routes, ms. */
  webhookLatency: LatencyStats;
  routes: Record<string, LatencyStats>;
  webhooksPerCall: number;
  /** Cores used during the measured calls. */
  cpu: Record<string, number | undefined>;
  history?: HistoryCost;
  server?: ServerMetricsDelta;
  cpuProfiles?: ProfileSummary[];
  /** Raw latencies, for pooling rounds (not in the report): the TwiML routes', and per route. */
  latencySamples: number[];
  routeSamples: Record<string, number[]>;
}

export interface HistoryCost {
  paidCalls: number;
  events: number;
  eventTypes: Record<string, number>;
  actions: Partial<Record<ActionKind, number>>;
}

const metricsSettleMs = 3000;

/** What a caller hears before the confirmation code, once paid. */
const paidPhrase = catalogFor('en-US').paid('7').split('7')[0]!;

export async function runSide(settings: SideRunSettings): Promise<SideRun> {
  const { side, round } = settings;
  const dir = path.join(settings.runDir, `round${round}-${side}`);
  await mkdir(dir, { recursive: true });
  const orderIds = benchOrderIds(`9${round % 10}${sideNames.indexOf(side) + 1}`, settings.warmup + settings.calls);
  const cpuProfileDir = settings.profileDir && side === 'paycall' ? path.join(settings.profileDir, `paycall-round${round}`) : undefined;

  let devServer: DevServer | undefined;
  let running: RunningSide | undefined;
  let connection: Connection | undefined;
  try {
    if (durableSides[side]) {
      devServer = await startDevServer({
        cliPath: settings.temporalCli,
        namespace: benchNamespace,
        ...(settings.persistence === 'file' ? { dbFilename: path.join(dir, 'temporal.sqlite') } : {}),
      });
    }
    running = await startSide({ side, dir, orderIds, temporalAddress: devServer?.address, bundles: settings.bundles, cpuProfileDir });
    const load = (ids: readonly string[]) =>
      runLoad({
        url: running!.url,
        publicUrl: running!.publicUrl,
        authToken: running!.authToken,
        stripeUrl: running!.stripeUrl,
        calls: ids.length,
        concurrency: settings.concurrency,
        mix: ids.map((id) => ({ scenario: { name: 'bench-pay', steps: keysToSteps(`${id}#,1,pay=visa`) }, weight: 1 })),
        keepRecords: true,
      });
    if (settings.warmup > 0) await load(orderIds.slice(0, settings.warmup));

    const snapshot = async (when: string) =>
      devServer ? scrapeMetrics(devServer.metricsUrl, settings.profileDir ? path.join(settings.profileDir, `${side}-round${round}-metrics-${when}.prom`) : undefined) : undefined;
    const metricsBefore = await snapshot('before');
    const cpu = startCpuMeter({ app: running.pid, temporal: devServer?.process.pid });
    settings.progress(`round ${round} · ${side}: ${settings.calls} calls, concurrency ${settings.concurrency}`);
    const report = await load(orderIds.slice(settings.warmup));
    const cores = cpu.read(report.wallMs);
    // The server publishes its metrics a little behind: give the last calls' counts time to land.
    if (devServer) await sleep(metricsSettleMs);
    const metricsAfter = await snapshot('after');
    const records = report.records ?? [];

    const charged = side === 'minimal' ? undefined : await succeededCharges(running.stripeUrl);
    const idOf = side === 'paycall' ? callWorkflowId : minimalCallWorkflowId;
    let tally: HistoryTally | undefined;
    if (devServer) {
      connection = await Connection.connect({ address: devServer.address });
      const client = new Client({ connection, namespace: benchNamespace });
      tally = await tallyHistories(client, records.map((r) => idOf(r.callSid)), (result) => (result as { outcome?: string } | undefined)?.outcome === 'paid');
    }
    const unpaid: Record<string, number> = {};
    for (const r of records) {
      const reason = unpaidReason(r, charged, tally ? (sid) => tally!.paid.has(idOf(sid)) : undefined);
      if (reason) unpaid[reason] = (unpaid[reason] ?? 0) + 1;
    }
    const paid = records.length - Object.values(unpaid).reduce((a, b) => a + b, 0);

    const latencySamples = records.flatMap((r) => r.requests.filter((q) => twimlRoutes.includes(q.path)).map((q) => q.latencyMs));
    const routeSamples: Record<string, number[]> = {};
    for (const q of records.flatMap((r) => r.requests)) (routeSamples[q.path] ??= []).push(q.latencyMs);
    const run: SideRun = {
      side,
      round,
      calls: report.calls,
      paid,
      failed: report.failed,
      failuresByKind: report.failuresByKind,
      unpaid,
      wallMs: report.wallMs,
      paidCallsPerSecond: report.wallMs > 0 ? round2((paid / report.wallMs) * 1000) : 0,
      webhookLatency: latencyStats(latencySamples, twimlErrors(records)),
      routes: report.routes,
      webhooksPerCall: round2(records.reduce((n, r) => n + r.requests.length, 0) / Math.max(1, records.length)),
      cpu: cores,
      latencySamples,
      routeSamples,
      ...(tally ? { history: { paidCalls: tally.paid.size, events: tally.events, eventTypes: tally.eventTypes, actions: tally.actions } } : {}),
      ...(metricsBefore && metricsAfter ? { server: metricsDelta(metricsBefore, metricsAfter, benchNamespace) } : {}),
    };
    settings.progress(`round ${round} · ${side}: ${paid}/${report.calls} paid in ${(report.wallMs / 1000).toFixed(1)} s, ${run.paidCallsPerSecond} paid calls/s`);
    await running.stop().then(() => (running = undefined));
    if (cpuProfileDir) run.cpuProfiles = await summarizeProfiles(cpuProfileDir);
    return run;
  } catch (err) {
    if (running) settings.progress(`round ${round} · ${side}: failed; its log: ${running.logFile}`);
    throw err;
  } finally {
    await connection?.close().catch(() => undefined);
    await running?.stop();
    await devServer?.stop();
  }
}

/** Call sids with a succeeded PaymentIntent in the side's Stripe sandbox. */
async function succeededCharges(stripeUrl: string): Promise<Set<string>> {
  const stripe = createStripeClient({ secretKey: sandboxSecretKey, apiBase: stripeUrl });
  const sids = new Set<string>();
  for await (const intent of stripe.paymentIntents.list({ limit: 100 })) {
    const sid = intent.metadata?.call_sid;
    if (intent.status === 'succeeded' && sid) sids.add(sid);
  }
  return sids;
}

/** Undefined when the call paid: the caller heard the confirmation, and the side's records agree. */
function unpaidReason(record: CallRecord, charged: Set<string> | undefined, workflowPaid: ((callSid: string) => boolean) | undefined): string | undefined {
  const failure = failureKind(record.ended);
  if (failure) return failure;
  const heard = heardText(record);
  if (!heard.some((t) => t.includes(paidPhrase))) return `${record.ended.how}, last heard: "${(heard.at(-1) ?? '').slice(0, 60)}"`;
  if (charged && !charged.has(record.callSid)) return 'no succeeded PaymentIntent';
  if (workflowPaid && !workflowPaid(record.callSid)) return 'workflow did not end paid';
  return undefined;
}

function twimlErrors(records: readonly CallRecord[]): number {
  return records.reduce((n, r) => n + r.requests.filter((q) => twimlRoutes.includes(q.path) && q.outcome !== 'ok').length, 0);
}

const round2 = (n: number) => Math.round(n * 100) / 100;
