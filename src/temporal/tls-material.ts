/**
 * Checks the TLS files a Temporal connection is given (server CA, client certificate and
 * key) before the SDK sees them: the SDK reports a missing or garbled file late and vaguely
 * (grpc-js as a connect timeout, Rust core as a rustls parse error), so each problem becomes
 * one line here naming the setting it came from. Only facts about the files, never their
 * contents, go into messages.
 */
import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** Where a PEM comes from: a file path, or the PEM text itself (a `_DATA` setting). */
export type PemSource = { path: string } | { data: string | Uint8Array };

export interface CheckedCertificate {
  certificate: X509Certificate;
  /** `CN=…` of the first certificate, for start-up lines. */
  subject: string;
}

export interface PemCheck<T> {
  value?: T;
  problem?: string;
}

function readPem(source: PemSource, label: string): PemCheck<string> {
  if ('path' in source) {
    try {
      return { value: readFileSync(source.path, 'utf8') };
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return { problem: `${label}: no such file` };
      if (code === 'EISDIR') return { problem: `${label}: is a directory, not a PEM file` };
      if (code === 'EACCES') return { problem: `${label}: cannot read the file (permission denied)` };
      return { problem: `${label}: cannot read the file (${code ?? (err as Error).message})` };
    }
  }
  return { value: typeof source.data === 'string' ? source.data : Buffer.from(source.data).toString('utf8') };
}

function commonName(distinguishedName: string): string {
  const cn = distinguishedName.split('\n').find((part) => part.startsWith('CN='));
  return cn ?? distinguishedName.replace(/\n/g, ', ');
}

/** A PEM certificate (the first one of a bundle is what we describe); expired ones are refused. */
export function checkCertificate(source: PemSource, label: string, now = new Date()): PemCheck<CheckedCertificate> {
  const pem = readPem(source, label);
  if (pem.problem || pem.value === undefined) return { problem: pem.problem };
  if (!/-----BEGIN CERTIFICATE-----/.test(pem.value)) {
    const hint = /-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(pem.value) ? ' (it holds a private key: swap the certificate and key settings?)' : '';
    return { problem: `${label}: not a PEM certificate (no "-----BEGIN CERTIFICATE-----" block)${hint}` };
  }
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(pem.value);
  } catch (err) {
    return { problem: `${label}: the PEM certificate cannot be parsed (${(err as Error).message})` };
  }
  const notAfter = new Date(certificate.validTo);
  if (notAfter.getTime() < now.getTime()) {
    return { problem: `${label}: the certificate (${commonName(certificate.subject)}) expired on ${notAfter.toISOString()}` };
  }
  return { value: { certificate, subject: commonName(certificate.subject) } };
}

/** A PEM private key, unencrypted (neither grpc-js nor Rust core takes a passphrase). */
export function checkPrivateKey(source: PemSource, label: string): PemCheck<KeyObject> {
  const pem = readPem(source, label);
  if (pem.problem || pem.value === undefined) return { problem: pem.problem };
  if (/-----BEGIN ENCRYPTED PRIVATE KEY-----/.test(pem.value) || /Proc-Type: 4,ENCRYPTED/.test(pem.value)) {
    return { problem: `${label}: the private key is encrypted; the Temporal SDK needs it unencrypted` };
  }
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(pem.value)) {
    const hint = /-----BEGIN CERTIFICATE-----/.test(pem.value) ? ' (it holds a certificate: swap the certificate and key settings?)' : '';
    return { problem: `${label}: not a PEM private key (no "-----BEGIN PRIVATE KEY-----" block)${hint}` };
  }
  try {
    return { value: createPrivateKey(pem.value) };
  } catch (err) {
    return { problem: `${label}: the PEM private key cannot be parsed (${(err as Error).message})` };
  }
}

export function keyMatchesCertificate(certificate: X509Certificate, key: KeyObject): boolean {
  try {
    return certificate.checkPrivateKey(key);
  } catch {
    return false;
  }
}
