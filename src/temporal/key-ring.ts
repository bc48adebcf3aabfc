/**
 * The payload key ring: one key encrypts new payloads, older keys (by id) still decrypt the
 * payloads they wrote, so a key can be rotated while calls are in flight and old histories
 * stay readable. Configured by PAYLOAD_ENCRYPTION_KEY (+ PAYLOAD_ENCRYPTION_KEY_ID) and
 * PAYLOAD_DECRYPTION_KEYS (`k1:<base64>,k0:<base64>`); the rotation procedure is in
 * docs/operations.md. Errors name the variable and the key id, never key material.
 */

/** Key ids travel in every payload's metadata: short, printable. */
export const keyIdPattern = /^[A-Za-z0-9._-]{1,64}$/;

const base64Pattern = /^[A-Za-z0-9+/]+={0,2}$/;

export interface PayloadKey {
  id: string;
  key: Buffer;
}

export interface PayloadKeyRing {
  /** The id new payloads are encrypted with. */
  encryptionKeyId: string;
  /** Every key this process can decrypt with, the encryption key included. */
  keys: Record<string, Buffer>;
}

export class KeyRingError extends Error {
  constructor(readonly problem: string) {
    super(problem);
    this.name = 'KeyRingError';
  }
}

/** `k1:<base64>,k0:<base64>` → keys; throws a KeyRingError naming the first bad entry (by position and id only). */
export function parseDecryptionKeys(text: string): PayloadKey[] {
  const entries = text
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  if (entries.length === 0) throw new KeyRingError('lists no key: give id:<base64 of 32 bytes>, comma-separated');
  const keys: PayloadKey[] = [];
  entries.forEach((entry, index) => {
    const colon = entry.indexOf(':');
    const id = colon > 0 ? entry.slice(0, colon).trim() : '';
    const material = colon > 0 ? entry.slice(colon + 1).trim() : '';
    const where = `entry ${index + 1}${keyIdPattern.test(id) ? ` (${id})` : ''}`;
    if (!keyIdPattern.test(id)) throw new KeyRingError(`${where} is not id:<base64 of 32 bytes> (ids are 1–64 letters, digits, . _ -)`);
    if (!base64Pattern.test(material)) throw new KeyRingError(`${where}: the key is not base64 (openssl rand -base64 32)`);
    const key = Buffer.from(material, 'base64');
    if (key.length !== 32) throw new KeyRingError(`${where}: the key is ${key.length} bytes, not 32 (openssl rand -base64 32)`);
    if (keys.some((k) => k.id === id)) throw new KeyRingError(`key id ${id} is listed twice`);
    keys.push({ id, key });
  });
  return keys;
}

/**
 * The ring from the three variables, or undefined when payloads are not encrypted.
 * Decryption keys without an encryption key, or the encryption key's id given another key
 * in PAYLOAD_DECRYPTION_KEYS, are configuration mistakes (KeyRingError).
 */
export function buildKeyRing(config: {
  PAYLOAD_ENCRYPTION_KEY?: Buffer | undefined;
  PAYLOAD_ENCRYPTION_KEY_ID: string;
  PAYLOAD_DECRYPTION_KEYS?: readonly PayloadKey[] | undefined;
}): PayloadKeyRing | undefined {
  const decryption = config.PAYLOAD_DECRYPTION_KEYS ?? [];
  if (!config.PAYLOAD_ENCRYPTION_KEY) {
    if (decryption.length > 0) {
      throw new KeyRingError('PAYLOAD_DECRYPTION_KEYS is set but PAYLOAD_ENCRYPTION_KEY is not: one key must encrypt (keep the newest as PAYLOAD_ENCRYPTION_KEY)');
    }
    return undefined;
  }
  const keys: Record<string, Buffer> = { [config.PAYLOAD_ENCRYPTION_KEY_ID]: config.PAYLOAD_ENCRYPTION_KEY };
  for (const { id, key } of decryption) {
    const current = keys[id];
    if (current && !current.equals(key)) {
      throw new KeyRingError(`PAYLOAD_DECRYPTION_KEYS gives key id ${id} another key than PAYLOAD_ENCRYPTION_KEY (id ${config.PAYLOAD_ENCRYPTION_KEY_ID}): one id, one key`);
    }
    keys[id] = key;
  }
  return { encryptionKeyId: config.PAYLOAD_ENCRYPTION_KEY_ID, keys };
}

/** `k2 (encrypts), k1` for start-up lines: ids only. */
export function describeKeyRing(ring: PayloadKeyRing): string {
  const others = Object.keys(ring.keys).filter((id) => id !== ring.encryptionKeyId);
  return [`${ring.encryptionKeyId} encrypts`, ...(others.length ? [`also decrypts ${others.join(', ')}`] : [])].join('; ');
}
