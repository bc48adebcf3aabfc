/**
 * The card-data scanner: finds what must never be in anything paycall keeps or sends
 * (histories, state files, logs, API responses, page traffic): card-like numbers (13–19
 * digits passing Luhn, spaces or dashes allowed) and CVC-looking values next to card
 * fields. Findings show only a masked value, so a failing test never prints a number.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { isCardLike } from '../../src/privacy/card-numbers.js';

export interface CardDataFinding {
  kind: 'card-number' | 'security-code';
  /** Masked: the last four digits only. */
  value: string;
  where?: string;
  /** What stands before it (digits masked), to tell where it sits: a key name, a field. */
  context?: string;
}

/** A security code's value beside a field named like one: `"cvc":"123"`, `SecurityCode=4567`. */
const securityCodeField = /(?:cvc|cvv|cvv2|security[_-]?code|card[_-]?code)["']?\s*[:=]\s*["']?([0-9]{3,4})(?![0-9])/gi;

/**
 * Card-length digit runs standing as a token of their own: not inside a longer run of
 * letters and digits, where random hex ids (Stripe's, idempotency keys) would read as cards
 * one time in ten. A leaked card number stands alone (`"Digits":"4242…"`, `4242 4242 …`).
 */
const standaloneRuns = /(?<![0-9A-Za-z])\d(?:[ -]?\d){12,18}(?![0-9A-Za-z])/g;

/** Epoch milliseconds (13 digits starting 1, e.g. pino's `time`) pass Luhn one time in ten; they are not cards. */
function isTimestamp(digits: string): boolean {
  return digits.length === 13 && digits.startsWith('1');
}

export function cardDataFindings(text: string, where?: string): CardDataFinding[] {
  const findings: CardDataFinding[] = [];
  for (const match of text.matchAll(standaloneRuns)) {
    const digits = match[0].replace(/[ -]/g, '');
    if (!isCardLike(digits) || isTimestamp(digits)) continue;
    const context = text.slice(Math.max(0, match.index - 40), match.index).replace(/[0-9]/g, '#');
    findings.push({ kind: 'card-number', value: `••••${digits.slice(-4)}`, ...(where ? { where } : {}), context });
  }
  for (const match of text.matchAll(securityCodeField)) findings.push({ kind: 'security-code', value: '•••', ...(where ? { where } : {}) });
  return findings;
}

/** Scans every file under a folder (state files, logs, recorded histories). */
export function scanFolder(folder: string): CardDataFinding[] {
  const findings: CardDataFinding[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const full = path.join(dir, name);
      const stat = statSync(full);
      if (stat.isDirectory()) walk(full);
      else if (stat.size < 64 * 1024 * 1024) findings.push(...cardDataFindings(readFileSync(full, 'latin1'), full));
    }
  };
  walk(folder);
  return findings;
}

/**
 * A workflow history as text with every payload decoded (payload data is bytes, base64 in
 * JSON), so a scan sees what the payloads hold: inputs, results, Update arguments.
 */
export function historyAsText(history: unknown): string {
  const decode = (data: unknown): string => {
    if (data instanceof Uint8Array) return Buffer.from(data).toString('utf8');
    if (typeof data === 'string') return Buffer.from(data, 'base64').toString('utf8');
    return '';
  };
  return JSON.stringify(history, (key, value: unknown) => {
    if (key === 'payloads' && Array.isArray(value)) return value.map((p: { data?: unknown }) => ({ ...p, data: decode(p?.data) }));
    if (value instanceof Uint8Array) return Buffer.from(value).toString('utf8');
    return value;
  });
}
