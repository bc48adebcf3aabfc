/**
 * The replay net: every recorded history (test/replay/histories/<set>/, made by
 * `npm run histories:record`, and the operator fixtures) must replay against the current workflow code. A failure
 * names the history file and the error, which says which event no longer matches.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import { DeterminismViolationError } from '@temporalio/workflow';
import { bundleWorkflowCode, DefaultLogger, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { workflowBundle } from '../helpers/temporal.js';

/**
 * Sets of recorded histories, one folder per recording date (`npm run histories:record`
 * writes today's). Older sets stay as long as calls of their age may still be in flight:
 * they prove the patched() branches for those calls. The operator fixtures replay too.
 */
const historySets = [
  { label: '', dir: fileURLToPath(new URL('./histories/', import.meta.url)) },
  { label: 'operators/', dir: fileURLToPath(new URL('../operators/histories/', import.meta.url)) },
];

/** The oldest set holds the calls that began before every patch: the net's own checks use one of them. */
const oldestHappyPath = '2026-11-27/happy-path-en.json';

async function loadHistories(): Promise<{ file: string; workflowId: string; history: ReturnType<typeof historyFromJSON> }[]> {
  const found: { file: string; path: string }[] = [];
  for (const { label, dir } of historySets) {
    for (const set of (await readdir(dir, { withFileTypes: true })).filter((d) => d.isDirectory())) {
      for (const file of (await readdir(path.join(dir, set.name))).filter((f) => f.endsWith('.json'))) {
        found.push({ file: `${label}${set.name}/${file}`, path: path.join(dir, set.name, file) });
      }
    }
  }
  return Promise.all(
    found.sort((a, b) => a.file.localeCompare(b.file)).map(async ({ file, path: full }) => ({
      file,
      workflowId: file.replace(/\.json$/, ''),
      history: historyFromJSON(JSON.parse(await readFile(full, 'utf8'))),
    })),
  );
}

async function replayAll(bundle: WorkflowBundleWithSourceMap, histories: Awaited<ReturnType<typeof loadHistories>>) {
  const failures: { file: string; error: Error }[] = [];
  const results = Worker.runReplayHistories(
    { workflowBundle: bundle, replayName: 'paycall-replay-net' },
    histories.map(({ workflowId, history }) => ({ workflowId, history })),
  );
  for await (const result of results) {
    if (result.error) failures.push({ file: `${result.workflowId}.json`, error: result.error });
  }
  return failures;
}

function bundleOf(fixture: string): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({
    workflowsPath: fileURLToPath(new URL(`./fixtures/${fixture}`, import.meta.url)),
    logger: new DefaultLogger('WARN'),
  });
}

describe('replay of recorded call histories', () => {
  it('every recorded history replays against the current workflow code', async () => {
    const histories = await loadHistories();
    expect(histories.length, 'no recorded histories: run npm run histories:record').toBeGreaterThanOrEqual(10);
    const failures = await replayAll(await workflowBundle(), histories);
    const report = failures.map(({ file, error }) => `${file}: ${error.name}: ${error.message}`).join('\n');
    expect(report, 'these histories no longer replay (see README "Changing the workflow safely")').toBe('');
  });

  it('catches an incompatible change: an unguarded new timer fails replay', async () => {
    const histories = (await loadHistories()).filter((h) => h.file === oldestHappyPath);
    expect(histories).toHaveLength(1);
    const failures = await replayAll(await bundleOf('call-workflow-with-extra-timer.ts'), histories);
    expect(failures).toHaveLength(1);
    expect(failures[0]?.error).toBeInstanceOf(DeterminismViolationError);
  });

  it('lets the same change through when it is guarded by patched()', async () => {
    const histories = (await loadHistories()).filter((h) => h.file === oldestHappyPath);
    const failures = await replayAll(await bundleOf('call-workflow-with-patched-timer.ts'), histories);
    expect(failures.map((f) => f.error.message)).toEqual([]);
  });
});
