/**
 * One call, played the way Twilio plays it: request the incoming-call webhook, run each
 * TwiML document's verbs (verb-execution.ts), follow Gather/Pay actions and Redirects to the
 * next document, and when the call ends (Hangup, document end, transfer, caller hang-up,
 * application error) send the call-status callback and return the call's record. Input comes
 * from a `Caller`. With a link to the Twilio REST stand-in, a `<Dial>` is a live call with the
 * operator (live-dial.ts) that a REST call update can redirect (to a URL, or to inline TwiML
 * run without a request).
 */
import { performance } from 'node:perf_hooks';
import { APPLICATION_ERROR_MESSAGE, applicationErrorEnding } from './app-error.js';
export { APPLICATION_ERROR_MESSAGE } from './app-error.js';
import type { Caller } from './caller.js';
import { INLINE_TWIML, InlineTwimlUrlError } from './document-url.js';
import type { WebhookClient, WebhookResult } from './http-client.js';
import { announceCall } from './live-dial.js';
import type { CallEnded, CallRecord, TranscriptEntry } from './record.js';
import { failureEndings } from './record.js';
import type { Step } from './session-step.js';
import { standardVoiceParams, type CallIdentity } from './signing.js';
import type { Tokenizer } from './stripe-tokenizer.js';
import type { TwilioLink } from './twilio-link.js';
import { TwimlParseError, parseTwiml } from './twiml-parser.js';
import type { Verb } from './twiml-verbs.js';
import { VerbExecutor } from './verb-execution.js';

export interface CallSessionOptions {
  client: WebhookClient;
  identity: CallIdentity;
  caller: Caller;
  tokenize: Tokenizer;
  /** Path of the incoming-call webhook, default `/twilio/voice`. */
  voicePath?: string;
  /** Path of the call-status callback, default `/twilio/status`. */
  statusPath?: string;
  /** Really wait for <Pause> and input timeouts instead of simulating the time. */
  realtime?: boolean;
  /** Safety net against request loops (Redirect to itself, endless re-prompts). Default 100. */
  maxRequests?: number;
  /** Clock for card expiry checks. */
  now?: () => Date;
  /** Hang up (as the caller) when this aborts. */
  signal?: AbortSignal;
  /** The Twilio REST stand-in: makes `<Dial>` a live call with the operator. Without it, `<Dial>` is a transfer. */
  link?: TwilioLink;
  /** Everything on the line as it happens (also passed to the caller's onTranscript). */
  onTranscript?: (entry: TranscriptEntry) => void;
  scenarioName?: string;
}

export class CallSession {
  readonly transcript: TranscriptEntry[] = [];
  private simulatedMs = 0;
  private t0 = performance.now();
  private readonly pending: Promise<unknown>[] = [];
  private readonly heardSinceInput: string[] = [];
  private readonly verbs: VerbExecutor;

  constructor(private readonly options: CallSessionOptions) {
    this.verbs = new VerbExecutor({
      identity: options.identity,
      caller: options.caller,
      client: options.client,
      tokenize: options.tokenize,
      now: options.now ?? (() => new Date()),
      ...(options.link ? { link: options.link } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      hear: (entry) => this.hear(entry),
      takeHeard: () => this.takeHeard(),
      wait: (seconds) => this.wait(seconds),
      elapsedMs: () => performance.now() - this.t0 + this.simulatedMs,
      keepPending: (result) => {
        this.pending.push(result);
      },
    });
  }

  private get identity(): CallIdentity {
    return this.options.identity;
  }

  private hear(entry: TranscriptEntry): void {
    this.transcript.push(entry);
    if (entry.text !== undefined) this.heardSinceInput.push(entry.text);
    this.options.caller.onTranscript?.(entry);
    this.options.onTranscript?.(entry);
  }

  private takeHeard(): string[] {
    return this.heardSinceInput.splice(0);
  }

  private async wait(seconds: number): Promise<void> {
    const ms = seconds * 1000;
    if (ms <= 0) return;
    if (this.options.realtime) await new Promise((r) => setTimeout(r, ms));
    else this.simulatedMs += ms;
  }

  async run(): Promise<CallRecord> {
    const { client } = this.options;
    const startedAt = new Date();
    const t0 = (this.t0 = performance.now());
    const maxRequests = this.options.maxRequests ?? 100;

    let next: Exclude<Step, { kind: 'end' }> = {
      kind: 'navigate',
      // Twilio's first request for an inbound call says CallStatus=ringing; later ones in-progress.
      request: { kind: 'voice', method: 'POST', url: client.publicUrl(this.options.voicePath ?? '/twilio/voice'), params: standardVoiceParams(this.identity, 'ringing') },
    };
    const linked = this.options.link ? await announceCall(this.options.link, this.identity, next.request.url) : false;
    let ended: CallEnded;
    let finalStatus = 'completed';
    for (let documents = 0; ; documents++) {
      if (documents >= maxRequests) {
        ended = { how: 'error', code: 'request-loop', detail: `more than ${maxRequests} TwiML documents in one call` };
        break;
      }
      let body: string;
      let documentUrl: string;
      let where: string;
      if (next.kind === 'navigate') {
        const response = await client.send(next.request);
        if (!response.ok) {
          ended = this.applicationError(response.record.path, response);
          break;
        }
        body = response.body;
        documentUrl = next.request.url;
        where = response.record.path;
      } else {
        body = next.twiml;
        documentUrl = INLINE_TWIML;
        where = 'inline TwiML (call update)';
      }
      let verbs: Verb[];
      try {
        verbs = parseTwiml(body);
      } catch (err) {
        if (!(err instanceof TwimlParseError)) throw err;
        ended = this.applicationError(where, undefined, err);
        break;
      }
      let step: Step;
      try {
        step = await this.verbs.execute(verbs, documentUrl);
      } catch (err) {
        if (!(err instanceof InlineTwimlUrlError)) throw err;
        ended = this.applicationError(where, undefined, undefined, err.message);
        break;
      }
      if (step.kind === 'end') {
        ended = step.ended;
        if (step.finalStatus) finalStatus = step.finalStatus;
        break;
      }
      next = step;
    }

    if (this.options.link && (linked || this.transcript.some((e) => e.verb === 'Dial' && e.event === 'connected'))) {
      await this.options.link.hangup(this.identity.callSid).catch(() => undefined);
    }
    // Twilio always reports the end of the call; a caller hang-up is how the app learns of it.
    const durationSeconds = finalStatus === 'completed' ? Math.round((performance.now() - t0 + this.simulatedMs) / 1000) : 0;
    await client.send({
      kind: 'status-callback',
      method: 'POST',
      url: client.publicUrl(this.options.statusPath ?? '/twilio/status'),
      params: {
        ...standardVoiceParams(this.identity, finalStatus),
        CallDuration: String(durationSeconds),
        Duration: String(Math.ceil(durationSeconds / 60)),
        CallbackSource: 'call-progress-events',
        SequenceNumber: '0',
        Timestamp: new Date().toUTCString().replace('GMT', '+0000'),
      },
    });
    await Promise.allSettled(this.pending);
    await this.options.caller.close?.();

    return {
      callSid: this.identity.callSid,
      accountSid: this.identity.accountSid,
      from: this.identity.from,
      to: this.identity.to,
      ...(this.options.scenarioName ? { scenario: this.options.scenarioName } : {}),
      startedAt: startedAt.toISOString(),
      transcript: this.transcript,
      requests: [...client.records].sort((a, b) => a.startedAt.localeCompare(b.startedAt)),
      ended,
      durationMs: Math.round(performance.now() - t0),
      callDurationSeconds: durationSeconds,
      ok: !failureEndings.includes(ended.how),
    };
  }

  private applicationError(where: string, response?: WebhookResult, parseError?: TwimlParseError, urlError?: string): CallEnded {
    const ended = applicationErrorEnding(where, response, parseError, urlError);
    this.hear({ verb: 'Twilio', text: APPLICATION_ERROR_MESSAGE, language: 'en-US', ...(ended.code ? { error: ended.code } : {}) });
    return ended;
  }
}
