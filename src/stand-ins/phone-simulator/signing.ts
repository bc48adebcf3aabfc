/**
 * Twilio's side of webhook security: the `X-Twilio-Signature` (HMAC-SHA1 over the public URL
 * plus the sorted form parameters, computed by twilio-node's own helper), the
 * `I-Twilio-Idempotency-Token`, the auth token lookup, and the standard voice parameters.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import twilio from 'twilio';

export const SIGNATURE_HEADER = 'X-Twilio-Signature';
export const IDEMPOTENCY_HEADER = 'I-Twilio-Idempotency-Token';

/** Used when `TWILIO_ACCOUNT_SID` is not set: obviously fake, but the right shape. */
export const DEV_ACCOUNT_SID = 'AC00000000000000000000000000000000';
export const DEFAULT_FROM = '+15005550006';
export const DEFAULT_TO = '+15005550001';
export const AUTH_TOKEN_FILE = 'twilio-dev-auth-token';

export class AuthTokenError extends Error {
  override name = 'AuthTokenError';
}

/**
 * The auth token to sign with: `TWILIO_AUTH_TOKEN`, else the local dev token file
 * `<DATA_DIR>/twilio-dev-auth-token` (DATA_DIR defaults to `.data`), else a clear error.
 */
export function resolveAuthToken(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string {
  const fromEnv = env.TWILIO_AUTH_TOKEN?.trim();
  if (fromEnv) return fromEnv;
  const file = path.resolve(cwd, env.DATA_DIR || '.data', AUTH_TOKEN_FILE);
  let content: string;
  try {
    content = readFileSync(file, 'utf8');
  } catch {
    throw new AuthTokenError(
      `No Twilio auth token to sign requests with: set TWILIO_AUTH_TOKEN, or start paycall locally ` +
        `(it writes its dev token to ${file}).`,
    );
  }
  const token = content.trim();
  if (!token) throw new AuthTokenError(`The auth token file ${file} is empty.`);
  return token;
}

export function resolveAccountSid(env: NodeJS.ProcessEnv = process.env): string {
  return env.TWILIO_ACCOUNT_SID?.trim() || DEV_ACCOUNT_SID;
}

/** `CA` + 32 hex digits, like a real CallSid. */
export function newCallSid(): string {
  return `CA${randomBytes(16).toString('hex')}`;
}

export function newIdempotencyToken(): string {
  return randomUUID();
}

/**
 * The URL Twilio signs: the full URL with its query string, without a `#` fragment
 * (connection overrides are not signed) and, for https, without port and userinfo.
 */
export function signingUrl(url: string): string {
  const noFragment = stripFragment(url);
  const m = /^(https:\/\/)(?:[^@/?#]*@)?([^/?#:]+|\[[^\]]+\])(?::\d+)?(.*)$/i.exec(noFragment);
  if (!m) return noFragment;
  return `${m[1]}${m[2]}${m[3]}`;
}

export function stripFragment(url: string): string {
  const i = url.indexOf('#');
  return i === -1 ? url : url.slice(0, i);
}

/** `X-Twilio-Signature` for a request to `publicUrl` with these form parameters (none for GET). */
export function signRequest(authToken: string, publicUrl: string, params: Record<string, string>): string {
  return twilio.getExpectedTwilioSignature(authToken, signingUrl(publicUrl), params);
}

export interface CallIdentity {
  callSid: string;
  accountSid: string;
  from: string;
  to: string;
}

/** ISO country of an E.164 number, for the few prefixes paycall cares about. */
export function countryOf(e164: string): string {
  if (e164.startsWith('+81')) return 'JP';
  if (e164.startsWith('+44')) return 'GB';
  if (e164.startsWith('+1')) return 'US';
  return '';
}

/**
 * The parameters Twilio sends on every voice request (incoming call, Gather/Pay actions,
 * Redirect): the contract's set plus the `Called`/`Caller`/country fields real Twilio adds.
 */
export function standardVoiceParams(call: CallIdentity, callStatus = 'in-progress'): Record<string, string> {
  return {
    AccountSid: call.accountSid,
    ApiVersion: '2010-04-01',
    CallSid: call.callSid,
    CallStatus: callStatus,
    Called: call.to,
    Caller: call.from,
    Direction: 'inbound',
    From: call.from,
    FromCountry: countryOf(call.from),
    To: call.to,
    ToCountry: countryOf(call.to),
  };
}
