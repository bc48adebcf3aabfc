/**
 * Certificates made at test time for the TLS and mTLS proxies (test/helpers/temporal-proxy.ts):
 * a test CA, a server certificate for localhost and 127.0.0.1, client certificates, and a
 * second, untrusted CA for the negative cases. Keys come from node:crypto (fast, native);
 * node-forge writes and signs the X.509 certificates, so no openssl CLI is needed.
 * Everything is written as PEM into one temp dir, since paycall reads certificates by path.
 */
import { createPrivateKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import forge from 'node-forge';

export interface CertificateAuthority {
  name: string;
  certPem: string;
  keyPem: string;
  certPath: string;
}

export interface IssuedCertificate {
  certPem: string;
  keyPem: string;
  certPath: string;
  keyPath: string;
}

export interface TestCertificates {
  dir: string;
  /** Trusted by the proxies: signs the server certificate and the good client certificate. */
  ca: CertificateAuthority;
  /** Server certificate with SANs localhost and 127.0.0.1, signed by `ca`. */
  server: IssuedCertificate;
  /** Client certificate signed by `ca`: accepted by the mTLS proxy. */
  client: IssuedCertificate;
  /** A CA the proxies do not trust, and a client certificate it signed. */
  otherCa: CertificateAuthority;
  otherClient: IssuedCertificate;
  /** Issues another certificate (e.g. a server certificate for other names). */
  issue(ca: CertificateAuthority, options: IssueOptions): Promise<IssuedCertificate>;
  remove(): Promise<void>;
}

export interface IssueOptions {
  file: string;
  commonName: string;
  usage: 'server' | 'client';
  dnsNames?: string[];
  ipAddresses?: string[];
}

const dayMs = 24 * 60 * 60 * 1000;

function newKeyPair(): { keyPem: string; forgePrivate: forge.pki.rsa.PrivateKey; forgePublic: forge.pki.rsa.PublicKey } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const publicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  return {
    keyPem,
    forgePrivate: forge.pki.privateKeyFromPem(pkcs1(keyPem)),
    forgePublic: forge.pki.publicKeyFromPem(publicPem) as forge.pki.rsa.PublicKey,
  };
}

function baseCertificate(publicKey: forge.pki.rsa.PublicKey, commonName: string): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  // A positive serial (first bit clear), as RFC 5280 and rustls require.
  cert.serialNumber = `01${randomBytes(15).toString('hex')}`;
  cert.validity.notBefore = new Date(Date.now() - dayMs);
  cert.validity.notAfter = new Date(Date.now() + 30 * dayMs);
  cert.setSubject([{ name: 'commonName', value: commonName }]);
  return cert;
}

async function makeCa(dir: string, name: string): Promise<CertificateAuthority> {
  const keys = newKeyPair();
  const cert = baseCertificate(keys.forgePublic, name);
  cert.setIssuer(cert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(keys.forgePrivate, forge.md.sha256.create());
  const certPem = forge.pki.certificateToPem(cert);
  const certPath = path.join(dir, `${name}.crt`);
  await writeFile(certPath, certPem);
  return { name, certPem, keyPem: keys.keyPem, certPath };
}

async function issue(dir: string, ca: CertificateAuthority, options: IssueOptions): Promise<IssuedCertificate> {
  const keys = newKeyPair();
  const caCert = forge.pki.certificateFromPem(ca.certPem);
  const cert = baseCertificate(keys.forgePublic, options.commonName);
  cert.setIssuer(caCert.subject.attributes);
  const altNames = [
    ...(options.dnsNames ?? []).map((value) => ({ type: 2, value })),
    ...(options.ipAddresses ?? []).map((ip) => ({ type: 7, ip })),
  ];
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: options.usage === 'server', clientAuth: options.usage === 'client' },
    ...(altNames.length ? [{ name: 'subjectAltName', altNames }] : []),
  ]);
  cert.sign(forge.pki.privateKeyFromPem(pkcs1(ca.keyPem)), forge.md.sha256.create());
  const certPem = forge.pki.certificateToPem(cert);
  const certPath = path.join(dir, `${options.file}.crt`);
  const keyPath = path.join(dir, `${options.file}.key`);
  await writeFile(certPath, certPem);
  await writeFile(keyPath, keys.keyPem, { mode: 0o600 });
  return { certPem, keyPem: keys.keyPem, certPath, keyPath };
}

/** forge reads PKCS#1 RSA keys; the files keep node:crypto's PKCS#8 form. */
function pkcs1(keyPem: string): string {
  return createPrivateKey(keyPem).export({ type: 'pkcs1', format: 'pem' }).toString();
}

export async function makeTestCertificates(): Promise<TestCertificates> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'paycall-tls-'));
  const ca = await makeCa(dir, 'paycall-test-ca');
  const otherCa = await makeCa(dir, 'untrusted-ca');
  const server = await issue(dir, ca, {
    file: 'server',
    commonName: 'localhost',
    usage: 'server',
    dnsNames: ['localhost'],
    ipAddresses: ['127.0.0.1'],
  });
  const client = await issue(dir, ca, { file: 'client', commonName: 'paycall-worker', usage: 'client' });
  const otherClient = await issue(dir, otherCa, { file: 'untrusted-client', commonName: 'intruder', usage: 'client' });
  return {
    dir,
    ca,
    server,
    client,
    otherCa,
    otherClient,
    issue: (authority, options) => issue(dir, authority, options),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
