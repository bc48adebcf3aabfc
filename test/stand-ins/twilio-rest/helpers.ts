/**
 * For the Twilio REST stand-in's tests: the stand-in with the Stripe sandbox, the real `twilio`
 * client pointed at it, a StatusCallback receiver that checks `X-Twilio-Signature` with
 * `twilio.validateRequest` (as paycall does), and a fake phone that speaks the caller link the
 * way the phone simulator does, answering capture requests from a script.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import twilio from 'twilio';
import { createLogger } from '../../../src/logging/logger.js';
import { newCallSid } from '../../../src/stand-ins/phone-simulator/signing.js';
import { TwilioLink } from '../../../src/stand-ins/phone-simulator/twilio-link.js';
import type { ControlEvent } from '../../../src/stand-ins/twilio-rest/control-protocol.js';
import { startTwilioStandIn, type TwilioStandIn, type TwilioStandInOptions } from '../../../src/stand-ins/twilio-rest/server.js';
import { startSandbox, type TestSandbox } from '../phone-simulator/helpers.js';

export const ACCOUNT_SID = `AC${'a1'.repeat(16)}`;
export const AUTH_TOKEN = 'stand-in-test-token-0123456789ab';

export interface Received {
  path: string;
  params: Record<string, string>;
  signature: string | undefined;
  idempotencyToken: string | undefined;
  validSignature: boolean;
}

export interface CallbackReceiver {
  url: string;
  received: Received[];
  /** Resolves with the first received request (from `from` on) matching, else rejects after timeoutMs. */
  waitFor(match: (r: Received) => boolean, timeoutMs?: number, from?: number): Promise<Received>;
  close(): Promise<void>;
}

/** Records every POST, answers 204; validates the signature over its own URL. */
export async function startCallbackReceiver(authToken = AUTH_TOKEN): Promise<CallbackReceiver> {
  const received: Received[] = [];
  const waiters = new Set<() => void>();
  const app = express();
  app.use(express.urlencoded({ extended: false }));
  let base = '';
  app.post('/{*rest}', (req, res) => {
    const params = { ...(req.body as Record<string, string>) };
    const signature = req.header('X-Twilio-Signature');
    received.push({
      path: req.path,
      params,
      signature,
      idempotencyToken: req.header('I-Twilio-Idempotency-Token'),
      validSignature: signature !== undefined && twilio.validateRequest(authToken, signature, base + req.originalUrl, params),
    });
    for (const w of [...waiters]) w();
    res.status(204).end();
  });
  const server: Server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    received,
    waitFor(match, timeoutMs = 5000, from = 0) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const hit = received.slice(from).find(match);
          if (!hit) return false;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(hit);
          return true;
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no matching callback within ${timeoutMs} ms; received: ${JSON.stringify(received.map((r) => r.params))}`));
        }, timeoutMs);
        if (!check()) waiters.add(check);
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface StandInFixture {
  standIn: TwilioStandIn;
  sandbox: TestSandbox;
  client: twilio.Twilio;
  stop(): Promise<void>;
}

export async function startStandInFixture(options: Partial<TwilioStandInOptions> = {}): Promise<StandInFixture> {
  const sandbox = await startSandbox();
  const standIn = await startTwilioStandIn({
    authToken: AUTH_TOKEN,
    stripeUrl: sandbox.url,
    logger: createLogger('twilio-stand-in', 'silent'),
    ...options,
  });
  return {
    standIn,
    sandbox,
    client: clientFor(standIn.url),
    async stop() {
      await standIn.close();
      await sandbox.stop();
    },
  };
}

/** The real twilio client, pointed at the stand-in the way paycall does it. */
export function clientFor(baseUrl: string, authToken = AUTH_TOKEN): twilio.Twilio {
  const client = twilio(ACCOUNT_SID, authToken);
  client.api.baseUrl = baseUrl;
  return client;
}

export type Answer = { keys: string } | 'no-input' | 'hangup' | 'ignore';

export interface FakePhone {
  callSid: string;
  childCallSid: string;
  events: ControlEvent[];
  /** Resolves with the first event (already seen or to come) matching. */
  next(match: (e: ControlEvent) => boolean, timeoutMs?: number): Promise<ControlEvent>;
  stop(): Promise<void>;
}

/**
 * A caller connected in a `<Dial>`: answers each capture request with the next answer for its
 * field (`answers[field]`, in order), like the phone simulator does over the same link.
 */
export async function connectFakePhone(
  standInUrl: string,
  answers: Partial<Record<string, Answer[]>> = {},
  options: { documentUrl?: string } = {},
): Promise<FakePhone> {
  const link = new TwilioLink({ baseUrl: standInUrl, accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN });
  const callSid = newCallSid();
  const childCallSid = newCallSid();
  await link.dial(callSid, {
    accountSid: ACCOUNT_SID,
    from: '+15005550006',
    to: '+15005550001',
    dialTo: ['+15005550009'],
    childCallSid,
    documentUrl: options.documentUrl ?? 'https://paycall.example.test/twilio/gather',
  });
  const events: ControlEvent[] = [];
  const waiters = new Set<() => void>();
  const stopped = new AbortController();
  const used: Record<string, number> = {};
  const loop = (async () => {
    while (!stopped.signal.aborted) {
      let batch: ControlEvent[];
      try {
        batch = await link.events(callSid, 2000, stopped.signal);
      } catch {
        return;
      }
      for (const event of batch) {
        events.push(event);
        for (const w of [...waiters]) w();
        if (event.type !== 'capture') continue;
        const i = used[event.field] ?? 0;
        used[event.field] = i + 1;
        const answer = answers[event.field]?.[i] ?? 'ignore';
        if (answer === 'ignore') continue;
        if (answer === 'hangup') await link.hangup(callSid);
        else if (answer === 'no-input') await link.input(callSid, { kind: 'no-input', requestId: event.requestId });
        else await link.input(callSid, { kind: 'keys', requestId: event.requestId, keys: answer.keys });
      }
      if (events.some((e) => e.type === 'hangup' || e.type === 'redirect' || e.type === 'dial-ended')) return;
    }
  })();
  return {
    callSid,
    childCallSid,
    events,
    next(match, timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const hit = events.find(match);
          if (!hit) return false;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(hit);
          return true;
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no matching event within ${timeoutMs} ms; got ${JSON.stringify(events)}`));
        }, timeoutMs);
        if (!check()) waiters.add(check);
      });
    },
    async stop() {
      stopped.abort();
      await loop;
    },
  };
}

/** The RestException the twilio client throws, as `{ status, code }`. */
export async function restError(promise: Promise<unknown>): Promise<{ status: number; code: number; message: string; moreInfo: string }> {
  try {
    await promise;
  } catch (err) {
    const e = err as { status: number; code: number; message: string; moreInfo: string };
    return { status: e.status, code: e.code, message: e.message, moreInfo: e.moreInfo };
  }
  throw new Error('expected the request to fail');
}

/** 13 to 19 digits standing alone: what a card number looks like anywhere in a request. */
export function cardLikeRuns(values: readonly string[]): string[] {
  return values.flatMap((v) => v.match(/(?<![0-9A-Za-z])\d{13,19}(?![0-9A-Za-z])/g) ?? []);
}
