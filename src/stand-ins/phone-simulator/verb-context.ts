/**
 * What running a document's verbs may use of the call they run in (the call session
 * provides it): the call's identity and connections, the line (transcript, clock), and a
 * place for requests still in flight when the caller hangs up.
 */
import type { Caller } from './caller.js';
import type { WebhookClient } from './http-client.js';
import type { TranscriptEntry } from './record.js';
import type { CallIdentity } from './signing.js';
import type { Tokenizer } from './stripe-tokenizer.js';
import type { TwilioLink } from './twilio-link.js';

export interface VerbContext {
  identity: CallIdentity;
  caller: Caller;
  client: WebhookClient;
  tokenize: Tokenizer;
  /** Clock for card expiry checks. */
  now(): Date;
  /** The Twilio REST stand-in: makes `<Dial>` a live call with the operator. Without it, `<Dial>` is a transfer. */
  link?: TwilioLink;
  /** Hang up (as the caller) when this aborts. */
  signal?: AbortSignal;
  /** Append to the transcript (and tell the caller). */
  hear(entry: TranscriptEntry): void;
  /** What the caller heard since the last input point, for the next one (and forget it). */
  takeHeard(): string[];
  /** Wait (simulated unless realtime). */
  wait(seconds: number): Promise<void>;
  /** Wall clock plus simulated waits since the call began, ms. */
  elapsedMs(): number;
  /** A request that outlives the call (the caller hung up while it was in flight): settled before the record is final. */
  keepPending(result: Promise<unknown>): void;
}
