/**
 * Runs every payload list in a history through the payload codecs (decrypts what
 * src/temporal/encryption-codec.ts encrypted), in place, before the timeline reads it.
 * Search attributes are never encoded, so they are left alone.
 */
import type { PayloadCodec } from '@temporalio/common';
import type { History } from '@temporalio/common/lib/proto-utils.js';
import type { HistoryEvent } from './types.js';

type Payload = NonNullable<NonNullable<HistoryEvent['workflowExecutionStartedEventAttributes']>['input']>['payloads'] extends (infer P)[] | null | undefined ? P : never;

export async function decodeHistoryPayloads(history: History, codecs: readonly PayloadCodec[]): Promise<History> {
  if (codecs.length === 0) return history;
  const containers: { payloads: Payload[] }[] = [];
  const walk = (value: unknown): void => {
    if (!value || typeof value !== 'object' || value instanceof Uint8Array) return;
    if (Array.isArray(value)) return value.forEach(walk);
    const record = value as Record<string, unknown>;
    if (Array.isArray(record.payloads)) containers.push(record as { payloads: Payload[] });
    for (const key of Object.keys(record)) if (key !== 'payloads' && key !== 'indexedFields') walk(record[key]);
  };
  walk(history.events);
  for (const container of containers) {
    let payloads = container.payloads;
    for (const codec of [...codecs].reverse()) payloads = await codec.decode(payloads);
    container.payloads = payloads;
  }
  return history;
}
