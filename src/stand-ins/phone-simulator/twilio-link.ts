/**
 * The phone's end of the caller link to the Twilio REST stand-in (protocol in
 * ../twilio-rest/control-protocol.ts): while the caller is connected to an operator in a
 * `<Dial>`, Twilio's side of the call (payment capture requests, redirects, the operator
 * hanging up) lives in the stand-in, which may be another process. Nothing sent here goes into
 * the call record: the keys the caller types for a card are Twilio-internal.
 */
import {
  CONTROL_PREFIX,
  type CallerInput,
  type CallStart,
  type ControlEvent,
  type DialStart,
  type EventsResponse,
} from '../twilio-rest/control-protocol.js';

export class TwilioLinkError extends Error {
  override name = 'TwilioLinkError';
}

export interface TwilioLinkOptions {
  /** The stand-in's base URL, e.g. http://127.0.0.1:12112. */
  baseUrl: string;
  accountSid: string;
  authToken: string;
  /** Per request (the long-poll adds its wait). Default 5000 ms. */
  timeoutMs?: number;
}

export class TwilioLink {
  private readonly base: string;
  private readonly authorization: string;
  private readonly timeoutMs: number;
  /** The last event seen per call: a second `<Dial>` on the same call goes on from there. */
  private readonly seen = new Map<string, number>();

  constructor(options: TwilioLinkOptions) {
    this.base = options.baseUrl.replace(/\/+$/, '');
    this.authorization = `Basic ${Buffer.from(`${options.accountSid}:${options.authToken}`).toString('base64')}`;
    this.timeoutMs = options.timeoutMs ?? 5000;
  }

  get baseUrl(): string {
    return this.base;
  }

  private async call<T>(method: 'GET' | 'POST', path: string, body?: unknown, extraMs = 0, signal?: AbortSignal): Promise<T> {
    const timeout = AbortSignal.timeout(this.timeoutMs + extraMs);
    let response: Response;
    try {
      response = await fetch(`${this.base}${CONTROL_PREFIX}${path}`, {
        method,
        headers: { authorization: this.authorization, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: signal ? AbortSignal.any([timeout, signal]) : timeout,
      });
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause?.code;
      throw new TwilioLinkError(`${method} ${this.base}${CONTROL_PREFIX}${path}: ${cause ?? (err as Error).message}`);
    }
    const text = await response.text();
    if (!response.ok) throw new TwilioLinkError(`${method} ${CONTROL_PREFIX}${path}: HTTP ${response.status} ${text.slice(0, 200)}`);
    return JSON.parse(text) as T;
  }

  /** A call began: from now on the REST API knows it. */
  async start(callSid: string, start: CallStart): Promise<void> {
    await this.call('POST', `/${callSid}/start`, start);
  }

  /** The caller is connected to the operator. */
  async dial(callSid: string, start: DialStart): Promise<void> {
    await this.call('POST', `/${callSid}/dial`, start);
  }

  /** Events not seen yet, waiting up to `waitMs` for one. */
  async events(callSid: string, waitMs: number, signal?: AbortSignal): Promise<ControlEvent[]> {
    const after = this.seen.get(callSid) ?? 0;
    const response = await this.call<EventsResponse>('GET', `/${callSid}/events?after=${after}&waitMs=${waitMs}`, undefined, waitMs, signal);
    const last = response.events.at(-1);
    if (last) this.seen.set(callSid, last.seq);
    return response.events;
  }

  async input(callSid: string, input: CallerInput): Promise<'accepted' | 'stale'> {
    const response = await this.call<{ result: 'accepted' | 'stale' }>('POST', `/${callSid}/input`, input);
    return response.result;
  }

  async hangup(callSid: string): Promise<void> {
    await this.call('POST', `/${callSid}/hangup`, {});
  }
}
