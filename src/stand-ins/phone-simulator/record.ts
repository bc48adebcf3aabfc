/**
 * What a simulated call leaves behind: what the caller heard and did (transcript), every
 * HTTP request Twilio would have made (with status and latency), and how the call ended.
 * `placeCall` returns it and `npm run call -- --json` prints it. It never holds a full card
 * number or security code: requests carry only what Twilio sends, and the transcript masks
 * what the caller typed during <Pay>.
 */

/** How a call ended. */
export type EndHow =
  /** The app's TwiML said <Hangup> (or <Reject> after the call was answered). */
  | 'hangup'
  /** <Dial> or <Enqueue>: the caller was handed on; `transferTo` says where. */
  | 'transfer'
  /** Twilio could not get or run the app's TwiML: timeout, non-2xx, connection failure, bad TwiML. */
  | 'app-error'
  /** The caller hung up at a scripted point (or interactively). */
  | 'caller-hangup'
  /** The document ran out of verbs without <Hangup>/<Redirect>: Twilio hangs up. */
  | 'document-end'
  /** The simulator could not go on: unsupported verb, script mismatch, request loop. */
  | 'error';

export const failureEndings: readonly EndHow[] = ['app-error', 'error'];

export interface CallEnded {
  how: EndHow;
  /** Machine-readable reason, e.g. `response-timeout`, `http-status`, `twiml-parse`, `unknown-verb`, `script-mismatch`. */
  code?: string;
  /** Human-readable detail. */
  detail?: string;
  /** Twilio's error code for app errors (11200 retrieval failure, 12100 document parse failure). */
  twilioErrorCode?: string;
  /** `transfer`: the number (or `queue:…`, `client:…`) the caller was handed to. */
  transferTo?: string;
  /** `hangup` by <Reject>: the reason attribute. */
  rejectReason?: 'rejected' | 'busy';
  /** `caller-hangup`: where the caller hung up (`gather`, `pay-entry`, `pay-processing`, `dial`, `agent-capture`). */
  during?: string;
}

export type TranscriptVerb =
  | 'Say'
  | 'Play'
  | 'Pause'
  | 'Gather'
  | 'Pay'
  | 'Redirect'
  | 'Hangup'
  | 'Reject'
  | 'Dial'
  | 'Enqueue'
  /** What Twilio itself says or does outside the app's TwiML (the application-error message). */
  | 'Twilio'
  /** What the caller did outside a Gather/Pay (hang up, wait). */
  | 'Caller';

/**
 * One thing that happened on the line. Flat on purpose: filter by `verb` and read the
 * fields that apply. `text` is always something the caller heard (Say, a <Pay> prompt,
 * Twilio's messages), so `transcript.filter((e) => e.text).map((e) => e.text)` is the call
 * as the caller heard it (see `heardText`).
 */
export interface TranscriptEntry {
  verb: TranscriptVerb;
  /** Spoken text heard by the caller. */
  text?: string;
  language?: string;
  voice?: string;
  loop?: number;
  /** Play URL, Redirect target. */
  url?: string;
  method?: string;
  /** Pause length, Gather/Pay timeout waited. */
  seconds?: number;
  /** Nested audio: `Gather` or `Pay`. */
  within?: 'Gather' | 'Pay';
  /** Gather/Pay input: the keys the caller pressed (card number and security code masked). */
  keys?: string;
  /** Gather: the Digits posted. */
  digits?: string;
  /** Gather/Pay input outcome. */
  input?: 'keys' | 'no-input' | 'hangup' | 'star';
  /** Pay: the step (`payment-card-number`, …). */
  for?: string;
  attempt?: number;
  /** Pay: the errorType this prompt was chosen for, or the error the input caused. */
  errorType?: string;
  /** Pay prompt: the app's <Prompt> or Twilio's default wording. */
  source?: 'prompt' | 'default';
  /**
   * Pay: `prompt`, `input`, `tokenize`, `result`. Dial (connected to an operator through the
   * Twilio REST stand-in): `connected`, `capture` (the operator asks for `for`), `input` (what
   * the caller keyed, masked), `payment-ended` (`result`), `redirect`, `dial-ended`, `call-update`.
   */
  event?: 'prompt' | 'input' | 'tokenize' | 'result' | 'connected' | 'capture' | 'payment-ended' | 'redirect' | 'dial-ended' | 'call-update';
  /** Dial: the agent-assisted payment session (`PK…`). */
  paymentSid?: string;
  /** Dial: the operator leg (`DialCallSid`) and how it ended (`DialCallStatus`). */
  dialCallSid?: string;
  dialCallStatus?: string;
  /** Pay result: the `Result` posted to the action. */
  result?: string;
  /** Pay tokenize: the PaymentMethod id, or the connector error. */
  paymentToken?: string;
  error?: string;
  /** Dial/Enqueue/Reject/Caller: free detail. */
  detail?: string;
}

export type RequestKind =
  | 'voice'
  | 'gather'
  | 'pay'
  | 'pay-status'
  | 'redirect'
  /** The `<Dial action>` request when the dialled leg ends. */
  | 'dial'
  | 'status-callback'
  /** The Twilio REST stand-in's Payments StatusCallback (agent-assisted capture). */
  | 'payment-status';

/** One HTTP attempt (a retried request appears twice, with the same idempotency token). */
export interface RequestRecord {
  kind: RequestKind;
  method: 'GET' | 'POST';
  /** Where it was sent (the actual URL, with the query string GET parameters). */
  url: string;
  /** The URL the signature was computed over (the public URL). */
  signedUrl: string;
  /** Path without the query string: the route, for per-route latency. */
  path: string;
  /** HTTP status, or null when no response came (timeout, connection failure). */
  status: number | null;
  outcome: 'ok' | 'http-error' | 'timeout' | 'connection-error' | 'abandoned';
  error?: string;
  latencyMs: number;
  startedAt: string;
  attempt: number;
  idempotencyToken: string;
  signature: string;
  /** Exactly the parameters sent (Twilio never sends a full card number or CVC). */
  params: Record<string, string>;
}

export interface CallRecord {
  callSid: string;
  accountSid: string;
  from: string;
  to: string;
  /** Scenario name when the call ran a scenario. */
  scenario?: string;
  startedAt: string;
  transcript: TranscriptEntry[];
  requests: RequestRecord[];
  ended: CallEnded;
  /** Wall-clock duration of the simulation. */
  durationMs: number;
  /** `CallDuration` reported to the status callback (wall clock plus simulated pauses and waits), seconds. */
  callDurationSeconds: number;
  /** False when the call ended in `app-error` or `error`. */
  ok: boolean;
}

/** What the caller heard, in order. */
export function heardText(record: Pick<CallRecord, 'transcript'>): string[] {
  return record.transcript.flatMap((e) => (e.text === undefined ? [] : [e.text]));
}

/** A failure's kind for reports: `app-error:response-timeout`, `error:unknown-verb`, …; undefined when ok. */
export function failureKind(ended: CallEnded): string | undefined {
  if (!failureEndings.includes(ended.how)) return undefined;
  return ended.code ? `${ended.how}:${ended.code}` : ended.how;
}

/**
 * Every place in a record where one of `secrets` (e.g. the card numbers and security codes a
 * scenario typed) appears: request URLs and parameters, and the transcript. Secrets of 8 or
 * more characters match anywhere; shorter ones (a CVC) match as a whole alphanumeric token, so
 * `123` is not found inside a CallSid. Empty means clean.
 */
export function findSecrets(record: CallRecord, secrets: readonly string[]): string[] {
  const matchers = secrets
    .filter((s) => s.length > 0)
    .map((s) => ({
      secret: s,
      re: new RegExp(s.length >= 8 ? escapeRegExp(s) : `(?<![0-9A-Za-z])${escapeRegExp(s)}(?![0-9A-Za-z])`),
    }));
  const hits: string[] = [];
  const check = (where: string, value: string | undefined) => {
    if (value === undefined) return;
    for (const m of matchers) if (m.re.test(value)) hits.push(`${where} contains ${m.secret.slice(0, 2)}…`);
  };
  record.requests.forEach((r, i) => {
    check(`requests[${i}].url`, r.url);
    check(`requests[${i}].signedUrl`, r.signedUrl);
    for (const [k, v] of Object.entries(r.params)) {
      check(`requests[${i}].params.${k}`, v);
      check(`requests[${i}].params (name)`, k);
    }
  });
  record.transcript.forEach((e, i) => check(`transcript[${i}]`, JSON.stringify(e)));
  return hits;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
