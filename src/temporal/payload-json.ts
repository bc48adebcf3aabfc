/**
 * Temporal payloads in the JSON form of the codec server protocol (what the Web UI and the
 * CLI send to /encode and /decode): `{ payloads: [{ metadata: { key: base64 }, data: base64 }] }`,
 * the proto3 JSON mapping of `temporal.api.common.v1.Payloads`. Validated with zod.
 */
import type { Payload } from '@temporalio/common';
import { z } from 'zod';

const base64 = z.string().regex(/^[A-Za-z0-9+/_-]*={0,2}$/, 'must be base64');

export const payloadJsonSchema = z.object({
  metadata: z.record(z.string(), base64).optional(),
  data: base64.optional(),
});

/** At most this many payloads per request: a history's page of events, with room to spare. */
export const maxPayloadsPerRequest = 1000;

export const payloadsJsonSchema = z.object({
  payloads: z.array(payloadJsonSchema).max(maxPayloadsPerRequest),
});

export type PayloadJson = z.infer<typeof payloadJsonSchema>;

export function payloadFromJson(json: PayloadJson): Payload {
  const metadata: Record<string, Uint8Array> = {};
  for (const [key, value] of Object.entries(json.metadata ?? {})) metadata[key] = Buffer.from(value, 'base64');
  return { metadata, data: Buffer.from(json.data ?? '', 'base64') };
}

export function payloadToJson(payload: Payload): PayloadJson {
  const metadata: Record<string, string> = {};
  for (const [key, value] of Object.entries(payload.metadata ?? {})) if (value) metadata[key] = Buffer.from(value).toString('base64');
  return { metadata, data: Buffer.from(payload.data ?? new Uint8Array()).toString('base64') };
}
