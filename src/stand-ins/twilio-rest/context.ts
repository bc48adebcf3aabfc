/**
 * What every route of the stand-in shares: the known calls, idempotency keys, sent messages,
 * the StatusCallback client and its faults, the tokenizer, the clock. Built once per stand-in
 * by server.ts.
 */
import type { Logger } from '../../logging/logger.js';
import type { WebhookClient } from '../phone-simulator/http-client.js';
import type { Tokenizer } from '../phone-simulator/pay-emulator.js';
import type { CallbackFaults } from './callbacks.js';
import type { IdempotencyKeys } from './idempotency.js';
import type { LiveCalls } from './live-calls.js';
import type { SentMessage } from './resources.js';

export interface StandInContext {
  authToken: string;
  /** Only this account (else any `AC…` with the auth token). */
  accountSid?: string;
  calls: LiveCalls;
  idempotency: IdempotencyKeys;
  messages: SentMessage[];
  callbackClient: WebhookClient;
  faults: CallbackFaults;
  tokenize: Tokenizer;
  now: () => Date;
  answerDeadlineMs: number;
  /** Installed Pay Connector names; undefined accepts any. */
  paymentConnectors?: readonly string[];
  logger: Logger;
}

/** What a route answers: HTTP status and a JSON body. */
export interface RouteResult {
  status: number;
  body: unknown;
}

export interface ApiRoute {
  method: 'GET' | 'POST';
  /** Matched against the path; groups are the path parameters (AccountSid first). */
  pattern: RegExp;
  handle(ctx: StandInContext, request: { path: string; params: string[]; form: Record<string, string> }): RouteResult;
}

const basicAuth = /^Basic\s+(\S+)\s*$/i;

/** The `AccountSid` of valid HTTP Basic credentials (`AccountSid:AuthToken`), else undefined. */
export function authenticatedAccount(ctx: Pick<StandInContext, 'authToken' | 'accountSid'>, header: string | undefined): string | undefined {
  const m = header ? basicAuth.exec(header) : null;
  if (!m?.[1]) return undefined;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon === -1) return undefined;
  const user = decoded.slice(0, colon);
  const password = decoded.slice(colon + 1);
  if (!/^AC[0-9a-fA-F]{32}$/.test(user) || password !== ctx.authToken) return undefined;
  if (ctx.accountSid && user !== ctx.accountSid) return undefined;
  return user;
}
