/**
 * loadTemporalConnection without a server: what it builds from env vars and temporal.toml,
 * and the one line for each configuration mistake (with real certificates made at test time).
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devServerConnection, isTemporalConfigured, loadTemporalConnection, TemporalConfigError } from '../../src/temporal/connection-config.js';
import { makeTestCertificates, type TestCertificates } from '../helpers/test-certificates.js';

let certs: TestCertificates;
beforeAll(async () => {
  certs = await makeTestCertificates();
});
afterAll(async () => {
  await certs?.remove();
});

function problems(env: Record<string, string>): string[] {
  try {
    loadTemporalConnection(env);
  } catch (err) {
    if (err instanceof TemporalConfigError) return err.problems;
    throw err;
  }
  throw new Error('loaded, but a problem was expected');
}

describe('isTemporalConfigured', () => {
  it('is false for nothing, empty values, a namespace alone or TEMPORAL_TLS=false (the dev server runs)', () => {
    expect(isTemporalConfigured({})).toBe(false);
    expect(isTemporalConfigured({ TEMPORAL_ADDRESS: '', TEMPORAL_API_KEY: ' ', TEMPORAL_NAMESPACE: 'default', TEMPORAL_TLS: 'false' })).toBe(false);
  });

  it('is true for an address, a profile, a config file, an API key or a certificate', () => {
    for (const [name, value] of [
      ['TEMPORAL_ADDRESS', 'temporal.example.com:7233'],
      ['TEMPORAL_PROFILE', 'prod'],
      ['TEMPORAL_CONFIG_FILE', '/etc/temporal.toml'],
      ['TEMPORAL_API_KEY', 'key'],
      ['TEMPORAL_TLS_CLIENT_CERT_PATH', '/x.crt'],
      ['TEMPORAL_TLS', 'true'],
    ]) {
      expect(isTemporalConfigured({ [name!]: value! }), name).toBe(true);
    }
  });
});

describe('what it builds', () => {
  it('a plaintext address with the default port and namespace', () => {
    const config = loadTemporalConnection({ TEMPORAL_ADDRESS: 'temporal.internal' });
    expect(config.address).toBe('temporal.internal:7233');
    expect(config.namespace).toBe('default');
    expect(config.connectOptions).toEqual({ address: 'temporal.internal:7233', tls: undefined });
    expect(config.nativeConnectOptions).toEqual({ address: 'temporal.internal:7233', tls: undefined });
    expect(config.describe()).toBe('Temporal temporal.internal:7233, namespace default, no TLS, no client certificate, no API key');
  });

  it('an API key turns TLS on (system CAs); the key reaches both option sets and never the summary', () => {
    const config = loadTemporalConnection({
      TEMPORAL_ADDRESS: 'us-east-1.aws.api.temporal.io:7233',
      TEMPORAL_NAMESPACE: 'payments.a1b2c',
      TEMPORAL_API_KEY: 'secret-key-123',
    });
    expect(config.connectOptions).toEqual({ address: 'us-east-1.aws.api.temporal.io:7233', apiKey: 'secret-key-123', tls: true });
    expect(config.nativeConnectOptions).toEqual(config.connectOptions);
    expect(config.temporalCloud).toBe(true);
    expect(config.describe()).toBe(
      'Temporal us-east-1.aws.api.temporal.io:7233 (Temporal Cloud), namespace payments.a1b2c, TLS (system CAs), no client certificate, API key set',
    );
  });

  it('mTLS from _DATA variables: the PEM text reaches the SDK options', () => {
    const config = loadTemporalConnection({
      TEMPORAL_ADDRESS: 'payments.a1b2c.tmprl.cloud:7233',
      TEMPORAL_NAMESPACE: 'payments.a1b2c',
      TEMPORAL_TLS_CLIENT_CERT_DATA: certs.client.certPem,
      TEMPORAL_TLS_CLIENT_KEY_DATA: certs.client.keyPem,
      TEMPORAL_TLS_SERVER_NAME: 'payments.a1b2c.tmprl.cloud',
      TEMPORAL_GRPC_META_X_TENANT: 'acme',
    });
    const tls = config.nativeConnectOptions.tls as { clientCertPair: { crt: Uint8Array; key: Uint8Array }; serverNameOverride: string };
    expect(Buffer.from(tls.clientCertPair.crt).toString()).toBe(certs.client.certPem);
    expect(Buffer.from(tls.clientCertPair.key).toString()).toBe(certs.client.keyPem);
    expect(tls.serverNameOverride).toBe('payments.a1b2c.tmprl.cloud');
    expect(config.connectOptions.metadata).toEqual({ 'x-tenant': 'acme' });
    expect(config.clientCertificate).toBe('CN=paycall-worker');
  });

  it('env vars override the profile key by key', async () => {
    const file = path.join(certs.dir, 'override.toml');
    await writeFile(file, '[profile.prod]\naddress = "prod.internal:7233"\nnamespace = "payments"\n');
    const config = loadTemporalConnection({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'prod', TEMPORAL_NAMESPACE: 'payments-eu' });
    expect([config.address, config.namespace]).toEqual(['prod.internal:7233', 'payments-eu']);
    expect(config.profile).toEqual({ name: 'prod', file });
  });

  it('the dev server shape', () => {
    expect(devServerConnection('127.0.0.1:7233').describe()).toBe('Temporal 127.0.0.1:7233 (embedded dev server), namespace default, no TLS');
  });
});

describe('one line per mistake', () => {
  it('malformed addresses', () => {
    expect(problems({ TEMPORAL_ADDRESS: 'https://temporal.example.com:7233' })).toEqual([
      'TEMPORAL_ADDRESS=https://temporal.example.com:7233: write host:port without a scheme, e.g. temporal.example.com:7233',
    ]);
    expect(problems({ TEMPORAL_ADDRESS: 'temporal.example.com:99999' })).toEqual([
      'TEMPORAL_ADDRESS=temporal.example.com:99999: not a host:port address (e.g. temporal.example.com:7233)',
    ]);
    expect(problems({ TEMPORAL_ADDRESS: 'temporal example:7233' })).toEqual([
      'TEMPORAL_ADDRESS=temporal example:7233: not a host:port address (e.g. temporal.example.com:7233)',
    ]);
    expect(problems({ TEMPORAL_API_KEY: 'k' })).toEqual([
      'TEMPORAL_ADDRESS: not set (the other Temporal settings need an address, e.g. TEMPORAL_ADDRESS=temporal.example.com:7233)',
    ]);
  });

  it('certificate, key and CA files that are missing or not PEM', () => {
    const missing = path.join(certs.dir, 'nope.crt');
    expect(problems({ TEMPORAL_ADDRESS: 'h:7233', TEMPORAL_TLS_SERVER_CA_CERT_PATH: missing })).toEqual([`TEMPORAL_TLS_SERVER_CA_CERT_PATH=${missing}: no such file`]);
    expect(problems({ TEMPORAL_ADDRESS: 'h:7233', TEMPORAL_TLS_SERVER_CA_CERT_PATH: certs.client.keyPath })).toEqual([
      `TEMPORAL_TLS_SERVER_CA_CERT_PATH=${certs.client.keyPath}: not a PEM certificate (no "-----BEGIN CERTIFICATE-----" block) (it holds a private key: swap the certificate and key settings?)`,
    ]);
    expect(
      problems({ TEMPORAL_ADDRESS: 'h:7233', TEMPORAL_TLS_CLIENT_CERT_PATH: certs.client.certPath, TEMPORAL_TLS_CLIENT_KEY_PATH: certs.client.certPath }),
    ).toEqual([
      `TEMPORAL_TLS_CLIENT_KEY_PATH=${certs.client.certPath}: not a PEM private key (no "-----BEGIN PRIVATE KEY-----" block) (it holds a certificate: swap the certificate and key settings?)`,
    ]);
    expect(problems({ TEMPORAL_ADDRESS: 'h:7233', TEMPORAL_TLS_CLIENT_CERT_DATA: 'not a certificate', TEMPORAL_TLS_CLIENT_KEY_PATH: certs.client.keyPath })).toEqual([
      'TEMPORAL_TLS_CLIENT_CERT_DATA: not a PEM certificate (no "-----BEGIN CERTIFICATE-----" block)',
    ]);
  });

  it('a client certificate without its key, the reverse, and a key of another certificate', () => {
    expect(problems({ TEMPORAL_ADDRESS: 'h:7233', TEMPORAL_TLS_CLIENT_CERT_PATH: certs.client.certPath })).toEqual([
      `TEMPORAL_TLS_CLIENT_CERT_PATH=${certs.client.certPath} is set without a key: set TEMPORAL_TLS_CLIENT_KEY_PATH too`,
    ]);
    expect(problems({ TEMPORAL_ADDRESS: 'h:7233', TEMPORAL_TLS_CLIENT_KEY_DATA: certs.client.keyPem })).toEqual([
      'TEMPORAL_TLS_CLIENT_KEY_DATA is set without a certificate: set TEMPORAL_TLS_CLIENT_CERT_DATA too',
    ]);
    expect(
      problems({ TEMPORAL_ADDRESS: 'h:7233', TEMPORAL_TLS_CLIENT_CERT_PATH: certs.client.certPath, TEMPORAL_TLS_CLIENT_KEY_PATH: certs.otherClient.keyPath }),
    ).toEqual([`TEMPORAL_TLS_CLIENT_KEY_PATH=${certs.otherClient.keyPath}: is not the key of the certificate in TEMPORAL_TLS_CLIENT_CERT_PATH=${certs.client.certPath}`]);
  });

  it('an encrypted key and both _PATH and _DATA', async () => {
    const encrypted = path.join(certs.dir, 'encrypted.key');
    // A PKCS#8 encrypted key as openssl writes it; its body does not matter for the check.
    await writeFile(encrypted, '-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIB\n-----END ENCRYPTED PRIVATE KEY-----\n');
    expect(problems({ TEMPORAL_ADDRESS: 'h:7233', TEMPORAL_TLS_CLIENT_CERT_PATH: certs.client.certPath, TEMPORAL_TLS_CLIENT_KEY_PATH: encrypted })).toEqual([
      `TEMPORAL_TLS_CLIENT_KEY_PATH=${encrypted}: the private key is encrypted; the Temporal SDK needs it unencrypted`,
    ]);
    expect(problems({ TEMPORAL_ADDRESS: 'h:7233', TEMPORAL_TLS_SERVER_CA_CERT_PATH: certs.ca.certPath, TEMPORAL_TLS_SERVER_CA_CERT_DATA: certs.ca.certPem })).toEqual([
      'TEMPORAL_TLS_SERVER_CA_CERT_PATH and TEMPORAL_TLS_SERVER_CA_CERT_DATA: both set; keep one',
    ]);
  });

  it('an API key with TLS explicitly off says the key would go in plaintext', () => {
    expect(problems({ TEMPORAL_ADDRESS: 'h:7233', TEMPORAL_API_KEY: 'k', TEMPORAL_TLS: 'false' })).toEqual([
      'TEMPORAL_API_KEY is set but TEMPORAL_TLS=false turns TLS off: the key would be sent in plaintext (and Temporal Cloud refuses plaintext); remove TEMPORAL_TLS=false (an API key turns TLS on)',
    ]);
  });

  it('TLS settings with TLS off, booleans envconfig would misread, host verification it ignores', () => {
    expect(problems({ TEMPORAL_ADDRESS: 'h:7233', TEMPORAL_TLS: 'false', TEMPORAL_TLS_SERVER_NAME: 'h' })).toEqual([
      'TEMPORAL_TLS_SERVER_NAME=h is set but TEMPORAL_TLS=false turns TLS off; remove one of them',
    ]);
    expect(problems({ TEMPORAL_ADDRESS: 'h:7233', TEMPORAL_TLS: 'yes' })).toEqual(['TEMPORAL_TLS=yes: must be true or false']);
    expect(problems({ TEMPORAL_ADDRESS: 'h:7233', TEMPORAL_TLS: 'true', TEMPORAL_TLS_DISABLE_HOST_VERIFICATION: 'true' })).toEqual([
      'TEMPORAL_TLS_DISABLE_HOST_VERIFICATION=true: not supported by the Temporal TypeScript SDK (it would be ignored); set TEMPORAL_TLS_SERVER_NAME to a name in the server certificate instead',
    ]);
  });

  it('Temporal Cloud without TLS, or with a namespace missing its account id', () => {
    expect(problems({ TEMPORAL_ADDRESS: 'payments.a1b2c.tmprl.cloud:7233', TEMPORAL_NAMESPACE: 'payments.a1b2c' })).toEqual([
      'TEMPORAL_ADDRESS=payments.a1b2c.tmprl.cloud:7233: Temporal Cloud accepts only TLS: set TEMPORAL_API_KEY, or TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH',
    ]);
    expect(problems({ TEMPORAL_ADDRESS: 'us-east-1.aws.api.temporal.io:7233', TEMPORAL_API_KEY: 'k' })).toEqual([
      'TEMPORAL_NAMESPACE: a Temporal Cloud namespace is <name>.<account id> (e.g. payments.a1b2c), not "default"',
    ]);
  });

  it('an API key with a stray newline or space', () => {
    expect(problems({ TEMPORAL_ADDRESS: 'h:7233', TEMPORAL_API_KEY: 'abc def' })).toEqual([
      'TEMPORAL_API_KEY: must be one line of printable characters without spaces (as Temporal Cloud issues them)',
    ]);
  });
});

describe('temporal.toml mistakes', () => {
  it('a missing config file, a profile with no file, no profile "default"', async () => {
    const missing = path.join(certs.dir, 'missing.toml');
    expect(problems({ TEMPORAL_CONFIG_FILE: missing })).toEqual([`TEMPORAL_CONFIG_FILE=${missing}: no such file`]);
    expect(problems({ TEMPORAL_PROFILE: 'prod', XDG_CONFIG_HOME: certs.dir })).toEqual([
      `TEMPORAL_PROFILE=prod: there is no config file at ${path.join(certs.dir, 'temporalio', 'temporal.toml')} (set TEMPORAL_CONFIG_FILE)`,
    ]);
    const file = path.join(certs.dir, 'no-default.toml');
    await writeFile(file, '[profile.prod]\naddress = "h:7233"\n');
    expect(problems({ TEMPORAL_CONFIG_FILE: file })).toEqual([`TEMPORAL_CONFIG_FILE=${file}: has no profile "default" (profiles there: prod); set TEMPORAL_PROFILE`]);
  });

  it('invalid TOML, an unknown key, a key the TypeScript SDK does not support', async () => {
    const file = path.join(certs.dir, 'bad.toml');
    await writeFile(file, '[profile.prod]\naddress = "h:7233"\nnamespace = \n');
    expect(problems({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'prod' })).toEqual([`TEMPORAL_CONFIG_FILE=${file}: not valid TOML: invalid value (line 3, column 13)`]);
    await writeFile(file, '[profile.prod]\naddress = "h:7233"\n[profile.prod.tls]\nsever_name = "h"\n');
    expect(problems({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'prod' })).toEqual([`TEMPORAL_CONFIG_FILE=${file}: unknown key sever_name in [profile.prod.tls]`]);
    await writeFile(file, '[profile.prod]\naddress = "h:7233"\n[profile.prod.tls]\ndisable_host_verification = true\n');
    expect(problems({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'prod' })).toEqual([
      `TEMPORAL_CONFIG_FILE=${file}: unknown key disable_host_verification in [profile.prod.tls] (disable_host_verification is not supported by the TypeScript SDK: set tls.server_name instead)`,
    ]);
  });

  it('problems in a profile name the TOML key, profile and file', async () => {
    const file = path.join(certs.dir, 'keys.toml');
    const missing = path.join(certs.dir, 'gone.crt');
    await writeFile(file, `[profile.prod]\naddress = "h:7233"\napi_key = "k"\n[profile.prod.tls]\ndisabled = true\nclient_cert_path = "${missing}"\n`);
    expect(problems({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'prod' })).toEqual([
      `api_key (profile prod in ${file}) is set but tls.disabled = true (profile prod in ${file}) turns TLS off: the key would be sent in plaintext (and Temporal Cloud refuses plaintext); remove tls.disabled = true (profile prod in ${file}) (an API key turns TLS on)`,
      `tls.client_cert_path = "${missing}" (profile prod in ${file}) is set but tls.disabled = true (profile prod in ${file}) turns TLS off; remove one of them`,
    ]);
    await writeFile(file, `[profile.prod]\naddress = "h:7233"\n[profile.prod.tls]\nclient_cert_path = "${missing}"\n`);
    expect(problems({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'prod', TEMPORAL_TLS_CLIENT_KEY_PATH: certs.client.keyPath })).toEqual([
      `tls.client_cert_path = "${missing}" (profile prod in ${file}): no such file`,
    ]);
  });
});
