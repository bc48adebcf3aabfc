/**
 * paycall's Temporal connection against production-like endpoints: a TLS proxy that demands
 * an API key and one that demands a client certificate, configured with environment
 * variables (or a temporal.toml profile) exactly as a user would. Both the client
 * (@temporalio/client, grpc-js) and the worker's NativeConnection (Rust core) go through them.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTemporalConnection, TemporalConfigError } from '../../src/temporal/connection-config.js';
import { connectAndCheck, TemporalConnectError } from '../../src/temporal/connection-check.js';
import { greetingRoundTrip, startProductionTemporal, testApiKey, type ProductionTemporal } from '../helpers/production-temporal.js';
import { startTemporalProxy, type TemporalProxy } from '../helpers/temporal-proxy.js';

let temporal: ProductionTemporal;

beforeAll(async () => {
  temporal = await startProductionTemporal();
});
afterAll(async () => {
  await temporal?.stop();
});

describe('through the API-key proxy', () => {
  it('a client starts and lists a workflow and a worker on a NativeConnection runs it, with env vars only', async () => {
    const env = temporal.apiKeyEnv();
    const trip = await greetingRoundTrip(env);
    expect(trip.result).toBe('hello, caller (via workflow)');
    expect(trip.listed).toEqual([trip.workflowId]);
    // The worker's long polls and the client's calls all went through the proxy.
    expect(temporal.apiKeyProxy.forwarded).toEqual(
      expect.arrayContaining([
        '/temporal.api.workflowservice.v1.WorkflowService/PollWorkflowTaskQueue',
        '/temporal.api.workflowservice.v1.WorkflowService/PollActivityTaskQueue',
        '/temporal.api.workflowservice.v1.WorkflowService/StartWorkflowExecution',
        '/temporal.api.workflowservice.v1.WorkflowService/ListWorkflowExecutions',
      ]),
    );
    expect(temporal.apiKeyProxy.refused).toBe(0);
    expect(loadTemporalConnection(env).describe()).toBe(
      `Temporal ${temporal.apiKeyProxy.address}, namespace ${temporal.namespace}, TLS (server CA from config), no client certificate, API key set`,
    );
  });

  it('never puts the key in the one-line summary', () => {
    expect(loadTemporalConnection(temporal.apiKeyEnv()).describe()).not.toContain(testApiKey);
  });
});

describe('through the mTLS proxy', () => {
  it('a client and a worker present the client certificate and run a workflow', async () => {
    const before = temporal.mtlsProxy.clientSubjects.length;
    const trip = await greetingRoundTrip(temporal.mtlsEnv());
    expect(trip.result).toBe('hello, caller (via workflow)');
    expect(trip.listed).toEqual([trip.workflowId]);
    // One TLS session for the client, one for the native connection, each with the certificate.
    expect(temporal.mtlsProxy.clientSubjects.slice(before)).toEqual(expect.arrayContaining(['paycall-worker', 'paycall-worker']));
    expect(temporal.mtlsProxy.forwarded).toContain('/temporal.api.workflowservice.v1.WorkflowService/PollWorkflowTaskQueue');
    expect(loadTemporalConnection(temporal.mtlsEnv()).describe()).toBe(
      `Temporal ${temporal.mtlsProxy.address}, namespace ${temporal.namespace}, TLS (server CA from config), mTLS client certificate CN=paycall-worker, no API key`,
    );
  });
});

describe('a server certificate for another name (TEMPORAL_TLS_SERVER_NAME)', () => {
  let proxy: TemporalProxy;
  beforeAll(async () => {
    const cert = await temporal.certs.issue(temporal.certs.ca, { file: 'internal', commonName: 'temporal.internal', usage: 'server', dnsNames: ['temporal.internal'] });
    proxy = await startTemporalProxy({ upstream: temporal.upstream, serverCertPem: cert.certPem, serverKeyPem: cert.keyPem, mode: { kind: 'api-key', apiKey: testApiKey } });
  });
  afterAll(async () => {
    await proxy?.close();
  });

  it('is accepted by the client and by Rust core when the name is set', async () => {
    const trip = await greetingRoundTrip(temporal.apiKeyEnv({ TEMPORAL_ADDRESS: proxy.address, TEMPORAL_TLS_SERVER_NAME: 'temporal.internal' }));
    expect(trip.result).toBe('hello, caller (via workflow)');
  });

  it.each(['client', 'native'] as const)('is refused without it, naming TEMPORAL_TLS_SERVER_NAME (%s)', async (kind) => {
    const config = loadTemporalConnection(temporal.apiKeyEnv({ TEMPORAL_ADDRESS: proxy.address }));
    const error = await connectAndCheck(config, kind as 'client', { timeoutMs: 2000 }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(TemporalConnectError);
    expect((error as Error).message).toBe(
      `TEMPORAL_ADDRESS=${proxy.address}: the server's certificate is for temporal.internal, not 127.0.0.1: set TEMPORAL_TLS_SERVER_NAME to one of those names`,
    );
  });
});

describe('a temporal.toml profile', () => {
  let file: string;
  beforeAll(async () => {
    file = path.join(temporal.certs.dir, 'temporal.toml');
    const { certs, apiKeyProxy, mtlsProxy, namespace } = temporal;
    await writeFile(
      file,
      [
        '[profile.cloud]',
        `address = "${apiKeyProxy.address}"`,
        `namespace = "${namespace}"`,
        `api_key = "${testApiKey}"`,
        '[profile.cloud.tls]',
        `server_ca_cert_path = "${certs.ca.certPath}"`,
        '',
        '[profile.mtls]',
        `address = "${mtlsProxy.address}"`,
        `namespace = "${namespace}"`,
        '[profile.mtls.tls]',
        `server_ca_cert_path = "${certs.ca.certPath}"`,
        `client_cert_path = "${certs.client.certPath}"`,
        `client_key_path = "${certs.client.keyPath}"`,
        '',
        '[profile.stale]',
        `address = "${apiKeyProxy.address}"`,
        `namespace = "${namespace}"`,
        'api_key = "revoked-key"',
        '[profile.stale.tls]',
        `server_ca_cert_path = "${certs.ca.certPath}"`,
      ].join('\n'),
    );
  });

  it('TEMPORAL_PROFILE=cloud (API key) runs a workflow through the proxy', async () => {
    const env = { TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'cloud' };
    const trip = await greetingRoundTrip(env);
    expect(trip.result).toBe('hello, caller (via workflow)');
    expect(loadTemporalConnection(env).describe()).toBe(
      `Temporal ${temporal.apiKeyProxy.address}, namespace ${temporal.namespace}, TLS (server CA from config), no client certificate, API key set, profile cloud from ${file}`,
    );
  });

  it('TEMPORAL_PROFILE=mtls runs a workflow through the mTLS proxy', async () => {
    const trip = await greetingRoundTrip({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'mtls' });
    expect(trip.result).toBe('hello, caller (via workflow)');
  });

  it('a profile that is not in the file is one line listing the ones that are', () => {
    expect(() => loadTemporalConnection({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'staging' })).toThrow(
      new TemporalConfigError([`TEMPORAL_PROFILE=staging: no such profile in ${file} (profiles there: cloud, mtls, stale)`]),
    );
  });

  it("a refused key from the file names the profile's api_key; one from the environment names TEMPORAL_API_KEY", async () => {
    const fromFile = loadTemporalConnection({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'stale' });
    await expect(connectAndCheck(fromFile, 'native', { timeoutMs: 2000 })).rejects.toThrow(
      `api_key (profile stale in ${file}): ${temporal.apiKeyProxy.address} refused the API key (UNAUTHENTICATED: Request unauthorized: invalid API key): check the key, and that it has not expired or been revoked`,
    );
    const fromEnv = loadTemporalConnection({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'cloud', TEMPORAL_API_KEY: 'typo' });
    await expect(connectAndCheck(fromEnv, 'client', { timeoutMs: 2000 })).rejects.toThrow(
      `TEMPORAL_API_KEY: ${temporal.apiKeyProxy.address} refused the API key (UNAUTHENTICATED: Request unauthorized: invalid API key): check the key, and that it has not expired or been revoked`,
    );
  });
});
