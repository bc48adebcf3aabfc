/**
 * The benchmark's report: every run (side × round), each side over all its rounds (paid
 * calls over total wall time; latencies pooled), paycall's ratios to the two references,
 * and what a paid call costs in Temporal history events and billable actions.
 */
import { latencyStats, type LatencyStats } from '../../src/stand-ins/phone-simulator/index.js';
import { totalActions, type ActionKind } from './billable-actions.js';
import type { SideRun } from './run-side.js';
import type { SideName } from './sides.js';

export interface SideTotals {
  side: SideName;
  rounds: number;
  calls: number;
  paid: number;
  failed: number;
  paidCallsPerSecond: number;
  webhookLatency: LatencyStats;
  /** Every route, all rounds pooled. */
  routes: Record<string, LatencyStats>;
  /** Mean over rounds, cores. */
  cpu: Record<string, number | undefined>;
  /** Durable sides: per paid call, from the histories. */
  perPaidCall?: PaidCallCost;
}

export interface PaidCallCost {
  historyEvents: number;
  eventTypes: Record<string, number>;
  billableActions: number;
  billableActionsByKind: Partial<Record<ActionKind, number>>;
  /** The dev server's own `action` counter over the measured calls, per paid call. */
  serverActionMetric?: number;
}

export interface Ratios {
  /** paycall's paid calls/s ÷ the reference's. */
  throughput: number;
  /** paycall's latency ÷ the reference's. */
  p50: number;
  p95: number;
  p99: number;
}

export interface BenchReport {
  settings: { calls: number; concurrency: number; rounds: number; warmup: number; persistence: 'file' | 'memory'; sides: SideName[] };
  machine: { cpus: number; loadAverageBefore: number[]; loadAverageAfter: number[]; node: string; uptime?: string };
  runs: Omit<SideRun, 'latencySamples' | 'routeSamples'>[];
  sides: Partial<Record<SideName, SideTotals>>;
  ratios: { paycallToBaseline?: Ratios; paycallToMinimal?: Ratios };
  profileDir?: string;
  /** Every measured call of every side paid. */
  allPaid: boolean;
  billableActionsSource: string;
}

export const billableActionsSource = 'https://docs.temporal.io/cloud/actions';

export function totalsOf(side: SideName, runs: readonly SideRun[]): SideTotals {
  const mine = runs.filter((r) => r.side === side);
  const calls = sum(mine.map((r) => r.calls));
  const paid = sum(mine.map((r) => r.paid));
  const wallMs = sum(mine.map((r) => r.wallMs));
  const parts = [...new Set(mine.flatMap((r) => Object.keys(r.cpu)))];
  const cpu = Object.fromEntries(parts.map((p) => [p, mean(mine.map((r) => r.cpu[p]))]));
  const totals: SideTotals = {
    side,
    rounds: mine.length,
    calls,
    paid,
    failed: sum(mine.map((r) => r.failed)),
    paidCallsPerSecond: wallMs > 0 ? round(paid / (wallMs / 1000), 2) : 0,
    webhookLatency: latencyStats(mine.flatMap((r) => r.latencySamples), sum(mine.map((r) => r.webhookLatency.errors))),
    routes: Object.fromEntries(
      [...new Set(mine.flatMap((r) => Object.keys(r.routeSamples)))]
        .sort()
        .map((route) => [route, latencyStats(mine.flatMap((r) => r.routeSamples[route] ?? []), sum(mine.map((r) => r.routes[route]?.errors ?? 0)))]),
    ),
    cpu,
  };
  const costed = mine.filter((r) => r.history && r.history.paidCalls > 0);
  if (costed.length) {
    const paidCalls = sum(costed.map((r) => r.history!.paidCalls));
    const per = (n: number) => round(n / paidCalls, 2);
    const eventTypes: Record<string, number> = {};
    const actions: Partial<Record<ActionKind, number>> = {};
    for (const r of costed) {
      for (const [type, n] of Object.entries(r.history!.eventTypes)) eventTypes[type] = (eventTypes[type] ?? 0) + n;
      for (const [kind, n] of Object.entries(r.history!.actions) as [ActionKind, number][]) actions[kind] = (actions[kind] ?? 0) + n;
    }
    const metered = costed.filter((r) => r.server);
    totals.perPaidCall = {
      historyEvents: per(sum(costed.map((r) => r.history!.events))),
      eventTypes: Object.fromEntries(Object.entries(eventTypes).sort((a, b) => b[1] - a[1]).map(([t, n]) => [t, per(n)])),
      billableActions: per(totalActions(actions)),
      billableActionsByKind: Object.fromEntries(Object.entries(actions).map(([k, n]) => [k, per(n ?? 0)])),
      ...(metered.length === costed.length
        ? { serverActionMetric: per(sum(metered.map((r) => sum(Object.values(r.server!.actions))))) }
        : {}),
    };
  }
  return totals;
}

export function ratiosOf(paycall: SideTotals | undefined, reference: SideTotals | undefined): Ratios | undefined {
  if (!paycall || !reference || reference.paidCallsPerSecond === 0) return undefined;
  const div = (a: number, b: number) => (b > 0 ? round(a / b, 2) : 0);
  return {
    throughput: div(paycall.paidCallsPerSecond, reference.paidCallsPerSecond),
    p50: div(paycall.webhookLatency.p50, reference.webhookLatency.p50),
    p95: div(paycall.webhookLatency.p95, reference.webhookLatency.p95),
    p99: div(paycall.webhookLatency.p99, reference.webhookLatency.p99),
  };
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

function mean(values: readonly (number | undefined)[]): number | undefined {
  const known = values.filter((v): v is number => v !== undefined);
  return known.length ? round(sum(known) / known.length, 2) : undefined;
}

function round(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}
