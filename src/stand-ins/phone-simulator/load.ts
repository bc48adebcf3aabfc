/**
 * Load mode: N scripted calls, C at a time, scenarios picked by weight (smooth weighted
 * round-robin, so the proportions are exact and runs repeatable). Reports calls completed,
 * failures by kind, how calls ended, and per-route latency percentiles over every HTTP
 * attempt. Correct rather than tuned: one Node process, real timers.
 */
import { performance } from 'node:perf_hooks';
import { createStripeTokenizer, DEFAULT_STRIPE_URL } from './stripe-tokenizer.js';
import { placeCall, type PlaceCallOptions } from './place-call.js';
import { failureKind, type CallRecord, type EndHow } from './record.js';
import type { WeightedScenario } from './scenario.js';

export interface LoadOptions
  extends Omit<PlaceCallOptions, 'caller' | 'steps' | 'keys' | 'scenario' | 'callSid' | 'signal'> {
  calls: number;
  concurrency: number;
  mix: readonly WeightedScenario[];
  /** Called as each call finishes. */
  onCall?: (record: CallRecord, index: number) => void;
  /** Keep every call's record in the report (default false: only the summary). */
  keepRecords?: boolean;
}

export interface LatencyStats {
  count: number;
  /** Attempts without a 2xx response (timeouts, connection failures, HTTP errors). */
  errors: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export interface LoadReport {
  calls: number;
  concurrency: number;
  /** Calls that did not end in app-error or error. */
  completed: number;
  failed: number;
  /** `app-error:response-timeout` → count, … */
  failuresByKind: Record<string, number>;
  endedBy: Partial<Record<EndHow, number>>;
  byScenario: Record<string, { calls: number; failed: number }>;
  /** Route (path without query) → latency of every attempt, ms. */
  routes: Record<string, LatencyStats>;
  wallMs: number;
  callsPerSecond: number;
  records?: CallRecord[];
}

/** Nearest-rank percentile of sorted values (p in 0..100). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1]!;
}

export function latencyStats(values: readonly number[], errors = 0): LatencyStats {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    count: sorted.length,
    errors,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted.length ? sorted[sorted.length - 1]! : 0,
  };
}

/** Which scenario each call runs: smooth weighted round-robin over the mix. */
export function planCalls(mix: readonly WeightedScenario[], calls: number): number[] {
  if (mix.length === 0) throw new Error('load mode needs at least one scenario');
  const total = mix.reduce((s, m) => s + m.weight, 0);
  const current = mix.map(() => 0);
  const plan: number[] = [];
  for (let i = 0; i < calls; i++) {
    let best = 0;
    mix.forEach((m, j) => {
      current[j]! += m.weight;
      if (current[j]! > current[best]!) best = j;
    });
    current[best]! -= total;
    plan.push(best);
  }
  return plan;
}

export function summarize(records: readonly CallRecord[], options: { concurrency: number; wallMs: number }): LoadReport {
  const failuresByKind: Record<string, number> = {};
  const endedBy: Partial<Record<EndHow, number>> = {};
  const byScenario: Record<string, { calls: number; failed: number }> = {};
  const latencies = new Map<string, number[]>();
  const errors = new Map<string, number>();
  let failed = 0;
  for (const r of records) {
    endedBy[r.ended.how] = (endedBy[r.ended.how] ?? 0) + 1;
    const kind = failureKind(r.ended);
    const s = (byScenario[r.scenario ?? '(none)'] ??= { calls: 0, failed: 0 });
    s.calls++;
    if (kind) {
      failed++;
      s.failed++;
      failuresByKind[kind] = (failuresByKind[kind] ?? 0) + 1;
    }
    for (const req of r.requests) {
      const list = latencies.get(req.path) ?? [];
      list.push(req.latencyMs);
      latencies.set(req.path, list);
      if (req.outcome !== 'ok') errors.set(req.path, (errors.get(req.path) ?? 0) + 1);
    }
  }
  const routes: Record<string, LatencyStats> = {};
  for (const path of [...latencies.keys()].sort()) routes[path] = latencyStats(latencies.get(path)!, errors.get(path) ?? 0);
  return {
    calls: records.length,
    concurrency: options.concurrency,
    completed: records.length - failed,
    failed,
    failuresByKind,
    endedBy,
    byScenario,
    routes,
    wallMs: Math.round(options.wallMs),
    callsPerSecond: options.wallMs > 0 ? Math.round((records.length / options.wallMs) * 1000 * 100) / 100 : 0,
  };
}

export async function runLoad(options: LoadOptions): Promise<LoadReport> {
  const { calls, concurrency, mix, onCall, keepRecords, ...callOptions } = options;
  if (!Number.isInteger(calls) || calls < 1) throw new Error(`--calls must be a positive integer (got ${calls})`);
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new Error(`--concurrency must be a positive integer (got ${concurrency})`);
  const plan = planCalls(mix, calls);
  // One Stripe client for the whole run.
  const tokenize =
    callOptions.tokenize ??
    createStripeTokenizer({
      url: callOptions.stripeUrl ?? process.env.STRIPE_SANDBOX_URL ?? DEFAULT_STRIPE_URL,
      ...(callOptions.stripeApiKey ? { apiKey: callOptions.stripeApiKey } : {}),
    });
  const records: CallRecord[] = new Array(calls);
  let next = 0;
  const t0 = performance.now();
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= calls) return;
      const record = await placeCall({ ...callOptions, tokenize, scenario: mix[plan[i]!]!.scenario });
      records[i] = record;
      onCall?.(record, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, calls) }, worker));
  const report = summarize(records, { concurrency, wallMs: performance.now() - t0 });
  if (keepRecords) report.records = records;
  return report;
}

export function formatLoadReport(report: LoadReport): string {
  const lines: string[] = [];
  lines.push(
    `calls: ${report.calls} (concurrency ${report.concurrency}) in ${(report.wallMs / 1000).toFixed(1)} s, ${report.callsPerSecond} calls/s`,
  );
  lines.push(`completed: ${report.completed}   failed: ${report.failed}`);
  const kinds = Object.entries(report.failuresByKind).sort((a, b) => b[1] - a[1]);
  if (kinds.length) {
    lines.push('failures by kind:');
    for (const [k, n] of kinds) lines.push(`  ${k.padEnd(40)} ${n}`);
  }
  lines.push(`ended by: ${Object.entries(report.endedBy).map(([k, n]) => `${k} ${n}`).join(', ')}`);
  const scen = Object.entries(report.byScenario);
  if (scen.length > 1) {
    lines.push('by scenario:');
    for (const [name, s] of scen) lines.push(`  ${name.padEnd(40)} ${s.calls} calls, ${s.failed} failed`);
  }
  lines.push('latency per route (ms, every HTTP attempt):');
  const header = `  ${'route'.padEnd(28)} ${'count'.padStart(6)} ${'errors'.padStart(6)} ${'p50'.padStart(8)} ${'p95'.padStart(8)} ${'p99'.padStart(8)} ${'max'.padStart(8)}`;
  lines.push(header);
  for (const [route, s] of Object.entries(report.routes)) {
    const f = (n: number) => n.toFixed(1).padStart(8);
    lines.push(`  ${route.padEnd(28)} ${String(s.count).padStart(6)} ${String(s.errors).padStart(6)} ${f(s.p50)} ${f(s.p95)} ${f(s.p99)} ${f(s.max)}`);
  }
  return lines.join('\n');
}
