/**
 * What a user sees when the production Temporal connection is wrong: one line naming the
 * variable, the same for the client (grpc-js) and the worker's NativeConnection (Rust core),
 * through the real API-key and mTLS proxies and the plaintext dev server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTemporalConnection } from '../../src/temporal/connection-config.js';
import { connectAndCheck, TemporalConnectError, type ConnectionKind } from '../../src/temporal/connection-check.js';
import { startProductionTemporal, type ProductionTemporal } from '../helpers/production-temporal.js';

let temporal: ProductionTemporal;

beforeAll(async () => {
  temporal = await startProductionTemporal();
});
afterAll(async () => {
  await temporal?.stop();
});

const kinds: ConnectionKind[] = ['client', 'native'];

async function failure(env: Record<string, string>, kind: ConnectionKind): Promise<TemporalConnectError> {
  const config = loadTemporalConnection(env);
  try {
    const connection = await connectAndCheck(config, kind as 'client', { timeoutMs: 1500 });
    await connection.close();
  } catch (err) {
    if (err instanceof TemporalConnectError) return err;
    throw err;
  }
  throw new Error('connected, but a failure was expected');
}

const refusedKey = (address: string, setting = 'TEMPORAL_API_KEY') =>
  `${setting}: ${address} refused the API key (UNAUTHENTICATED: Request unauthorized: invalid API key): check the key, and that it has not expired or been revoked`;

describe.each(kinds)('API-key endpoint, %s connection', (kind) => {
  it('a wrong key', async () => {
    const error = await failure(temporal.apiKeyEnv({ TEMPORAL_API_KEY: 'tmprl-wrong' }), kind);
    expect(error.message).toBe(refusedKey(temporal.apiKeyProxy.address));
    expect(error.reason).toBe('auth');
    expect(error.retryable).toBe(false);
  });

  it('a missing key', async () => {
    const error = await failure(temporal.apiKeyEnv({ TEMPORAL_API_KEY: undefined }), kind);
    expect(error.message).toBe(
      `TEMPORAL_API_KEY: ${temporal.apiKeyProxy.address} requires credentials (UNAUTHENTICATED: missing "authorization" header: an API key is required): set TEMPORAL_API_KEY (or a client certificate for mTLS)`,
    );
  });

  it('a server CA that did not sign the server certificate', async () => {
    const error = await failure(temporal.apiKeyEnv({ TEMPORAL_TLS_SERVER_CA_CERT_PATH: temporal.certs.otherCa.certPath }), kind);
    expect(error.message).toBe(
      `TEMPORAL_TLS_SERVER_CA_CERT_PATH=${temporal.certs.otherCa.certPath}: this CA did not sign the certificate of ${temporal.apiKeyProxy.address} (issued by CN=paycall-test-ca); use the CA that did`,
    );
    expect(error.reason).toBe('tls');
  });

  it('no server CA for a private CA (the system CAs do not trust it)', async () => {
    const error = await failure(temporal.apiKeyEnv({ TEMPORAL_TLS_SERVER_CA_CERT_PATH: undefined }), kind);
    expect(error.message).toBe(
      `TEMPORAL_ADDRESS=${temporal.apiKeyProxy.address}: the server's certificate (issued by CN=paycall-test-ca) is not trusted by the system CAs: set TEMPORAL_TLS_SERVER_CA_CERT_PATH to the CA that signed it`,
    );
  });

  it('a server name the certificate does not have', async () => {
    const error = await failure(temporal.apiKeyEnv({ TEMPORAL_TLS_SERVER_NAME: 'temporal.example.com' }), kind);
    expect(error.message).toBe(
      `TEMPORAL_TLS_SERVER_NAME=temporal.example.com: the certificate of ${temporal.apiKeyProxy.address} is for localhost, 127.0.0.1, not temporal.example.com`,
    );
  });

  it('plaintext to the TLS port', async () => {
    const error = await failure({ TEMPORAL_ADDRESS: temporal.apiKeyProxy.address, TEMPORAL_NAMESPACE: temporal.namespace }, kind);
    expect(error.message).toBe(
      `TEMPORAL_ADDRESS=${temporal.apiKeyProxy.address}: the server speaks TLS but no TLS is configured: set TEMPORAL_TLS=true (with TEMPORAL_TLS_SERVER_CA_CERT_PATH for a private CA), or TEMPORAL_API_KEY for an API-key endpoint`,
    );
  });
});

describe.each(kinds)('mTLS endpoint, %s connection', (kind) => {
  it('no client certificate', async () => {
    const error = await failure(temporal.mtlsEnv({ TEMPORAL_TLS_CLIENT_CERT_PATH: undefined, TEMPORAL_TLS_CLIENT_KEY_PATH: undefined }), kind);
    expect(error.message).toBe(
      `TEMPORAL_ADDRESS=${temporal.mtlsProxy.address}: the server requires a client certificate (mTLS): set TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH`,
    );
    expect(error.reason).toBe('tls');
  });

  it('a client certificate from a CA the server does not trust', async () => {
    const { otherClient } = temporal.certs;
    const error = await failure(temporal.mtlsEnv({ TEMPORAL_TLS_CLIENT_CERT_PATH: otherClient.certPath, TEMPORAL_TLS_CLIENT_KEY_PATH: otherClient.keyPath }), kind);
    expect(error.message).toBe(
      `TEMPORAL_TLS_CLIENT_CERT_PATH=${otherClient.certPath}: ${temporal.mtlsProxy.address} refused the client certificate CN=intruder: use one signed by a CA the server trusts (on Temporal Cloud, a CA uploaded for the namespace)`,
    );
  });
});

describe.each(kinds)('plaintext dev server and unreachable addresses, %s connection', (kind) => {
  it('TLS to the plaintext port', async () => {
    const error = await failure({ TEMPORAL_ADDRESS: temporal.upstream, TEMPORAL_NAMESPACE: temporal.namespace, TEMPORAL_TLS: 'true' }, kind);
    expect(error.message).toBe(
      `TEMPORAL_ADDRESS=${temporal.upstream}: the server does not speak TLS, but TEMPORAL_TLS=true turns TLS on: use the server's TLS port, or set TEMPORAL_TLS=false for a plaintext server`,
    );
  });

  it('an API key (which turns TLS on) to the plaintext port', async () => {
    const error = await failure({ TEMPORAL_ADDRESS: temporal.upstream, TEMPORAL_NAMESPACE: temporal.namespace, TEMPORAL_API_KEY: 'tmprl-key' }, kind);
    expect(error.message).toBe(`TEMPORAL_ADDRESS=${temporal.upstream}: the server does not speak TLS, but TEMPORAL_API_KEY turns TLS on: use the server's TLS port`);
  });

  it('a namespace the server does not have', async () => {
    const error = await failure({ TEMPORAL_ADDRESS: temporal.upstream, TEMPORAL_NAMESPACE: 'payments-typo' }, kind);
    expect(error.message).toBe(`TEMPORAL_NAMESPACE=payments-typo: no namespace "payments-typo" on ${temporal.upstream}`);
    expect(error.reason).toBe('namespace');
  });

  it('a port nobody listens on (retryable: the server may be starting)', async () => {
    const error = await failure({ TEMPORAL_ADDRESS: '127.0.0.1:1' }, kind);
    expect(error.message).toBe('TEMPORAL_ADDRESS=127.0.0.1:1: connection refused (nothing listens on 127.0.0.1:1)');
    expect(error.retryable).toBe(true);
  });

  it('a host that does not resolve', async () => {
    const error = await failure({ TEMPORAL_ADDRESS: 'temporal.invalid:7233' }, kind);
    expect(error.message).toBe('TEMPORAL_ADDRESS=temporal.invalid:7233: host temporal.invalid not found (DNS lookup failed)');
  });
});
