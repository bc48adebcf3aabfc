/**
 * One call, played the way Twilio plays it: request the incoming-call webhook, execute the
 * TwiML verb by verb, follow Gather/Pay actions and Redirects to the next document, and
 * when the call ends (Hangup, document end, transfer, caller hang-up, application error)
 * send the call-status callback. Input comes from a `Caller`. With a link to the Twilio REST
 * stand-in, a `<Dial>` is a live call with the operator (live-dial.ts) that a REST call update
 * can redirect (to a URL, or to inline TwiML run without a request).
 */
import { performance } from 'node:perf_hooks';
import { APPLICATION_ERROR_MESSAGE, applicationErrorEnding } from './app-error.js';
export { APPLICATION_ERROR_MESSAGE } from './app-error.js';
import type { Caller } from './caller.js';
import type { WebhookClient, WebhookRequest, WebhookResult } from './http-client.js';
import { UnsupportedPayError, checkPaySupported, emulatePay, type Tokenizer } from './pay-emulator.js';
import type { CallEnded, CallRecord, TranscriptEntry } from './record.js';
import { failureEndings } from './record.js';
import { announceCall, liveDial } from './live-dial.js';
import type { Step } from './session-step.js';
import { standardVoiceParams, type CallIdentity } from './signing.js';
import type { TwilioLink } from './twilio-link.js';
import { TwimlParseError, parseTwiml, type AudioVerb, type DialVerb, type GatherVerb, type Verb } from './twiml-parser.js';


/** The "document URL" of TwiML given inline by a call update: relative URLs in it cannot be resolved. */
const INLINE_TWIML = 'inline:twiml';

/** A relative (or missing) URL in inline TwiML: Twilio requires absolute ones there (error 11100). */
class InlineTwimlUrlError extends Error {}

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
  private answered = false;
  private readonly pending: Promise<unknown>[] = [];
  private readonly heardSinceInput: string[] = [];

  constructor(private readonly options: CallSessionOptions) {}

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

  private voiceParams(): Record<string, string> {
    return standardVoiceParams(this.identity);
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
        step = await this.execute(verbs, documentUrl);
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

  private resolve(url: string | undefined, documentUrl: string): string {
    if (documentUrl === INLINE_TWIML) {
      if (url && /^https?:\/\//i.test(url)) return url;
      throw new InlineTwimlUrlError(url ? `relative URL "${url}" in TwiML given inline: Twilio needs absolute URLs there` : 'a verb without a URL in TwiML given inline: Twilio needs an absolute action URL there');
    }
    return url ? new URL(url, documentUrl).toString() : documentUrl;
  }

  private async execute(verbs: Verb[], documentUrl: string): Promise<Step> {
    for (const verb of verbs) {
      if (this.options.signal?.aborted) {
        this.hear({ verb: 'Caller', detail: 'hung up' });
        return { kind: 'end', ended: { how: 'caller-hangup', during: 'call', detail: 'aborted by the driver' } };
      }
      const firstVerb = !this.answered;
      this.answered = true;
      switch (verb.verb) {
        case 'Say':
        case 'Play':
        case 'Pause':
          await this.playAudio(verb);
          break;
        case 'Gather': {
          const step = await this.gather(verb, documentUrl);
          if (step) return step;
          break;
        }
        case 'Pay':
          return this.pay(verb, documentUrl);
        case 'Redirect': {
          const url = this.resolve(verb.url, documentUrl);
          this.hear({ verb: 'Redirect', url, method: verb.method });
          return { kind: 'navigate', request: { kind: 'redirect', method: verb.method, url, params: this.voiceParams() } };
        }
        case 'Hangup':
          this.hear({ verb: 'Hangup' });
          return { kind: 'end', ended: { how: 'hangup' } };
        case 'Reject': {
          this.hear({ verb: 'Reject', detail: verb.reason });
          // Only a <Reject> before anything else keeps Twilio from answering the call.
          const finalStatus = firstVerb ? (verb.reason === 'busy' ? 'busy' : 'no-answer') : 'completed';
          return { kind: 'end', ended: { how: 'hangup', rejectReason: verb.reason, detail: `rejected (${verb.reason})` }, finalStatus };
        }
        case 'Dial': {
          const step = await this.dial(verb, documentUrl);
          if (step) return step;
          break;
        }
        case 'Enqueue':
          this.hear({ verb: 'Enqueue', detail: verb.queue });
          return { kind: 'end', ended: { how: 'transfer', transferTo: `queue:${verb.queue}`, detail: `<Enqueue> ${verb.queue}` } };
        case 'Unsupported':
          return {
            kind: 'end',
            ended: { how: 'error', code: 'unsupported-verb', detail: `<${verb.name}> is a Twilio verb the phone simulator does not emulate` },
          };
      }
    }
    return { kind: 'end', ended: { how: 'document-end', detail: 'no more verbs: Twilio hangs up' } };
  }

  private async playAudio(verb: AudioVerb, within?: 'Gather'): Promise<void> {
    const where = within ? { within } : {};
    switch (verb.verb) {
      case 'Say':
        this.hear({
          verb: 'Say',
          text: verb.text,
          language: verb.language ?? 'en-US',
          ...(verb.voice ? { voice: verb.voice } : {}),
          ...(verb.loop !== 1 ? { loop: verb.loop } : {}),
          ...where,
        });
        return;
      case 'Play':
        this.hear({ verb: 'Play', url: verb.url, ...(verb.loop !== 1 ? { loop: verb.loop } : {}), ...where });
        return;
      case 'Pause':
        this.hear({ verb: 'Pause', seconds: verb.length, ...where });
        await this.wait(verb.length);
        return;
    }
  }

  /** Returns the next step, or undefined to fall through to the next verb. */
  private async gather(verb: GatherVerb, documentUrl: string): Promise<Step | undefined> {
    if (!verb.input.includes('dtmf')) {
      return {
        kind: 'end',
        ended: { how: 'error', code: 'unsupported-verb', detail: `<Gather input="${verb.input.join(' ')}">: only dtmf is emulated` },
      };
    }
    for (const child of verb.children) await this.playAudio(child, 'Gather');
    const reply = await this.options.caller.gather({
      ...(verb.numDigits === undefined ? {} : { numDigits: verb.numDigits }),
      finishOnKey: verb.finishOnKey,
      timeoutSeconds: verb.timeout,
      heard: this.takeHeard(),
    });
    if (reply.kind === 'script-error') {
      this.hear({ verb: 'Caller', detail: 'hung up (script error)' });
      return { kind: 'end', ended: { how: 'error', code: 'script-mismatch', detail: reply.message } };
    }
    if (reply.kind === 'hangup') {
      this.hear({ verb: 'Gather', input: 'hangup' });
      return { kind: 'end', ended: { how: 'caller-hangup', during: 'gather' } };
    }

    let digits = '';
    let finishedOnKey = '';
    let complete = false;
    if (reply.kind === 'keys') {
      for (const key of reply.keys) {
        if (verb.finishOnKey !== '' && key === verb.finishOnKey) {
          finishedOnKey = key;
          complete = true;
          break;
        }
        digits += key;
        if (verb.numDigits !== undefined && digits.length >= verb.numDigits) {
          complete = true;
          break;
        }
      }
    }
    if (!complete) await this.wait(verb.timeout); // Gather waits out its timeout, then submits what it has
    this.hear({
      verb: 'Gather',
      input: digits === '' ? 'no-input' : 'keys',
      ...(reply.kind === 'keys' ? { keys: reply.keys } : {}),
      digits,
      ...(complete ? {} : { seconds: verb.timeout }),
    });
    if (digits === '' && !verb.actionOnEmptyResult) return undefined;
    // No action: Twilio requests the current document again.
    const url = this.resolve(verb.action, documentUrl);
    return {
      kind: 'navigate',
      request: {
        kind: 'gather',
        method: verb.method,
        url,
        params: { ...this.voiceParams(), Digits: digits, FinishedOnKey: finishedOnKey },
      },
    };
  }

  /** A transfer without the stand-in; with it, a live call until redirected or ended. Undefined: next verb. */
  private dial(verb: DialVerb, documentUrl: string): Promise<Step | undefined> {
    return liveDial({
      ...(this.options.link ? { link: this.options.link } : {}),
      identity: this.identity,
      caller: this.options.caller,
      dial: verb,
      documentUrl,
      hear: (e) => this.hear(e),
      wait: (s) => this.wait(s),
      elapsedMs: () => performance.now() - this.t0 + this.simulatedMs,
      resolve: (url) => this.resolve(url, documentUrl),
      send: (request) => this.options.client.send(request),
      ...(this.options.signal ? { signal: this.options.signal } : {}),
    });
  }

  private async pay(verb: Extract<Verb, { verb: 'Pay' }>, documentUrl: string): Promise<Step> {
    const { client, caller } = this.options;
    try {
      checkPaySupported(verb);
    } catch (err) {
      if (!(err instanceof UnsupportedPayError)) throw err;
      return { kind: 'end', ended: { how: 'error', code: 'unsupported-pay', detail: err.message } };
    }
    const actionUrl = this.resolve(verb.action, documentUrl);
    const statusUrl = verb.statusCallback ? this.resolve(verb.statusCallback, documentUrl) : undefined;
    const payRequest = (params: Record<string, string>): WebhookRequest => ({
      kind: 'pay',
      method: 'POST', // <Pay action> is POST only
      url: actionUrl,
      params: { ...this.voiceParams(), ...params },
    });

    this.takeHeard();
    const begin = await caller.payBegin();
    if (begin.kind === 'script-error') {
      this.hear({ verb: 'Caller', detail: 'hung up (script error)' });
      return { kind: 'end', ended: { how: 'error', code: 'script-mismatch', detail: begin.message } };
    }
    if (begin.kind === 'hangup') {
      this.hear({ verb: 'Pay', event: 'input', input: 'hangup' });
      await client.send(payRequest({ Result: 'caller-hung-up', PaymentMethod: 'credit-card' }));
      return { kind: 'end', ended: { how: 'caller-hangup', during: 'pay-entry' } };
    }

    const outcome = await emulatePay(
      verb,
      {
        caller,
        hear: (e) => this.hear(e),
        wait: (s) => this.wait(s),
        postStatus: async (params) => {
          if (!statusUrl) return;
          await client.send({ kind: 'pay-status', method: verb.statusCallbackMethod, url: statusUrl, params });
        },
        tokenize: this.options.tokenize,
        now: this.options.now ?? (() => new Date()),
      },
      { accountSid: this.identity.accountSid, callSid: this.identity.callSid },
    );
    if (outcome.kind === 'script-error') {
      this.hear({ verb: 'Caller', detail: 'hung up (script error)' });
      await client.send(payRequest({ Result: 'caller-hung-up', PaymentMethod: 'credit-card' }));
      return { kind: 'end', ended: { how: 'error', code: 'script-mismatch', detail: outcome.message } };
    }
    if (outcome.result === 'caller-hung-up') {
      // Twilio still posts the action (Result=caller-hung-up); nobody listens to its TwiML.
      await client.send(payRequest(outcome.actionParams));
      return { kind: 'end', ended: { how: 'caller-hangup', during: 'pay-entry' } };
    }
    if (await caller.hangUpDuringPayProcessing()) {
      const inFlight = client.start(payRequest(outcome.actionParams));
      await inFlight.sent;
      this.pending.push(inFlight.result);
      this.hear({ verb: 'Caller', detail: 'hung up while the payment was processing' });
      return { kind: 'end', ended: { how: 'caller-hangup', during: 'pay-processing' } };
    }
    return { kind: 'navigate', request: payRequest(outcome.actionParams) };
  }
}
