/**
 * The call workflow upserts paycall's search attributes; on a server that lacks one, every
 * workflow task would fail. So the worker checks at start and names what is missing.
 */
import type { NativeConnection } from '@temporalio/worker';
import { paycallSearchAttributes } from '../contract/search-attributes.js';

export class MissingSearchAttributesError extends Error {
  constructor(missing: { name: string; type: string }[], namespace: string) {
    const typeName: Record<string, string> = { KEYWORD: 'Keyword', INT: 'Int' };
    super(
      `Temporal namespace "${namespace}" lacks paycall's search attribute(s) ${missing.map((m) => m.name).join(', ')}. Create them with:\n` +
        missing
          .map((m) => `  temporal operator search-attribute create --namespace ${namespace} --name ${m.name} --type ${typeName[m.type] ?? m.type}`)
          .join('\n') +
        `\nor all at once: TEMPORAL_ADDRESS=<address> TEMPORAL_NAMESPACE=${namespace} npm run temporal:search-attributes`,
    );
    this.name = 'MissingSearchAttributesError';
  }
}

export async function checkSearchAttributes(connection: NativeConnection, namespace: string): Promise<void> {
  const response = await connection.operatorService.listSearchAttributes({ namespace });
  const known = new Set(Object.keys(response.customAttributes ?? {}));
  const missing = paycallSearchAttributes.filter((key) => !known.has(key.name)).map((key) => ({ name: key.name, type: key.type }));
  if (missing.length > 0) throw new MissingSearchAttributesError(missing, namespace);
}
