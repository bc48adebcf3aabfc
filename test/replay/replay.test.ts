/**
 * The replay net: every recorded call history (test/replay/histories/, made by
 * `npm run histories:record`) must replay against the current workflow code. A failure
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

const historiesDir = fileURLToPath(new URL('./histories/', import.meta.url));

async function loadHistories(): Promise<{ file: string; workflowId: string; history: ReturnType<typeof historyFromJSON> }[]> {
  const files = (await readdir(historiesDir)).filter((f) => f.endsWith('.json')).sort();
  return Promise.all(
    files.map(async (file) => ({
      file,
      workflowId: path.basename(file, '.json'),
      history: historyFromJSON(JSON.parse(await readFile(path.join(historiesDir, file), 'utf8'))),
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
    const histories = (await loadHistories()).filter((h) => h.file === 'happy-path-en.json');
    expect(histories).toHaveLength(1);
    const failures = await replayAll(await bundleOf('call-workflow-with-extra-timer.ts'), histories);
    expect(failures).toHaveLength(1);
    expect(failures[0]?.error).toBeInstanceOf(DeterminismViolationError);
  });

  it('lets the same change through when it is guarded by patched()', async () => {
    const histories = (await loadHistories()).filter((h) => h.file === 'happy-path-en.json');
    const failures = await replayAll(await bundleOf('call-workflow-with-patched-timer.ts'), histories);
    expect(failures.map((f) => f.error.message)).toEqual([]);
  });
});
