/**
 * `npm run temporal:search-attributes`: registers paycall's search attributes on a Temporal
 * server (docker-compose runs it once before the worker). Safe to run again: only missing
 * attributes are added.
 */
import { Connection } from '@temporalio/client';
import proto from '@temporalio/proto';
import { paycallSearchAttributes } from '../contract/search-attributes.js';
import { exitOnStartupError } from '../process/startup.js';

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

async function main(): Promise<void> {
  const address = process.env.TEMPORAL_ADDRESS || '127.0.0.1:7233';
  const namespace = process.env.TEMPORAL_NAMESPACE || 'default';
  // A fresh server may still be starting: retry the connection for up to a minute.
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      const connection = await Connection.connect({ address, connectTimeout: 5000 });
      const added = await registerSearchAttributes(connection, namespace);
      console.log(added.length ? `registered ${added.join(', ')} on ${address}/${namespace}` : `all paycall search attributes already exist on ${address}/${namespace}`);
      await connection.close();
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      console.log(`waiting for Temporal at ${address}…`);
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
  }
}

if (import.meta.url === `file://${process.argv[1]}`) main().catch(exitOnStartupError);
