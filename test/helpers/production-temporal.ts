/**
 * A "production" Temporal for tests: test-time certificates and two TLS proxies in front of
 * the run's dev server (API key, mTLS), plus the environment a user would write for each and
 * a round trip (client starts a workflow, a worker on a NativeConnection runs it) that goes
 * through paycall's connection modules only.
 */
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Client } from '@temporalio/client';
import { Worker, bundleWorkflowCode, DefaultLogger, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { inject } from 'vitest';
import { loadTemporalConnection, type TemporalConnectionConfig } from '../../src/temporal/connection-config.js';
import { connectAndCheck } from '../../src/temporal/connection-check.js';
import * as greetingActivities from '../temporal/fixtures/greeting-activities.js';
import { makeTestCertificates, type TestCertificates } from './test-certificates.js';
import { startTemporalProxy, type TemporalProxy } from './temporal-proxy.js';
import { quietRuntime } from './temporal.js';

export const testApiKey = 'tmprl-test-key.paycall';

export interface ProductionTemporal {
  upstream: string;
  namespace: string;
  certs: TestCertificates;
  apiKeyProxy: TemporalProxy;
  mtlsProxy: TemporalProxy;
  /** What a user sets for the API-key endpoint (private CA, so the CA path too). */
  apiKeyEnv(overrides?: Record<string, string | undefined>): Record<string, string>;
  /** What a user sets for the mTLS endpoint. */
  mtlsEnv(overrides?: Record<string, string | undefined>): Record<string, string>;
  stop(): Promise<void>;
}

export async function startProductionTemporal(): Promise<ProductionTemporal> {
  quietRuntime();
  const upstream = inject('temporalAddress');
  const namespace = inject('temporalNamespace');
  const certs = await makeTestCertificates();
  const server = { upstream, serverCertPem: certs.server.certPem, serverKeyPem: certs.server.keyPem };
  const apiKeyProxy = await startTemporalProxy({ ...server, mode: { kind: 'api-key', apiKey: testApiKey } });
  const mtlsProxy = await startTemporalProxy({ ...server, mode: { kind: 'mtls', clientCaPem: certs.ca.certPem } });
  const withOverrides = (base: Record<string, string>, overrides: Record<string, string | undefined> = {}) => {
    const env = { ...base };
    for (const [name, value] of Object.entries(overrides)) {
      if (value === undefined) delete env[name];
      else env[name] = value;
    }
    return env;
  };
  return {
    upstream,
    namespace,
    certs,
    apiKeyProxy,
    mtlsProxy,
    apiKeyEnv: (overrides) =>
      withOverrides(
        {
          TEMPORAL_ADDRESS: apiKeyProxy.address,
          TEMPORAL_NAMESPACE: namespace,
          TEMPORAL_API_KEY: testApiKey,
          TEMPORAL_TLS_SERVER_CA_CERT_PATH: certs.ca.certPath,
        },
        overrides,
      ),
    mtlsEnv: (overrides) =>
      withOverrides(
        {
          TEMPORAL_ADDRESS: mtlsProxy.address,
          TEMPORAL_NAMESPACE: namespace,
          TEMPORAL_TLS_SERVER_CA_CERT_PATH: certs.ca.certPath,
          TEMPORAL_TLS_CLIENT_CERT_PATH: certs.client.certPath,
          TEMPORAL_TLS_CLIENT_KEY_PATH: certs.client.keyPath,
        },
        overrides,
      ),
    async stop() {
      await apiKeyProxy.close();
      await mtlsProxy.close();
      await certs.remove();
    },
  };
}

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;

export function greetingBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleWorkflowCode({
    workflowsPath: fileURLToPath(new URL('../temporal/fixtures/greeting-workflow.ts', import.meta.url)),
    logger: new DefaultLogger('WARN'),
  });
  return bundle;
}

export interface RoundTrip {
  result: string;
  /** Workflow ids the client listed afterwards (visibility through the same connection). */
  listed: string[];
  workflowId: string;
}

/** From env vars only: a client starts greetingWorkflow, a worker (NativeConnection) runs it. */
export async function greetingRoundTrip(env: Record<string, string>): Promise<RoundTrip> {
  const config: TemporalConnectionConfig = loadTemporalConnection(env);
  const connection = await connectAndCheck(config, 'client');
  const nativeConnection = await connectAndCheck(config, 'native');
  try {
    const client = new Client({ connection, namespace: config.namespace });
    const taskQueue = `tls-${randomUUID()}`;
    const worker = await Worker.create({
      connection: nativeConnection,
      namespace: config.namespace,
      taskQueue,
      workflowBundle: await greetingBundle(),
      activities: greetingActivities,
    });
    const workflowId = `greeting-${randomUUID()}`;
    const result = await worker.runUntil(client.workflow.execute('greetingWorkflow', { taskQueue, workflowId, args: ['caller'] }));
    const listed: string[] = [];
    for await (const execution of client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) listed.push(execution.workflowId);
    return { result: result as string, listed, workflowId };
  } finally {
    await nativeConnection.close();
    await connection.close();
  }
}
