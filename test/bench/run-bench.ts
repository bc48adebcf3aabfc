/**
 * The whole benchmark: prebuilds the durable sides' workflow bundles once, then runs the
 * sides in turn, round after round (A B C A B C …), each on fresh servers, and gathers the
 * report. The Temporal CLI is found (or fetched) as for `npm start`.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { resolveTemporalCli } from '../../src/temporal/temporal-cli.js';
import { workflowsPath as paycallWorkflowsPath } from '../../src/worker/workflow-bundle.js';
import type { BenchOptions } from './options.js';
import { billableActionsSource, ratiosOf, totalsOf, type BenchReport } from './report.js';
import { runSide, type SideRun } from './run-side.js';

const minimalWorkflowsPath = fileURLToPath(new URL('./sides/minimal-call-workflow.ts', import.meta.url));

export async function runBench(options: BenchOptions, progress: (line: string) => void): Promise<BenchReport> {
  const loadAverageBefore = os.loadavg().map((n) => Math.round(n * 100) / 100);
  const uptimeBefore = uptimeLine();
  const temporalCli = options.sides.some((s) => s !== 'baseline') ? (await resolveTemporalCli()).path : '';
  const runDir = await mkdtemp(path.join(os.tmpdir(), 'paycall-bench-'));
  const profileDir = options.profile ? path.resolve(options.profile) : undefined;
  if (profileDir) await mkdir(profileDir, { recursive: true });
  let failed = true;
  try {
    progress(`bench: ${options.sides.join(', ')} · ${options.calls} calls × ${options.rounds} rounds, concurrency ${options.concurrency}, dev server ${options.persistence} · run folder ${runDir}`);
    const bundles = { minimal: path.join(runDir, 'minimal-workflow-bundle.js'), paycall: path.join(runDir, 'paycall-workflow-bundle.js') };
    if (options.sides.includes('minimal')) await writeBundle(minimalWorkflowsPath, bundles.minimal);
    if (options.sides.includes('paycall')) await writeBundle(paycallWorkflowsPath, bundles.paycall);

    const runs: SideRun[] = [];
    for (let round = 1; round <= options.rounds; round++) {
      for (const side of options.sides) {
        runs.push(
          await runSide({
            side,
            round,
            calls: options.calls,
            concurrency: options.concurrency,
            warmup: options.warmup,
            persistence: options.persistence,
            temporalCli,
            runDir,
            bundles,
            ...(profileDir ? { profileDir } : {}),
            progress,
          }),
        );
      }
    }
    const sides = Object.fromEntries(options.sides.map((side) => [side, totalsOf(side, runs)]));
    const report: BenchReport = {
      settings: { calls: options.calls, concurrency: options.concurrency, rounds: options.rounds, warmup: options.warmup, persistence: options.persistence, sides: options.sides },
      machine: {
        cpus: os.cpus().length,
        loadAverageBefore,
        loadAverageAfter: os.loadavg().map((n) => Math.round(n * 100) / 100),
        node: process.version,
        ...(uptimeBefore ? { uptime: uptimeBefore } : {}),
      },
      runs: runs.map(({ latencySamples: _samples, routeSamples: _routes, ...run }) => run),
      sides,
      ratios: {
        ...(ratiosOf(sides.paycall, sides.baseline) ? { paycallToBaseline: ratiosOf(sides.paycall, sides.baseline)! } : {}),
        ...(ratiosOf(sides.paycall, sides.minimal) ? { paycallToMinimal: ratiosOf(sides.paycall, sides.minimal)! } : {}),
      },
      ...(profileDir ? { profileDir } : {}),
      allPaid: runs.every((r) => r.paid === r.calls),
      billableActionsSource,
    };
    failed = !report.allPaid;
    return report;
  } finally {
    if (options.keep || failed) progress(`bench: run folder kept: ${runDir}`);
    else await rm(runDir, { recursive: true, force: true });
  }
}

async function writeBundle(workflowsPath: string, out: string): Promise<void> {
  const { code } = await bundleWorkflowCode({ workflowsPath, logger: new DefaultLogger('WARN') });
  await writeFile(out, code);
}

/** `uptime`'s line (the machine is shared: how loaded it was), when there is such a command. */
function uptimeLine(): string | undefined {
  try {
    return execFileSync('uptime', { encoding: 'utf8' }).trim();
  } catch {
    return undefined;
  }
}
