/** Connects tests to the run's shared Temporal dev server (started in global setup). */
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { Client, Connection } from '@temporalio/client';
import { Runtime, DefaultLogger, bundleWorkflowCode, type NativeConnection, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { connectClient, connectWorker } from '../../src/temporal/connect.js';
import { inject } from 'vitest';

export interface TestTemporal {
  address: string;
  namespace: string;
  client: Client;
  connection: Connection;
  nativeConnection: NativeConnection;
  close(): Promise<void>;
}

let runtimeInstalled = false;

/** The SDK logs worker state changes at INFO; tests only want warnings. */
export function quietRuntime(): void {
  if (runtimeInstalled) return;
  Runtime.install({ logger: new DefaultLogger('WARN') });
  runtimeInstalled = true;
}

export async function connectTestTemporal(): Promise<TestTemporal> {
  quietRuntime();
  const address = inject('temporalAddress');
  const namespace = inject('temporalNamespace');
  // Through paycall's own connection module, as every process connects.
  const env = { TEMPORAL_ADDRESS: address, TEMPORAL_NAMESPACE: namespace };
  const { client, connection } = await connectClient({ PAYLOAD_ENCRYPTION_KEY_ID: 'k1' }, { env });
  const { connection: nativeConnection } = await connectWorker({ PAYLOAD_ENCRYPTION_KEY_ID: 'k1' }, { env });
  return {
    address,
    namespace,
    client,
    connection,
    nativeConnection,
    async close() {
      await nativeConnection.close();
      await connection.close();
    },
  };
}

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;

/** paycall's workflow bundle, built once per test file. */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  quietRuntime();
  bundle ??= bundleWorkflowCode({
    workflowsPath: fileURLToPath(new URL('../../src/workflows/index.ts', import.meta.url)),
    logger: new DefaultLogger('WARN'),
  });
  return bundle;
}

export function uniqueTaskQueue(prefix: string): string {
  return `${prefix}-${randomUUID()}`;
}

export function uniqueCallSid(): string {
  return `CA${randomUUID().replace(/-/g, '')}`;
}
