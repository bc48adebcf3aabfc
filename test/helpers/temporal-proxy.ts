/**
 * TLS-terminating gRPC proxies in front of the run's plaintext Temporal dev server, standing
 * in for a production endpoint in tests:
 * - `api-key`: what an API-key endpoint (Temporal Cloud) does: every request must carry
 *   `authorization: Bearer <key>`, else a trailers-only gRPC UNAUTHENTICATED (16) answer.
 * - `mtls`: what an mTLS endpoint does: the TLS handshake demands a client certificate
 *   signed by the test CA (`requestCert` + `rejectUnauthorized`).
 * Each HTTP/2 stream is forwarded to the upstream as is, both ways (headers, data, trailers,
 * resets), so unary calls, the worker's long polls and streaming responses all pass.
 * `refuseMethods` answers chosen methods with a gRPC error, as Cloud does for OperatorService.
 */
import http2, { constants, type ClientHttp2Session, type IncomingHttpHeaders, type ServerHttp2Stream } from 'node:http2';
import type { AddressInfo, Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';

/** gRPC status code UNAUTHENTICATED. */
const grpcUnauthenticated = 16;

export type ProxyMode = { kind: 'api-key'; apiKey: string } | { kind: 'mtls'; clientCaPem: string };

export interface TemporalProxyOptions {
  /** Plaintext upstream, `host:port` (the run's dev server: `inject('temporalAddress')`). */
  upstream: string;
  serverCertPem: string;
  serverKeyPem: string;
  mode: ProxyMode;
  host?: string;
  /** gRPC methods answered with an error instead of forwarded (as Temporal Cloud refuses AddSearchAttributes). */
  refuseMethods?: Record<string, { status: number; message: string }>;
}

export interface TemporalProxy {
  /** `127.0.0.1:<port>`. */
  address: string;
  port: number;
  /** gRPC methods forwarded upstream (`/temporal.api.workflowservice.v1.WorkflowService/…`). */
  forwarded: string[];
  /** Requests answered UNAUTHENTICATED (api-key mode). */
  refused: number;
  /** Client certificate subjects (CN) of accepted TLS sessions (mtls mode). */
  clientSubjects: string[];
  close(): Promise<void>;
}

// Connection-level headers that HTTP/2 forbids forwarding; pseudo-headers are rebuilt.
const hopByHop = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'host']);

function forwardableHeaders(headers: IncomingHttpHeaders): Record<string, string | string[]> {
  const result: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || hopByHop.has(name) || name.startsWith(':')) continue;
    result[name] = value;
  }
  return result;
}

/** grpc-message is percent-encoded: every byte outside printable ASCII, and '%' itself. */
function encodeGrpcMessage(message: string): string {
  return [...Buffer.from(message, 'utf8')]
    .map((byte) => (byte >= 0x20 && byte <= 0x7e && byte !== 0x25 ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`))
    .join('');
}

/** A gRPC error as a trailers-only response: status and message in the only HEADERS frame. */
function refuse(stream: ServerHttp2Stream, status: number, message: string): void {
  stream.respond(
    { ':status': 200, 'content-type': 'application/grpc', 'grpc-status': String(status), 'grpc-message': encodeGrpcMessage(message) },
    { endStream: true },
  );
}

export async function startTemporalProxy(options: TemporalProxyOptions): Promise<TemporalProxy> {
  const { mode } = options;
  const forwarded: string[] = [];
  const clientSubjects: string[] = [];
  let refused = 0;

  let upstreamSession: ClientHttp2Session | undefined;
  const upstream = (): ClientHttp2Session => {
    if (!upstreamSession || upstreamSession.closed || upstreamSession.destroyed) {
      const session = http2.connect(`http://${options.upstream}`);
      session.on('error', () => undefined); // surfaced per stream below
      session.on('close', () => {
        if (upstreamSession === session) upstreamSession = undefined;
      });
      upstreamSession = session;
    }
    return upstreamSession;
  };

  const server = http2.createSecureServer({
    cert: options.serverCertPem,
    key: options.serverKeyPem,
    allowHTTP1: false,
    ...(mode.kind === 'mtls' ? { ca: mode.clientCaPem, requestCert: true, rejectUnauthorized: true } : {}),
  });
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.on('secureConnection', (socket: TLSSocket) => {
    const subject = socket.getPeerCertificate()?.subject?.CN;
    if (typeof subject === 'string') clientSubjects.push(subject);
  });
  // Handshake failures (no or untrusted client certificate, plaintext clients) are expected.
  server.on('tlsClientError', () => undefined);
  server.on('sessionError', () => undefined);

  server.on('stream', (stream, headers) => {
    stream.on('error', () => undefined);
    const method = String(headers[':path'] ?? '');
    if (mode.kind === 'api-key') {
      const authorization = headers.authorization;
      if (authorization === undefined) {
        refused += 1;
        return refuse(stream, grpcUnauthenticated, 'missing "authorization" header: an API key is required');
      }
      if (authorization !== `Bearer ${mode.apiKey}`) {
        refused += 1;
        return refuse(stream, grpcUnauthenticated, 'Request unauthorized: invalid API key');
      }
    }
    const refusal = options.refuseMethods?.[method];
    if (refusal) return refuse(stream, refusal.status, refusal.message);
    forwarded.push(method);

    const request = upstream().request({
      ':method': String(headers[':method'] ?? 'POST'),
      ':path': method,
      ':scheme': 'http',
      ':authority': options.upstream,
      ...forwardableHeaders(headers),
    });
    request.on('error', () => {
      if (!stream.destroyed) stream.close(constants.NGHTTP2_INTERNAL_ERROR);
    });
    stream.pipe(request);

    let trailers: Record<string, string | string[]> | undefined;
    request.on('trailers', (received) => {
      trailers = forwardableHeaders(received);
    });
    request.on('response', (responseHeaders, flags) => {
      if (stream.destroyed) return;
      const status = Number(responseHeaders[':status'] ?? 200);
      const endStream = (flags & constants.NGHTTP2_FLAG_END_STREAM) !== 0;
      if (endStream) {
        // Trailers-only answer upstream: pass it through as one.
        stream.respond({ ':status': status, ...forwardableHeaders(responseHeaders) }, { endStream: true });
        return;
      }
      stream.respond({ ':status': status, ...forwardableHeaders(responseHeaders) }, { waitForTrailers: true });
      stream.on('wantTrailers', () => stream.sendTrailers(trailers ?? {}));
      request.pipe(stream);
    });
    // A reset on either side (a cancelled poll, a worker shutting down) resets the other.
    stream.on('close', () => {
      if (!request.closed) request.close(stream.rstCode || constants.NGHTTP2_CANCEL);
    });
    request.on('close', () => {
      if (!stream.closed && request.rstCode && request.rstCode !== constants.NGHTTP2_NO_ERROR) stream.close(request.rstCode);
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, options.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  return {
    address: `${options.host ?? '127.0.0.1'}:${port}`,
    port,
    forwarded,
    get refused() {
      return refused;
    },
    clientSubjects,
    async close() {
      upstreamSession?.close();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
