/**
 * `npm run bench` works: a tiny run (4 calls, 2 at a time, 1 round) of all three sides
 * prints a JSON report of the expected shape in which every side paid every call, and the
 * text report renders it. No timing is asserted: this is a check that the tool works, not
 * a measurement (the bench itself is not part of `npm test`).
 */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { formatReport } from './format-report.js';
import type { BenchReport } from './report.js';
import { projectRoot } from './side-process.js';

function runBench(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['run', '--silent', 'bench', '--', ...args], { cwd: projectRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('npm run bench', () => {
  it('runs the three sides and reports paid calls, latencies, ratios and the cost of a paid call', { timeout: 300_000 }, async () => {
    const { code, stdout, stderr } = await runBench(['--calls', '4', '--concurrency', '2', '--rounds', '1', '--warmup', '1', '--json']);
    expect(code, stderr).toBe(0);
    const report = JSON.parse(stdout) as BenchReport;

    expect(report.settings).toMatchObject({ calls: 4, concurrency: 2, rounds: 1, persistence: 'file', sides: ['baseline', 'minimal', 'paycall'] });
    expect(report.runs.map((r) => r.side)).toEqual(['baseline', 'minimal', 'paycall']);
    for (const run of report.runs) {
      expect(run, run.side).toMatchObject({ calls: 4, paid: 4, failed: 0 });
      expect(run.paidCallsPerSecond).toBeGreaterThan(0);
      expect(run.webhookLatency.count).toBeGreaterThanOrEqual(4 * 4); // voice, two gathers, pay per call
      expect(run.webhookLatency.p50).toBeLessThanOrEqual(run.webhookLatency.p99);
      expect(Object.keys(run.routes)).toEqual(expect.arrayContaining(['/twilio/voice', '/twilio/gather', '/twilio/pay', '/twilio/pay-status', '/twilio/status']));
    }
    expect(report.allPaid).toBe(true);

    for (const side of ['baseline', 'minimal', 'paycall'] as const) expect(report.sides[side]).toMatchObject({ calls: 4, paid: 4 });
    for (const ratios of [report.ratios.paycallToBaseline, report.ratios.paycallToMinimal]) {
      expect(ratios).toEqual({ throughput: expect.any(Number), p50: expect.any(Number), p95: expect.any(Number), p99: expect.any(Number) });
    }

    // The durable sides' histories: one start per call, every Update accepted; paycall also runs activities.
    const minimal = report.sides.minimal!.perPaidCall!;
    expect(minimal.eventTypes.WorkflowExecutionStarted).toBe(1);
    expect(minimal.billableActionsByKind).toEqual({ 'workflow started': 1, 'update accepted': 5 });
    expect(minimal.billableActions).toBe(6);
    const paycall = report.sides.paycall!.perPaidCall!;
    expect(paycall.eventTypes.WorkflowExecutionStarted).toBe(1);
    // The incoming call starts the workflow without an Update (the opening turn needs no workflow task).
    expect(paycall.billableActionsByKind['update accepted']).toBe(3);
    expect(paycall.billableActionsByKind.activity).toBeGreaterThanOrEqual(1);
    expect(paycall.historyEvents).toBeGreaterThan(minimal.historyEvents);
    expect(paycall.serverActionMetric).toBeGreaterThan(0);
    expect(report.billableActionsSource).toBe('https://docs.temporal.io/cloud/actions');

    const text = formatReport(report);
    for (const label of ['stateless baseline IVR', 'minimal durable call', 'paycall (npm start)', 'paycall ÷', 'history events', 'billable actions']) {
      expect(text).toContain(label);
    }
  });
});
