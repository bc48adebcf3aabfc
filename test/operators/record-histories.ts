/**
 * `npm run histories:operators`: records the operator timeline fixtures in
 * test/operators/histories/<today>/ (paid, declined, abandoned, refunded, operator-refund) on a
 * fresh in-memory dev server, with the real Stripe activities against a local sandbox.
 * Stack traces are dropped (they hold local paths and say nothing to an operator).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { startDevServer } from '../../src/temporal/dev-server.js';
import { startTestSandbox } from '../helpers/sandbox.js';
import { recordScenarios, recordedScenarios } from './support/record.js';
import { operatorTestActivities, TestOrders } from './support/scenarios.js';

const outDir = fileURLToPath(new URL(`./histories/${new Date().toISOString().slice(0, 10)}/`, import.meta.url));

Runtime.install({ logger: new DefaultLogger('ERROR') });
const server = await startDevServer({});
const sandbox = await startTestSandbox();
const nativeConnection = await NativeConnection.connect({ address: server.address });
const connection = await Connection.connect({ address: server.address });
try {
  const client = new Client({ connection, namespace: server.namespace });
  const orders = new TestOrders();
  const worker = await Worker.create({
    connection: nativeConnection,
    namespace: server.namespace,
    taskQueue: 'operator-fixtures',
    workflowsPath: fileURLToPath(new URL('../../src/workflows/index.ts', import.meta.url)),
    activities: operatorTestActivities(sandbox.stripe(), orders),
  });
  const recorded = await worker.runUntil(recordScenarios(client, server.namespace, 'operator-fixtures', orders));
  await mkdir(outDir, { recursive: true });
  for (const name of recordedScenarios) {
    const json = JSON.parse(historyToJSON(recorded.histories[name]), (key, value) => (key === 'stackTrace' ? undefined : value));
    await writeFile(`${outDir}${name}.json`, `${JSON.stringify(json, null, 1)}\n`);
    console.log(`wrote ${outDir}${name}.json (${json.events.length} events)`);
  }
} finally {
  await nativeConnection.close();
  await connection.close();
  await sandbox.stop();
  await server.stop();
}
