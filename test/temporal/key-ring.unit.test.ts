/**
 * The payload key ring from configuration: one key encrypts, older ones still decrypt, and
 * every mistake (malformed entry, duplicate id, an id given two keys, decryption keys without
 * an encryption key) stops start-up with a line that names it and never prints key material.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/config.js';
import { EncryptionCodec, payloadCodecFor } from '../../src/temporal/encryption-codec.js';
import { parseDecryptionKeys } from '../../src/temporal/key-ring.js';

const k0 = randomBytes(32);
const k1 = randomBytes(32);
const k2 = randomBytes(32);
const b64 = (key: Buffer) => key.toString('base64');

function configProblems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('PAYLOAD_DECRYPTION_KEYS', () => {
  it('reads id:<base64> entries, spaces and a trailing comma allowed', () => {
    const keys = parseDecryptionKeys(` k1:${b64(k1)} , k0:${b64(k0)},`);
    expect(keys.map((k) => k.id)).toEqual(['k1', 'k0']);
    expect(keys[0]!.key.equals(k1)).toBe(true);
    expect(keys[1]!.key.equals(k0)).toBe(true);
  });

  it('refuses malformed entries, naming the entry and never the key', () => {
    const secret = b64(k0);
    const problems = [
      configProblems({ PAYLOAD_ENCRYPTION_KEY: b64(k1), PAYLOAD_DECRYPTION_KEYS: secret }),
      configProblems({ PAYLOAD_ENCRYPTION_KEY: b64(k1), PAYLOAD_DECRYPTION_KEYS: `k0:${secret.slice(0, 20)}` }),
      configProblems({ PAYLOAD_ENCRYPTION_KEY: b64(k1), PAYLOAD_DECRYPTION_KEYS: `k0:not base64!` }),
      configProblems({ PAYLOAD_ENCRYPTION_KEY: b64(k1), PAYLOAD_DECRYPTION_KEYS: `bad id:${secret}` }),
      configProblems({ PAYLOAD_ENCRYPTION_KEY: b64(k1), PAYLOAD_DECRYPTION_KEYS: ',,' }),
    ];
    expect(problems).toEqual([
      ['PAYLOAD_DECRYPTION_KEYS: entry 1 is not id:<base64 of 32 bytes> (ids are 1–64 letters, digits, . _ -)'],
      ['PAYLOAD_DECRYPTION_KEYS: entry 1 (k0): the key is 15 bytes, not 32 (openssl rand -base64 32)'],
      ['PAYLOAD_DECRYPTION_KEYS: entry 1 (k0): the key is not base64 (openssl rand -base64 32)'],
      ['PAYLOAD_DECRYPTION_KEYS: entry 1 is not id:<base64 of 32 bytes> (ids are 1–64 letters, digits, . _ -)'],
      ['PAYLOAD_DECRYPTION_KEYS: lists no key: give id:<base64 of 32 bytes>, comma-separated'],
    ]);
    expect(problems.flat().join('\n')).not.toContain(secret.slice(0, 12));
  });

  it('refuses an id listed twice, and an id given another key than the encryption key', () => {
    expect(configProblems({ PAYLOAD_ENCRYPTION_KEY: b64(k2), PAYLOAD_ENCRYPTION_KEY_ID: 'k2', PAYLOAD_DECRYPTION_KEYS: `k1:${b64(k1)},k1:${b64(k0)}` })).toEqual([
      'PAYLOAD_DECRYPTION_KEYS: key id k1 is listed twice',
    ]);
    expect(configProblems({ PAYLOAD_ENCRYPTION_KEY: b64(k2), PAYLOAD_ENCRYPTION_KEY_ID: 'k2', PAYLOAD_DECRYPTION_KEYS: `k2:${b64(k1)}` })).toEqual([
      'PAYLOAD_DECRYPTION_KEYS gives key id k2 another key than PAYLOAD_ENCRYPTION_KEY (id k2): one id, one key',
    ]);
    // The same key under the same id is harmless (a list of every key, the current one too).
    expect(configProblems({ PAYLOAD_ENCRYPTION_KEY: b64(k2), PAYLOAD_ENCRYPTION_KEY_ID: 'k2', PAYLOAD_DECRYPTION_KEYS: `k2:${b64(k2)},k1:${b64(k1)}` })).toEqual([]);
  });

  it('needs an encryption key: decryption keys alone are refused', () => {
    expect(configProblems({ PAYLOAD_DECRYPTION_KEYS: `k1:${b64(k1)}` })).toEqual([
      'PAYLOAD_DECRYPTION_KEYS is set but PAYLOAD_ENCRYPTION_KEY is not: one key must encrypt (keep the newest as PAYLOAD_ENCRYPTION_KEY)',
    ]);
  });
});

describe('the codec from a rotated configuration', () => {
  it('encrypts with the new key and still decrypts what the old key wrote', async () => {
    const before = payloadCodecFor(loadConfig({ PAYLOAD_ENCRYPTION_KEY: b64(k1), PAYLOAD_ENCRYPTION_KEY_ID: 'k1' }))!;
    const after = payloadCodecFor(loadConfig({ PAYLOAD_ENCRYPTION_KEY: b64(k2), PAYLOAD_ENCRYPTION_KEY_ID: 'k2', PAYLOAD_DECRYPTION_KEYS: `k1:${b64(k1)}` }))!;
    const plain = { metadata: { encoding: new TextEncoder().encode('json/plain') }, data: new TextEncoder().encode('{"receiptTo":"+15005550006"}') };
    const [old] = await before.encode([plain]);
    const [fresh] = await after.encode([plain]);
    expect(new TextDecoder().decode(old!.metadata!['encryption-key-id'])).toBe('k1');
    expect(new TextDecoder().decode(fresh!.metadata!['encryption-key-id'])).toBe('k2');
    for (const payload of [old!, fresh!]) {
      const [decoded] = await after.decode([payload]);
      expect(new TextDecoder().decode(decoded!.data)).toBe('{"receiptTo":"+15005550006"}');
    }
    expect(after.keyIds).toEqual(['k2', 'k1']);
    // A process that was not given the old key says which one is missing.
    await expect(new EncryptionCodec({ k2 }, 'k2').decode([old!])).rejects.toThrow('encrypted with key id "k1", and this process has k2 (add it to PAYLOAD_DECRYPTION_KEYS)');
    // The same id with another key: authentication fails, and the message says so.
    await expect(new EncryptionCodec({ k1: k0 }, 'k1').decode([old!])).rejects.toThrow('key id "k1" is a different key here');
  });

  it('is absent when no key is configured', () => {
    expect(payloadCodecFor(loadConfig({}))).toBeUndefined();
  });
});
