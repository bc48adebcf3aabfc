/**
 * Connects to Temporal at start-up, as a client (@temporalio/client, grpc-js) or natively
 * (@temporalio/worker's NativeConnection, Rust core), within a short timeout, and checks that
 * the namespace answers. A failure the user can fix becomes one line naming the variable:
 * a refused or missing API key, a TLS problem (wrong CA or server name, TLS against a
 * plaintext port and the reverse, a refused or missing client certificate), an unreachable
 * address, an unknown namespace. The two SDKs report these differently (grpc-js mostly as a
 * deadline, Rust core as tonic/rustls text), so transport failures are diagnosed by a probe
 * (connection-diagnosis.ts) that gives the same line for both.
 */
import { Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { diagnoseTransport, type TransportProblem } from './connection-diagnosis.js';
import { grpcStatus, grpcStatusOf, type StatusError } from './grpc-status.js';
import type { TemporalConnectionConfig } from './connection-config.js';

export type ConnectionKind = 'client' | 'native';
export type ConnectFailureReason = TransportProblem | 'auth' | 'namespace' | 'other';

export class TemporalConnectError extends Error {
  constructor(
    message: string,
    readonly reason: ConnectFailureReason,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'TemporalConnectError';
  }

  /** Worth retrying: the server may still be starting (docker-compose, a restart). */
  get retryable(): boolean {
    return this.reason === 'unreachable' || this.reason === 'timeout';
  }
}

export interface ConnectAndCheckOptions {
  /** For the connection and for each diagnostic probe; default 5000 ms. */
  timeoutMs?: number;
  /** Skip the DescribeNamespace check (e.g. a CLI that works across namespaces). */
  skipNamespaceCheck?: boolean;
}

function authLine(config: TemporalConnectionConfig, status: StatusError): string {
  const said = ` (${status.code === grpcStatus.UNAUTHENTICATED ? 'UNAUTHENTICATED' : 'PERMISSION_DENIED'}${status.message ? `: ${status.message}` : ''})`;
  const { names, address } = config;
  if (status.code === grpcStatus.UNAUTHENTICATED) {
    if (config.apiKey) return `${names.apiKey()}: ${address} refused the API key${said}: check the key, and that it has not expired or been revoked`;
    if (config.clientCertificate) return `${names.tls('clientCert')}: ${address} did not accept the client certificate${said}`;
    return `${names.apiKey()}: ${address} requires credentials${said}: set TEMPORAL_API_KEY (or a client certificate for mTLS)`;
  }
  const who = config.apiKey ? names.apiKey() : config.clientCertificate ? names.tls('clientCert') : names.address();
  return `${who}: no access to namespace ${config.namespace} on ${address}${said}: check ${names.namespace()} and the permissions of the ${config.apiKey ? 'API key' : 'certificate'}`;
}

/** A line from Rust core's own text, for the cases the probe did not reproduce. */
function nativeTransportLine(config: TemporalConnectionConfig, message: string): string | undefined {
  const { names, address } = config;
  if (/UnknownIssuer/.test(message)) return `${config.customServerCa ? names.tls('serverCACert') : names.address()}: the server's certificate is not signed by a trusted CA`;
  const name = /NotValidForName\w*\s*\{\s*expected: \w+\("([^"]+)"\), presented: \[([^\]]*)\]/.exec(message);
  if (name) return `${config.serverName ? names.tls('serverName') : names.address()}: the server's certificate is for ${name[2]!.replace(/\\?"|DnsName\(|IpAddress\(|\)/g, '')}, not ${name[1]}`;
  if (/CertificateRequired/.test(message)) return `${names.address()}: the server requires a client certificate (mTLS): set TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH`;
  if (/InvalidContentType/.test(message)) return `${names.address()}: the server does not speak TLS, but ${names.tlsEnabledBy()} turns TLS on`;
  if (/ConnectionRefused/.test(message)) return `${names.address()}: connection refused (nothing listens on ${address})`;
  if (/dns error/.test(message)) return `${names.address()}: host not found (DNS lookup failed)`;
  return undefined;
}

async function withTimeout<T>(promise: Promise<T>, timeoutMs: number, onLate: (value: T) => void): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  try {
    const result = await Promise.race([promise, timeout]);
    // Rust core cannot be cancelled: close a connection that arrives after we gave up.
    if (result === 'timeout') void promise.then(onLate, () => undefined);
    return result;
  } finally {
    clearTimeout(timer);
  }
}

async function toConnectError(config: TemporalConnectionConfig, kind: ConnectionKind, err: unknown, timeoutMs: number): Promise<TemporalConnectError> {
  if (err instanceof TemporalConnectError) return err;
  const status = grpcStatusOf(err);
  if (status?.code === grpcStatus.UNAUTHENTICATED || status?.code === grpcStatus.PERMISSION_DENIED) {
    return new TemporalConnectError(authLine(config, status), 'auth', { cause: err });
  }
  const diagnosis = await diagnoseTransport(config, timeoutMs);
  if (diagnosis) return new TemporalConnectError(diagnosis.line, diagnosis.reason, { cause: err });
  const message = err instanceof Error ? err.message : String(err);
  const native = kind === 'native' ? nativeTransportLine(config, message) : undefined;
  if (native) return new TemporalConnectError(native, 'tls', { cause: err });
  if (message === 'timeout' || /deadline/i.test(message)) {
    return new TemporalConnectError(`${config.names.address()}: Temporal at ${config.address} did not answer within ${timeoutMs} ms`, 'timeout', { cause: err });
  }
  return new TemporalConnectError(`${config.names.address()}: cannot connect to Temporal at ${config.address} (${message.split('\n')[0]})`, 'other', { cause: err });
}

async function checkNamespace(config: TemporalConnectionConfig, connection: Connection | NativeConnection, timeoutMs: number): Promise<void> {
  try {
    await connection.withDeadline(Date.now() + timeoutMs, () => connection.workflowService.describeNamespace({ namespace: config.namespace }));
  } catch (err) {
    const status = grpcStatusOf(err);
    if (status?.code === grpcStatus.NOT_FOUND) {
      throw new TemporalConnectError(`${config.names.namespace()}: no namespace "${config.namespace}" on ${config.address}`, 'namespace', { cause: err });
    }
    if (status?.code === grpcStatus.UNAUTHENTICATED || status?.code === grpcStatus.PERMISSION_DENIED) {
      throw new TemporalConnectError(authLine(config, status), 'auth', { cause: err });
    }
    throw err;
  }
}

export function connectAndCheck(config: TemporalConnectionConfig, kind: 'client', options?: ConnectAndCheckOptions): Promise<Connection>;
export function connectAndCheck(config: TemporalConnectionConfig, kind: 'native', options?: ConnectAndCheckOptions): Promise<NativeConnection>;
export async function connectAndCheck(
  config: TemporalConnectionConfig,
  kind: ConnectionKind,
  options: ConnectAndCheckOptions = {},
): Promise<Connection | NativeConnection> {
  const timeoutMs = options.timeoutMs ?? 5000;
  let connection: Connection | NativeConnection | undefined;
  try {
    if (kind === 'client') {
      // lazy + ensureConnected (not connect) so a failed channel can be closed.
      const client = Connection.lazy({ ...config.connectOptions, connectTimeout: timeoutMs });
      connection = client;
      await client.ensureConnected();
    } else {
      const native = await withTimeout(NativeConnection.connect(config.nativeConnectOptions), timeoutMs, (late) => void late.close());
      if (native === 'timeout') throw new Error('timeout');
      connection = native;
    }
    if (!options.skipNamespaceCheck) await checkNamespace(config, connection, timeoutMs);
    return connection;
  } catch (err) {
    await connection?.close().catch(() => undefined);
    throw await toConnectError(config, kind, err, timeoutMs);
  }
}
