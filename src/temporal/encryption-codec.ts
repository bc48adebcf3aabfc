/**
 * Encrypts every Temporal payload (workflow inputs, results, Update and Signal arguments)
 * with AES-256-GCM before it leaves the process, so the Temporal server and its database
 * never hold a caller's phone number in the clear. Used by the web client and the worker
 * alike when PAYLOAD_ENCRYPTION_KEY is set; older keys named in PAYLOAD_DECRYPTION_KEYS still
 * decrypt what they wrote (key-ring.ts). Search attributes and workflow ids are never
 * encrypted by Temporal: paycall keeps personal data out of them.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { METADATA_ENCODING_KEY, type Payload, type PayloadCodec } from '@temporalio/common';
import proto from '@temporalio/proto';
import { buildKeyRing, type PayloadKey } from './key-ring.js';

// @temporalio/proto is CommonJS: take the namespace from its default export under plain Node ESM.
const { temporal } = proto;

const ENCODING = 'binary/encrypted';
const KEY_ID = 'encryption-key-id';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export class EncryptionCodec implements PayloadCodec {
  private readonly keys: Map<string, Buffer>;

  /** `keys` maps key ids to 32-byte keys; new payloads use `currentKeyId`, old ones decrypt with theirs. */
  constructor(
    keys: Record<string, Buffer>,
    private readonly currentKeyId: string,
  ) {
    this.keys = new Map(Object.entries(keys));
    for (const [id, key] of this.keys) if (key.length !== 32) throw new Error(`Payload encryption key "${id}" must be 32 bytes`);
    if (!this.keys.has(currentKeyId)) throw new Error(`No payload encryption key with id "${currentKeyId}"`);
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    const key = this.keys.get(this.currentKeyId)!;
    return payloads.map((payload) => {
      const plain = temporal.api.common.v1.Payload.encode(payload).finish();
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const data = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
      return {
        metadata: { [METADATA_ENCODING_KEY]: new TextEncoder().encode(ENCODING), [KEY_ID]: new TextEncoder().encode(this.currentKeyId) },
        data,
      };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      const encoding = payload.metadata?.[METADATA_ENCODING_KEY];
      if (!encoding || new TextDecoder().decode(encoding) !== ENCODING) return payload;
      const keyIdBytes = payload.metadata?.[KEY_ID];
      const keyId = keyIdBytes ? new TextDecoder().decode(keyIdBytes) : '';
      const key = this.keys.get(keyId);
      if (!key) {
        throw new Error(`Cannot decrypt payload: it was encrypted with key id "${keyId}", and this process has ${this.keyIds.join(', ')} (add it to PAYLOAD_DECRYPTION_KEYS)`);
      }
      const data = Buffer.from(payload.data ?? new Uint8Array());
      const iv = data.subarray(0, IV_BYTES);
      const tag = data.subarray(data.length - TAG_BYTES);
      const decipher = createDecipheriv('aes-256-gcm', key, iv);
      decipher.setAuthTag(tag);
      let plain: Buffer;
      try {
        plain = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
      } catch {
        throw new Error(`Cannot decrypt payload: key id "${keyId}" is a different key here than where the payload was encrypted (give every process the same key for that id)`);
      }
      return temporal.api.common.v1.Payload.decode(plain);
    });
  }

  /** The ids this codec decrypts (the encrypting one first). */
  get keyIds(): string[] {
    return [this.currentKeyId, ...[...this.keys.keys()].filter((id) => id !== this.currentKeyId)];
  }
}

export interface PayloadKeyConfig {
  PAYLOAD_ENCRYPTION_KEY?: Buffer | undefined;
  PAYLOAD_ENCRYPTION_KEY_ID: string;
  PAYLOAD_DECRYPTION_KEYS?: readonly PayloadKey[] | undefined;
}

/** paycall's payload codec for this configuration, or undefined when payloads are not encrypted. */
export function payloadCodecFor(config: PayloadKeyConfig): EncryptionCodec | undefined {
  const ring = buildKeyRing(config);
  return ring ? new EncryptionCodec(ring.keys, ring.encryptionKeyId) : undefined;
}

/** The data converter for clients and workers: encrypting when a key is configured. */
export function dataConverterFor(config: PayloadKeyConfig) {
  const codec = payloadCodecFor(config);
  return codec ? { payloadCodecs: [codec] } : undefined;
}
