/**
 * One TwiML document's verbs, run in order as Twilio runs them: the audio verbs, <Gather>,
 * <Redirect>, <Hangup>, <Reject>, <Enqueue> here; <Pay> (pay-verb.ts) and <Dial>
 * (live-dial.ts) in their own modules. Says what the call does next: request another
 * document, run inline TwiML, or end.
 */
import { resolveVerbUrl } from './document-url.js';
import { liveDial } from './live-dial.js';
import { runPayVerb } from './pay-verb.js';
import type { Step } from './session-step.js';
import { standardVoiceParams } from './signing.js';
import type { AudioVerb, DialVerb, GatherVerb, Verb } from './twiml-verbs.js';
import type { VerbContext } from './verb-context.js';

export class VerbExecutor {
  /** Twilio answers at the first verb; a <Reject> before any other leaves the call unanswered. */
  private answered = false;

  constructor(private readonly ctx: VerbContext) {}

  async execute(verbs: Verb[], documentUrl: string): Promise<Step> {
    for (const verb of verbs) {
      if (this.ctx.signal?.aborted) {
        this.ctx.hear({ verb: 'Caller', detail: 'hung up' });
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
          return runPayVerb(verb, documentUrl, this.ctx);
        case 'Redirect': {
          const url = resolveVerbUrl(verb.url, documentUrl);
          this.ctx.hear({ verb: 'Redirect', url, method: verb.method });
          return { kind: 'navigate', request: { kind: 'redirect', method: verb.method, url, params: standardVoiceParams(this.ctx.identity) } };
        }
        case 'Hangup':
          this.ctx.hear({ verb: 'Hangup' });
          return { kind: 'end', ended: { how: 'hangup' } };
        case 'Reject': {
          this.ctx.hear({ verb: 'Reject', detail: verb.reason });
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
          this.ctx.hear({ verb: 'Enqueue', detail: verb.queue });
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
        this.ctx.hear({
          verb: 'Say',
          text: verb.text,
          language: verb.language ?? 'en-US',
          ...(verb.voice ? { voice: verb.voice } : {}),
          ...(verb.loop !== 1 ? { loop: verb.loop } : {}),
          ...where,
        });
        return;
      case 'Play':
        this.ctx.hear({ verb: 'Play', url: verb.url, ...(verb.loop !== 1 ? { loop: verb.loop } : {}), ...where });
        return;
      case 'Pause':
        this.ctx.hear({ verb: 'Pause', seconds: verb.length, ...where });
        await this.ctx.wait(verb.length);
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
    const reply = await this.ctx.caller.gather({
      ...(verb.numDigits === undefined ? {} : { numDigits: verb.numDigits }),
      finishOnKey: verb.finishOnKey,
      timeoutSeconds: verb.timeout,
      heard: this.ctx.takeHeard(),
    });
    if (reply.kind === 'script-error') {
      this.ctx.hear({ verb: 'Caller', detail: 'hung up (script error)' });
      return { kind: 'end', ended: { how: 'error', code: 'script-mismatch', detail: reply.message } };
    }
    if (reply.kind === 'hangup') {
      this.ctx.hear({ verb: 'Gather', input: 'hangup' });
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
    if (!complete) await this.ctx.wait(verb.timeout); // Gather waits out its timeout, then submits what it has
    this.ctx.hear({
      verb: 'Gather',
      input: digits === '' ? 'no-input' : 'keys',
      ...(reply.kind === 'keys' ? { keys: reply.keys } : {}),
      digits,
      ...(complete ? {} : { seconds: verb.timeout }),
    });
    if (digits === '' && !verb.actionOnEmptyResult) return undefined;
    // No action: Twilio requests the current document again.
    const url = resolveVerbUrl(verb.action, documentUrl);
    return {
      kind: 'navigate',
      request: {
        kind: 'gather',
        method: verb.method,
        url,
        params: { ...standardVoiceParams(this.ctx.identity), Digits: digits, FinishedOnKey: finishedOnKey },
      },
    };
  }

  /** A transfer without the stand-in; with it, a live call until redirected or ended. Undefined: next verb. */
  private dial(verb: DialVerb, documentUrl: string): Promise<Step | undefined> {
    const { ctx } = this;
    return liveDial({
      ...(ctx.link ? { link: ctx.link } : {}),
      identity: ctx.identity,
      caller: ctx.caller,
      dial: verb,
      documentUrl,
      hear: (e) => ctx.hear(e),
      wait: (s) => ctx.wait(s),
      elapsedMs: () => ctx.elapsedMs(),
      resolve: (url) => resolveVerbUrl(url, documentUrl),
      send: (request) => ctx.client.send(request),
      ...(ctx.signal ? { signal: ctx.signal } : {}),
    });
  }
}
