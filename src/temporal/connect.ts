/**
 * The one place paycall connects to Temporal: the web process, the worker, the launcher and
 * every CLI build their connection, namespace and data converter here. The dev server
 * `npm start` embeds is only the default when nothing is configured.
 */
import { Client, Connection } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { NativeConnection } from '@temporalio/worker';
import type { Config } from '../config/config.js';
import { dataConverterFor } from './encryption-codec.js';

export type TemporalConfig = Pick<Config, 'TEMPORAL_ADDRESS' | 'TEMPORAL_NAMESPACE' | 'PAYLOAD_ENCRYPTION_KEY' | 'PAYLOAD_ENCRYPTION_KEY_ID'>;

/** Where the processes connect: TEMPORAL_ADDRESS, or the address of the dev server `npm start` runs. */
export const defaultTemporalAddress = '127.0.0.1:7233';

export interface TemporalClient {
  client: Client;
  connection: Connection;
  address: string;
  namespace: string;
  close(): Promise<void>;
}

export interface ConnectOptions {
  /** Overrides the configured address (the launcher's embedded dev server). */
  address?: string;
  connectTimeoutMs?: number;
}

export function temporalAddress(config: TemporalConfig, options: ConnectOptions = {}): string {
  return options.address ?? config.TEMPORAL_ADDRESS ?? defaultTemporalAddress;
}

/** A client for starting, updating, signalling and reading workflows, with paycall's payload codec. */
export async function connectClient(config: TemporalConfig, options: ConnectOptions = {}): Promise<TemporalClient> {
  const address = temporalAddress(config, options);
  const connection = await Connection.connect({ address, ...(options.connectTimeoutMs ? { connectTimeout: options.connectTimeoutMs } : {}) });
  const dataConverter = dataConverterFor(config);
  const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE, ...(dataConverter ? { dataConverter } : {}) });
  return { client, connection, address, namespace: config.TEMPORAL_NAMESPACE, close: () => connection.close() };
}

export interface WorkerConnection {
  connection: NativeConnection;
  address: string;
  namespace: string;
  dataConverter?: DataConverter;
}

/** The worker's native connection, and the data converter its workflows and activities use. */
export async function connectWorker(config: TemporalConfig, options: ConnectOptions = {}): Promise<WorkerConnection> {
  const address = temporalAddress(config, options);
  const connection = await NativeConnection.connect({ address });
  const dataConverter = dataConverterFor(config);
  return { connection, address, namespace: config.TEMPORAL_NAMESPACE, ...(dataConverter ? { dataConverter } : {}) };
}
