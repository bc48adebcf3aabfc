/**
 * Why a Temporal connection failed at the transport level, found by probing the address
 * with node:net, node:tls and node:http2 using the same TLS settings. Needed because
 * @temporalio/client (grpc-js) reports every such failure as "Failed to connect before the
 * deadline", and Rust core's messages differ from grpc-js's: one probe gives one set of
 * lines for both kinds of connection. Runs only after a connection attempt failed.
 */
import net from 'node:net';
import tls, { type PeerCertificate, type TLSSocket } from 'node:tls';
import http2 from 'node:http2';
import type { TemporalConnectionConfig } from './connection-config.js';

export type TransportProblem = 'unreachable' | 'timeout' | 'tls';

export interface TransportDiagnosis {
  reason: TransportProblem;
  line: string;
}

interface TlsSettings {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  serverName?: string;
}

export function splitAddress(address: string): { host: string; port: number } {
  const match = /^\[?([^\]]+?)\]?:(\d+)$/.exec(address);
  return match ? { host: match[1]!, port: Number(match[2]) } : { host: address, port: 7233 };
}

function tlsSettings(config: TemporalConnectionConfig): TlsSettings {
  const option = config.connectOptions.tls;
  if (!option || option === true) return {};
  const buffer = (bytes?: Uint8Array) => (bytes ? Buffer.from(bytes) : undefined);
  return {
    ca: buffer(option.serverRootCACertificate),
    cert: buffer(option.clientCertPair?.crt),
    key: buffer(option.clientCertPair?.key),
    serverName: option.serverNameOverride,
  };
}

type Outcome<T> = { ok: true; value: T } | { ok: false; error: NodeJS.ErrnoException | 'timeout' };

function settle<T>(timeoutMs: number, start: (resolve: (outcome: Outcome<T>) => void) => () => void): Promise<Outcome<T>> {
  return new Promise((resolve) => {
    let done = false;
    let cleanup: () => void = () => undefined;
    const finish = (outcome: Outcome<T>) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      cleanup();
      resolve(outcome);
    };
    const timer = setTimeout(() => finish({ ok: false, error: 'timeout' }), timeoutMs);
    cleanup = start(finish);
  });
}

function tcpProbe(host: string, port: number, timeoutMs: number): Promise<Outcome<void>> {
  return settle(timeoutMs, (finish) => {
    const socket = net.connect({ host, port });
    socket.once('connect', () => finish({ ok: true, value: undefined }));
    socket.once('error', (error) => finish({ ok: false, error }));
    return () => socket.destroy();
  });
}

/** A TLS handshake, then an HTTP/2 SETTINGS exchange: mTLS refusals arrive only after the handshake (TLS 1.3). */
function tlsProbe(host: string, port: number, settings: TlsSettings, verify: boolean, timeoutMs: number): Promise<Outcome<PeerCertificate>> {
  return settle(timeoutMs, (finish) => {
    const servername = settings.serverName ?? (net.isIP(host) ? undefined : host);
    const socket: TLSSocket = tls.connect({
      host,
      port,
      ...(servername ? { servername } : {}),
      ...(settings.ca ? { ca: settings.ca } : {}),
      ...(settings.cert && settings.key ? { cert: settings.cert, key: settings.key } : {}),
      ALPNProtocols: ['h2'],
      rejectUnauthorized: verify,
    });
    let session: http2.ClientHttp2Session | undefined;
    socket.once('error', (error) => finish({ ok: false, error }));
    socket.once('secureConnect', () => {
      const peer = socket.getPeerCertificate();
      if (!verify) return finish({ ok: true, value: peer });
      session = http2.connect(`https://${host}:${port}`, { createConnection: () => socket });
      session.once('remoteSettings', () => finish({ ok: true, value: peer }));
      session.once('error', (error) => finish({ ok: false, error }));
      session.once('close', () => finish({ ok: false, error: Object.assign(new Error('closed'), { code: 'ECONNRESET' }) }));
    });
    return () => {
      session?.destroy();
      socket.destroy();
    };
  });
}

function plaintextProbe(host: string, port: number, timeoutMs: number): Promise<Outcome<void>> {
  return settle(timeoutMs, (finish) => {
    const session = http2.connect(`http://${net.isIPv6(host) ? `[${host}]` : host}:${port}`);
    session.once('remoteSettings', () => finish({ ok: true, value: undefined }));
    session.once('error', (error) => finish({ ok: false, error }));
    session.once('close', () => finish({ ok: false, error: Object.assign(new Error('closed'), { code: 'ECONNRESET' }) }));
    return () => session.destroy();
  });
}

const untrustedCodes = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
]);

function isPlaintextAnswer(error: NodeJS.ErrnoException): boolean {
  return /WRONG_VERSION_NUMBER|PACKET_LENGTH_TOO_LONG|UNKNOWN_PROTOCOL|HTTP_REQUEST/i.test(error.code ?? '') || /wrong version number|packet length too long/i.test(error.message);
}

function isClientCertificateRefusal(error: NodeJS.ErrnoException): boolean {
  return /ALERT_(UNKNOWN_CA|BAD_CERTIFICATE|CERTIFICATE_UNKNOWN|UNSUPPORTED_CERTIFICATE|CERTIFICATE_REVOKED|CERTIFICATE_EXPIRED|ACCESS_DENIED|DECRYPT_ERROR)/.test(error.code ?? '')
    || error.code === 'ECONNRESET' || error.code === 'EPIPE';
}

function certificateNames(peer: PeerCertificate | undefined): string {
  const names = (peer?.subjectaltname ?? '')
    .split(', ')
    .map((entry) => entry.replace(/^(DNS|IP Address):/, ''))
    .filter(Boolean);
  return names.length ? names.join(', ') : peer?.subject?.CN ? `CN=${peer.subject.CN}` : 'no names';
}

function issuerOf(peer: PeerCertificate | undefined): string {
  return peer?.issuer?.CN ? `CN=${peer.issuer.CN}` : peer?.issuer?.O ? `O=${peer.issuer.O}` : 'an unknown issuer';
}

/** The transport problem with this config's address, or undefined when TCP, TLS and HTTP/2 all work. */
export async function diagnoseTransport(config: TemporalConnectionConfig, timeoutMs = 3000): Promise<TransportDiagnosis | undefined> {
  const { names, address } = config;
  const { host, port } = splitAddress(address);
  const seconds = `${Math.round(timeoutMs / 100) / 10} s`;

  const tcp = await tcpProbe(host, port, timeoutMs);
  if (!tcp.ok) {
    const error = tcp.error;
    if (error === 'timeout') return { reason: 'timeout', line: `${names.address()}: no answer from ${address} within ${seconds} (check the host, the port and any firewall)` };
    if (error.code === 'ENOTFOUND' || error.code === 'EAI_AGAIN') return { reason: 'unreachable', line: `${names.address()}: host ${host} not found (DNS lookup failed)` };
    if (error.code === 'ECONNREFUSED') return { reason: 'unreachable', line: `${names.address()}: connection refused (nothing listens on ${address})` };
    return { reason: 'unreachable', line: `${names.address()}: cannot reach ${address} (${error.code ?? error.message})` };
  }

  const settings = tlsSettings(config);
  if (!config.tls) {
    const plain = await plaintextProbe(host, port, timeoutMs);
    if (plain.ok) return undefined;
    const secure = await tlsProbe(host, port, settings, false, timeoutMs);
    if (secure.ok) {
      const how = 'set TEMPORAL_TLS=true (with TEMPORAL_TLS_SERVER_CA_CERT_PATH for a private CA), or TEMPORAL_API_KEY for an API-key endpoint';
      const off = names.tlsDisabled();
      return { reason: 'tls', line: `${names.address()}: the server speaks TLS but ${off === 'TEMPORAL_TLS' ? 'no TLS is configured' : `${off} turns TLS off`}: ${how}` };
    }
    return undefined;
  }

  const secure = await tlsProbe(host, port, settings, true, timeoutMs);
  if (secure.ok) return undefined;
  const error = secure.error;
  if (error === 'timeout') return { reason: 'timeout', line: `${names.address()}: no TLS answer from ${address} within ${seconds}` };
  if (isPlaintextAnswer(error)) {
    const enabledBy = names.tlsEnabledBy();
    const fix = config.apiKey ? "use the server's TLS port" : "use the server's TLS port, or set TEMPORAL_TLS=false for a plaintext server";
    return { reason: 'tls', line: `${names.address()}: the server does not speak TLS, but ${enabledBy} turns TLS on: ${fix}` };
  }
  const peek = async () => {
    const seen = await tlsProbe(host, port, settings, false, timeoutMs);
    return seen.ok ? seen.value : undefined;
  };
  if (untrustedCodes.has(error.code ?? '')) {
    const issuer = issuerOf(await peek());
    return config.customServerCa
      ? { reason: 'tls', line: `${names.tls('serverCACert')}: this CA did not sign the certificate of ${address} (issued by ${issuer}); use the CA that did` }
      : { reason: 'tls', line: `${names.address()}: the server's certificate (issued by ${issuer}) is not trusted by the system CAs: set TEMPORAL_TLS_SERVER_CA_CERT_PATH to the CA that signed it` };
  }
  if (error.code === 'CERT_HAS_EXPIRED') return { reason: 'tls', line: `${names.address()}: the server's certificate has expired (${(await peek())?.valid_to ?? 'date unknown'})` };
  if (error.code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    const presented = certificateNames(await peek());
    return config.serverName
      ? { reason: 'tls', line: `${names.tls('serverName')}: the certificate of ${address} is for ${presented}, not ${config.serverName}` }
      : { reason: 'tls', line: `${names.address()}: the server's certificate is for ${presented}, not ${host}: set TEMPORAL_TLS_SERVER_NAME to one of those names` };
  }
  if (/CERTIFICATE_REQUIRED/.test(error.code ?? '') || /certificate required/i.test(error.message)) {
    return { reason: 'tls', line: `${names.address()}: the server requires a client certificate (mTLS): set TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH` };
  }
  if (config.clientCertificate && isClientCertificateRefusal(error)) {
    return {
      reason: 'tls',
      line: `${names.tls('clientCert')}: ${address} refused the client certificate ${config.clientCertificate}: use one signed by a CA the server trusts (on Temporal Cloud, a CA uploaded for the namespace)`,
    };
  }
  return { reason: 'tls', line: `${names.address()}: TLS with ${address} failed (${error.code ?? error.message})` };
}
