/**
 * The one place paycall connects to Temporal: the web process, the worker, the launcher and
 * every CLI build their connection, namespace and data converter here. What to connect to
 * comes from the environment through connection-config.ts (@temporalio/envconfig: address,
 * namespace, API key, TLS and mTLS, temporal.toml profiles); with none of it set, the dev
 * server `npm start` embeds is the default. A connection a user can fix fails with one line
 * naming the variable (connection-check.ts).
 */
import { Client, type Connection, type WorkflowClientInterceptor } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import type { NativeConnection } from '@temporalio/worker';
import type { Config } from '../config/config.js';
import { connectAndCheck } from './connection-check.js';
import { devServerConnection, isTemporalConfigured, loadTemporalConnection, type TemporalConnectionConfig } from './connection-config.js';
import { dataConverterFor } from './encryption-codec.js';

/** Where the embedded dev server listens by default (`npm start` with nothing configured). */
export const defaultTemporalAddress = '127.0.0.1:7233';

export type CodecConfig = Pick<Config, 'PAYLOAD_ENCRYPTION_KEY' | 'PAYLOAD_ENCRYPTION_KEY_ID'> & Partial<Pick<Config, 'PAYLOAD_DECRYPTION_KEYS'>>;

export interface ConnectOptions {
  env?: NodeJS.ProcessEnv;
  /** The launcher's embedded dev server: connect there, whatever the environment says. */
  devServerAddress?: string;
  timeoutMs?: number;
  /** The client's workflow interceptors (OpenTelemetry tracing: src/observability/tracing.ts). */
  clientInterceptors?: WorkflowClientInterceptor[];
}

/** True when the environment names a Temporal server; otherwise `npm start` runs its own. */
export function usesConfiguredTemporal(env: NodeJS.ProcessEnv = process.env): boolean {
  return isTemporalConfigured(env);
}

/** The connection settings for this process: the configured server, or the (embedded) dev server. */
export function temporalConnection(options: ConnectOptions = {}): TemporalConnectionConfig {
  const env = options.env ?? process.env;
  const namespace = env.TEMPORAL_NAMESPACE || 'default';
  if (options.devServerAddress) return devServerConnection(options.devServerAddress, namespace);
  return isTemporalConfigured(env) ? loadTemporalConnection(env) : devServerConnection(defaultTemporalAddress, namespace);
}

export interface TemporalClient {
  client: Client;
  connection: Connection;
  settings: TemporalConnectionConfig;
  address: string;
  namespace: string;
  close(): Promise<void>;
}

/** A client for starting, updating, signalling and reading workflows, with paycall's payload codec. */
export async function connectClient(config: CodecConfig, options: ConnectOptions = {}): Promise<TemporalClient> {
  const settings = temporalConnection(options);
  const connection = await connectAndCheck(settings, 'client', { ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}) });
  const dataConverter = dataConverterFor(config);
  const client = new Client({
    connection,
    namespace: settings.namespace,
    ...(dataConverter ? { dataConverter } : {}),
    ...(options.clientInterceptors ? { interceptors: { workflow: options.clientInterceptors } } : {}),
  });
  return { client, connection, settings, address: settings.address, namespace: settings.namespace, close: () => connection.close() };
}

export interface WorkerConnection {
  connection: NativeConnection;
  settings: TemporalConnectionConfig;
  address: string;
  namespace: string;
  dataConverter?: DataConverter;
}

/** The worker's native connection, and the data converter its workflows and activities use. */
export async function connectWorker(config: CodecConfig, options: ConnectOptions = {}): Promise<WorkerConnection> {
  const settings = temporalConnection(options);
  const connection = await connectAndCheck(settings, 'native', { ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}) });
  const dataConverter = dataConverterFor(config);
  return { connection, settings, address: settings.address, namespace: settings.namespace, ...(dataConverter ? { dataConverter } : {}) };
}
