/** The benchmark report as text: runs, sides over all rounds, ratios, cost per paid call, profile. */
import type { LatencyStats } from '../../src/stand-ins/phone-simulator/index.js';
import { actionKinds } from './billable-actions.js';
import type { BenchReport, Ratios, SideTotals } from './report.js';
import { twimlRoutes } from './run-side.js';
import { sideLabels, type SideName } from './sides.js';

const ms = (n: number) => n.toFixed(1).padStart(8);
const num = (n: number | undefined, width = 8, digits = 2) => (n === undefined ? '–' : n.toFixed(digits)).padStart(width);
const latencyCells = (l: LatencyStats) => `${ms(l.p50)}${ms(l.p95)}${ms(l.p99)}${ms(l.max)}`;
const cpuCells = (cpu: Record<string, number | undefined>) => `${num(cpu.app, 6)}${num(cpu.temporal, 9)}${num(cpu.loadGenerator, 9)}`;

export function formatReport(report: BenchReport): string {
  const { settings, machine } = report;
  const lines: string[] = [];
  lines.push(
    `paycall benchmark · ${settings.calls} calls per side per round (+${settings.warmup} warm-up), concurrency ${settings.concurrency}, ${settings.rounds} round(s), dev server persistence: ${settings.persistence}`,
  );
  lines.push(`machine: ${machine.cpus} CPUs, node ${machine.node}, load average ${machine.loadAverageBefore.join(' ')} before, ${machine.loadAverageAfter.join(' ')} after`);
  if (machine.uptime) lines.push(`  uptime before: ${machine.uptime}`);
  lines.push('');
  lines.push(`webhook latency: every attempt on the routes a caller waits on for TwiML (${twimlRoutes.map((r) => r.replace('/twilio/', '')).join(', ')}), ms;`);
  lines.push('cpu: cores used during the measured calls by the side\'s process (app), its Temporal dev server, and the bench (the phone simulator)');
  lines.push('');
  const header = `${'side'.padEnd(26)}${'paid/calls'.padStart(11)}${'paid calls/s'.padStart(14)}${'p50'.padStart(8)}${'p95'.padStart(8)}${'p99'.padStart(8)}${'max'.padStart(8)}${'app'.padStart(6)}${'temporal'.padStart(9)}${'bench'.padStart(9)}`;
  lines.push(`round ${header}${'webhooks/call'.padStart(15)}`);
  for (const run of report.runs) {
    lines.push(
      `${String(run.round).padEnd(6)}${sideLabels[run.side].padEnd(26)}${`${run.paid}/${run.calls}`.padStart(11)}${num(run.paidCallsPerSecond, 14)}${latencyCells(run.webhookLatency)}${cpuCells(run.cpu)}${num(run.webhooksPerCall, 15, 1)}`,
    );
    const unpaid = Object.entries(run.unpaid).sort((a, b) => b[1] - a[1]);
    if (unpaid.length) lines.push(`      not paid: ${unpaid.map(([reason, n]) => `${n} × ${reason}`).join('; ')}`);
  }
  lines.push('');
  lines.push(`all rounds (paid calls over total time; latencies pooled; cpu the mean)`);
  lines.push(`      ${header}`);
  const sides = Object.values(report.sides) as SideTotals[];
  for (const s of sides) {
    lines.push(`      ${sideLabels[s.side].padEnd(26)}${`${s.paid}/${s.calls}`.padStart(11)}${num(s.paidCallsPerSecond, 14)}${latencyCells(s.webhookLatency)}${cpuCells(s.cpu)}`);
  }
  lines.push('');
  const ratio = (label: string, r: Ratios | undefined) =>
    r && lines.push(`paycall ÷ ${label.padEnd(24)} throughput ${r.throughput.toFixed(2)}   p50 ${r.p50.toFixed(2)}×   p95 ${r.p95.toFixed(2)}×   p99 ${r.p99.toFixed(2)}×`);
  ratio(sideLabels.baseline, report.ratios.paycallToBaseline);
  ratio(sideLabels.minimal, report.ratios.paycallToMinimal);
  if (report.ratios.paycallToBaseline || report.ratios.paycallToMinimal) lines.push('');

  lines.push(...formatCost(report));
  lines.push(...formatRoutes(sides));
  if (report.profileDir) lines.push(...formatProfile(report));
  lines.push(report.allPaid ? 'every measured call of every side paid.' : 'NOT every measured call paid: see "not paid" above, and the side logs in the kept run folder.');
  return lines.join('\n');
}

function formatCost(report: BenchReport): string[] {
  const costed = (['paycall', 'minimal'] as SideName[]).map((s) => report.sides[s]).filter((s): s is SideTotals => Boolean(s?.perPaidCall));
  if (!costed.length) return [];
  const lines = ['per paid call, from the workflow histories' + ' '.repeat(6) + costed.map((s) => sideLabels[s.side].padStart(24)).join('')];
  const row = (label: string, values: (number | undefined)[]) => lines.push(`  ${label.padEnd(46)}${values.map((v) => num(v, 24)).join('')}`);
  row('history events', costed.map((s) => s.perPaidCall!.historyEvents));
  row('billable actions (Temporal Cloud, estimate)', costed.map((s) => s.perPaidCall!.billableActions));
  for (const kind of actionKinds) {
    const values = costed.map((s) => s.perPaidCall!.billableActionsByKind[kind]);
    if (values.some((v) => v !== undefined)) row(`  ${kind}`, values.map((v) => v ?? 0));
  }
  row("the dev server's own action metric", costed.map((s) => s.perPaidCall!.serverActionMetric));
  lines.push('  history events by type:');
  const types = [...new Set(costed.flatMap((s) => Object.keys(s.perPaidCall!.eventTypes)))];
  for (const type of types) row(`  ${type}`, costed.map((s) => s.perPaidCall!.eventTypes[type] ?? 0));
  lines.push(`  billable actions as ${report.billableActionsSource} lists them (test/bench/billable-actions.ts);`);
  lines.push('  queries, activity heartbeats and rejected Updates are billed but not in histories, so not counted');
  lines.push('');
  return lines;
}

function formatRoutes(sides: SideTotals[]): string[] {
  const lines = ['latency per route, all rounds pooled (ms, every HTTP attempt)'];
  lines.push(`  ${'side'.padEnd(26)}${'route'.padEnd(22)}${'count'.padStart(7)}${'errors'.padStart(7)}${'p50'.padStart(8)}${'p95'.padStart(8)}${'p99'.padStart(8)}${'max'.padStart(8)}`);
  for (const s of sides) {
    for (const [route, l] of Object.entries(s.routes)) {
      lines.push(`  ${sideLabels[s.side].padEnd(26)}${route.padEnd(22)}${String(l.count).padStart(7)}${String(l.errors).padStart(7)}${latencyCells(l)}`);
    }
  }
  lines.push('');
  return lines;
}

function formatProfile(report: BenchReport): string[] {
  const lines = [`profile (files in ${report.profileDir})`];
  for (const run of report.runs) {
    if (run.server && run.paid > 0) {
      const perCall = (totalMs: number) => (totalMs / run.paid).toFixed(1).padStart(8);
      lines.push(`  round ${run.round} · ${sideLabels[run.side]}: Temporal server time per paid call (ms; summed over concurrent requests)`);
      for (const t of run.server.requests) lines.push(`    request      ${`${t.service}/${t.operation}`.padEnd(52)}${perCall(t.totalMs)}   ${(t.calls / run.paid).toFixed(1)} per call`);
      for (const t of run.server.persistence) lines.push(`    persistence  ${`${t.service}/${t.operation}`.padEnd(52)}${perCall(t.totalMs)}   ${(t.calls / run.paid).toFixed(1)} per call`);
    }
    for (const profile of run.cpuProfiles ?? []) {
      lines.push(`  round ${run.round} · paycall CPU profile, ${profile.thread} (${profile.file.split('/').pop()}): ${profile.busyMs} ms busy of ${profile.sampledMs} ms sampled`);
      for (const p of profile.byPlace) lines.push(`    ${p.place.padEnd(44)}${p.ms.toFixed(0).padStart(8)} ms ${p.share.toFixed(1).padStart(6)} %`);
      lines.push('    hottest functions (self time):');
      for (const f of profile.hottest.slice(0, 8)) lines.push(`      ${f.fn.slice(0, 90).padEnd(90)}${f.ms.toFixed(0).padStart(8)} ms`);
    }
  }
  lines.push('');
  return lines;
}
