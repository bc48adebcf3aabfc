/**
 * The typed verbs parseTwiml (twiml-parser.ts) turns a TwiML voice document into, and the
 * error it throws for a document Twilio would reject as a whole (error 12100).
 */
export type HttpMethod = 'GET' | 'POST';

export interface SayVerb {
  verb: 'Say';
  text: string;
  language?: string;
  voice?: string;
  loop: number;
}
export interface PlayVerb {
  verb: 'Play';
  url: string;
  loop: number;
  digits?: string;
}
export interface PauseVerb {
  verb: 'Pause';
  /** Seconds. */
  length: number;
}
export type AudioVerb = SayVerb | PlayVerb | PauseVerb;

export interface GatherVerb {
  verb: 'Gather';
  action?: string;
  method: HttpMethod;
  numDigits?: number;
  /** '' means no finish key. */
  finishOnKey: string;
  /** Seconds of silence before Gather gives up (or submits what it has). */
  timeout: number;
  actionOnEmptyResult: boolean;
  input: string[];
  language?: string;
  children: AudioVerb[];
}

export type PayPromptFor =
  | 'payment-card-number'
  | 'expiration-date'
  | 'security-code'
  | 'postal-code'
  | 'bank-routing-number'
  | 'bank-account-number'
  | 'payment-processing';

export interface PromptElement {
  for: PayPromptFor;
  errorType?: string[];
  attempt?: number[];
  cardType?: string[];
  requireMatchingInputs: boolean;
  children: AudioVerb[];
}

export interface PayVerb {
  verb: 'Pay';
  action?: string;
  statusCallback?: string;
  statusCallbackMethod: HttpMethod;
  input: string;
  paymentMethod: string;
  paymentConnector: string;
  tokenType: string;
  chargeAmount?: string;
  currency: string;
  language: string;
  description?: string;
  /** Seconds to wait for the next digit. */
  timeout: number;
  maxAttempts: number;
  securityCode: boolean;
  /** true/false, or a literal postal code passed to the gateway (then not asked). */
  postalCode: boolean | string;
  minPostalCodeLength?: number;
  validCardTypes: string[];
  prompts: PromptElement[];
}

export interface RedirectVerb {
  verb: 'Redirect';
  url: string;
  method: HttpMethod;
}
export interface HangupVerb {
  verb: 'Hangup';
}
export interface RejectVerb {
  verb: 'Reject';
  reason: 'rejected' | 'busy';
}
export interface DialVerb {
  verb: 'Dial';
  /** Where the call goes: a number, or `client:…`, `sip:…`, `queue:…`, `conference:…`. */
  to: string[];
  /** Requested with `DialCallStatus` when the dialled leg ends; without it the document goes on. */
  action?: string;
  /** For `action`; Twilio's default is POST. */
  method?: HttpMethod;
  /** Seconds to ring (the simulator's operator answers at once). */
  timeout?: number;
  /** Longest the dialled call may last, seconds (Twilio's default 14400). */
  timeLimit?: number;
  callerId?: string;
}
export interface EnqueueVerb {
  verb: 'Enqueue';
  queue: string;
}
/** A real Twilio verb that this simulator does not emulate (Record, Connect, …). */
export interface UnsupportedVerb {
  verb: 'Unsupported';
  name: string;
}

export type Verb =
  | SayVerb
  | PlayVerb
  | PauseVerb
  | GatherVerb
  | PayVerb
  | RedirectVerb
  | HangupVerb
  | RejectVerb
  | DialVerb
  | EnqueueVerb
  | UnsupportedVerb;

export type TwimlErrorCode = 'not-xml' | 'not-twiml' | 'unknown-verb' | 'invalid-nesting' | 'invalid-attribute';

export class TwimlParseError extends Error {
  override name = 'TwimlParseError';
  constructor(
    readonly code: TwimlErrorCode,
    message: string,
  ) {
    super(message);
  }
}
