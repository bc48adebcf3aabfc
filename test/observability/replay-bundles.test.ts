/**
 * The workflow bundles workers really run, with paycall's workflow interceptors (the call
 * metrics sink, and the OpenTelemetry ones for workers with tracing on), replay every recorded
 * history. The interceptors add no command of their own, so calls already in flight, or
 * recorded before they existed, stay replayable. The replay net (test/replay) covers the
 * workflow code; this covers what the production bundles add to it.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import { bundleWorkflowCode, DefaultLogger, Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { callMetricsSinks } from '../../src/observability/call-metrics-sinks.js';
import { tracingWorkflowInterceptorModules, workflowInterceptorModules, workflowsPath } from '../../src/worker/workflow-bundle.js';
import { quietRuntime } from '../helpers/temporal.js';

const historyRoots = ['../replay/histories/', '../operators/histories/'].map((dir) => fileURLToPath(new URL(dir, import.meta.url)));

async function recordedHistories(): Promise<{ workflowId: string; history: ReturnType<typeof historyFromJSON> }[]> {
  const files: string[] = [];
  for (const root of historyRoots) {
    for (const set of (await readdir(root, { withFileTypes: true })).filter((d) => d.isDirectory())) {
      for (const file of (await readdir(path.join(root, set.name))).filter((f) => f.endsWith('.json'))) files.push(path.join(root, set.name, file));
    }
  }
  return Promise.all(files.map(async (file) => ({ workflowId: path.relative(path.dirname(path.dirname(file)), file), history: historyFromJSON(JSON.parse(await readFile(file, 'utf8'))) })));
}

/**
 * Known not to replay with tracing switched on: agent-assisted calls recorded before lean
 * calls (their operator line ran the order look-up as a scheduled activity). The OTel
 * interceptor's Update wrapper resolves a few microtasks later, so that look-up's command
 * comes before the operator command's Update completion instead of after. Such a call must
 * finish on workers with the tracing setting it began with (docs/operations.md#tracing).
 * The test asserts they still fail, so this list stays true.
 */
const tracingMismatch = ['2026-12-02/agent-cancelled-then-paid.json', '2026-12-02/agent-hangup-mid-capture.json', '2026-12-02/agent-mistyped-declined-then-paid.json', '2026-12-02/agent-paid.json'];

describe('production workflow bundles replay recorded histories', () => {
  for (const [label, modules] of [
    ['with the call metrics interceptor', workflowInterceptorModules],
    ['with the OpenTelemetry interceptors too (tracing on)', tracingWorkflowInterceptorModules],
  ] as const) {
    it(label, async () => {
      quietRuntime();
      const histories = await recordedHistories();
      expect(histories.length).toBeGreaterThan(10);
      const bundle = await bundleWorkflowCode({ workflowsPath, workflowInterceptorModules: [...modules], logger: new DefaultLogger('WARN') });
      const failures: string[] = [];
      const results = Worker.runReplayHistories(
        { workflowBundle: bundle, replayName: 'paycall-bundle-replay', sinks: { ...callMetricsSinks(undefined), exporter: { export: { fn: () => undefined } } } },
        histories,
      );
      const failed: string[] = [];
      for await (const result of results) {
        if (!result.error) continue;
        failed.push(result.workflowId);
        if (!(modules === tracingWorkflowInterceptorModules && tracingMismatch.includes(result.workflowId))) failures.push(`${result.workflowId}: ${result.error.message}`);
      }
      expect(failures).toEqual([]);
      if (modules === tracingWorkflowInterceptorModules) expect(failed.sort()).toEqual(tracingMismatch);
    }, 120_000);
  }
});
