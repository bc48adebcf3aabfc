/**
 * `npm run histories:record` runs the e2e suite with RECORD_HISTORIES=1: each scenario's
 * call history is saved as JSON under test/replay/histories/<today>/ (or the set named by
 * RECORD_HISTORIES=<name>), for the replay net. Older sets are kept.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { callWorkflowId } from '../../src/contract/call.js';

const set = !process.env.RECORD_HISTORIES || process.env.RECORD_HISTORIES === '1' ? new Date().toISOString().slice(0, 10) : process.env.RECORD_HISTORIES;
export const historiesDir = path.resolve('test/replay/histories', set);

export async function recordHistoryIfAsked(client: Client, callSid: string, name: string): Promise<void> {
  if (!process.env.RECORD_HISTORIES) return;
  const history = await client.workflow.getHandle(callWorkflowId(callSid)).fetchHistory();
  await mkdir(historiesDir, { recursive: true });
  await writeFile(path.join(historiesDir, `${name}.json`), `${historyToJSON(history)}\n`);
}
