/**
 * `npm run temporal:search-attributes`: registers paycall's search attributes on a Temporal
 * server (docker-compose runs it once before the worker). Safe to run again: only missing
 * attributes are added.
 */
import type { Connection } from '@temporalio/client';
import proto from '@temporalio/proto';
import { paycallSearchAttributes } from '../contract/search-attributes.js';
import { exitOnStartupError } from '../process/startup.js';
import { temporalConnection } from './connect.js';
import { TemporalConnectError, connectAndCheck } from './connection-check.js';
import { cloudRegistrationInstructions, isOperatorServiceRefusal, isTemporalCloudAddress } from './search-attributes-cloud.js';

// @temporalio/proto is CommonJS: take the namespace from its default export under plain Node ESM.
const { temporal } = proto;

const indexedType: Record<string, number> = {
  KEYWORD: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  INT: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_INT,
};

export async function registerSearchAttributes(connection: Pick<Connection, 'operatorService'>, namespace: string): Promise<string[]> {
  const existing = await connection.operatorService.listSearchAttributes({ namespace });
  const known = new Set(Object.keys(existing.customAttributes ?? {}));
  const missing = paycallSearchAttributes.filter((key) => !known.has(key.name));
  if (missing.length === 0) return [];
  await connection.operatorService.addSearchAttributes({
    namespace,
    searchAttributes: Object.fromEntries(missing.map((key) => [key.name, indexedType[key.type]!])),
  });
  return missing.map((key) => key.name);
}

/** Registers what is missing; on Temporal Cloud (which refuses OperatorService registration) prints the tcld command instead. */
async function main(): Promise<void> {
  const settings = temporalConnection();
  const { address, namespace } = settings;
  if (isTemporalCloudAddress(address)) {
    const missing = await missingOn(settings).catch(() => [...paycallSearchAttributes]);
    console.log(cloudRegistrationInstructions({ address, namespace, missing: missing.map(definitionOf), reason: 'cloud-address' }));
    if (missing.length > 0) process.exitCode = 1;
    return;
  }
  // A fresh server may still be starting: retry the connection for up to a minute.
  const deadline = Date.now() + 60_000;
  for (;;) {
    let connection: Connection | undefined;
    try {
      connection = await connectAndCheck(settings, 'client', { timeoutMs: 5000, skipNamespaceCheck: true });
      const added = await registerSearchAttributes(connection, namespace);
      console.log(added.length ? `registered ${added.join(', ')} on ${address}/${namespace}` : `all paycall search attributes already exist on ${address}/${namespace}`);
      return;
    } catch (err) {
      if (isOperatorServiceRefusal(err)) {
        const missing = connection ? await missingWith(connection, namespace).catch(() => [...paycallSearchAttributes]) : [...paycallSearchAttributes];
        console.log(cloudRegistrationInstructions({ address, namespace, missing: missing.map(definitionOf), reason: 'refused' }));
        process.exitCode = 1;
        return;
      }
      const retryable = !(err instanceof TemporalConnectError) || err.retryable;
      if (!retryable || Date.now() > deadline) throw err;
      console.log(`waiting for Temporal at ${address}…`);
      await new Promise((resolve) => setTimeout(resolve, 2000));
    } finally {
      await connection?.close().catch(() => undefined);
    }
  }
}

function definitionOf(key: (typeof paycallSearchAttributes)[number]) {
  return { name: key.name, type: key.type };
}

async function missingWith(connection: Pick<Connection, 'operatorService'>, namespace: string) {
  const existing = await connection.operatorService.listSearchAttributes({ namespace });
  const known = new Set(Object.keys(existing.customAttributes ?? {}));
  return paycallSearchAttributes.filter((key) => !known.has(key.name));
}

async function missingOn(settings: ReturnType<typeof temporalConnection>) {
  const connection = await connectAndCheck(settings, 'client', { timeoutMs: 5000, skipNamespaceCheck: true });
  try {
    return await missingWith(connection, settings.namespace);
  } finally {
    await connection.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) main().catch(exitOnStartupError);
