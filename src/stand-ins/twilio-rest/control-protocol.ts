/**
 * The link between the phone simulator (the caller's phone) and the Twilio REST stand-in
 * (Twilio's side of that call) while the caller is connected to an operator in a `<Dial>`.
 * Both ends import this module; it is plain HTTP + JSON so the two can live in different
 * processes (`npm start` runs the stand-in, `npm run call` the simulator). Authenticated with
 * the account's HTTP Basic credentials, like the REST API. Not a Twilio API: Twilio does this
 * inside its own network.
 *
 *   POST {base}/_stand-in/calls/{CallSid}/start    a call began (CallStart): the REST API now knows it
 *   POST {base}/_stand-in/calls/{CallSid}/dial     the call is connected to the operator (DialStart)
 *   GET  {base}/_stand-in/calls/{CallSid}/events?after=SEQ&waitMs=MS
 *                                                 long-poll: events with seq > SEQ ({ events: [...] },
 *                                                 empty after waitMs); the caller acts on each in order
 *   POST {base}/_stand-in/calls/{CallSid}/input    what the caller keyed for a capture request (CallerInput)
 *   POST {base}/_stand-in/calls/{CallSid}/hangup   the call is over (the caller hung up, or it ended)
 *
 * Keys travel only on this link (Twilio's own side of the call); the stand-in never passes them on.
 */
import { z } from 'zod';

export const CONTROL_PREFIX = '/_stand-in/calls';

/** The port `npm start` and `npm run twilio-stand-in` use by default (next to the Stripe sandbox's 12111). */
export const DEFAULT_TWILIO_STAND_IN_PORT = 12112;

/** The card fields an agent-assisted session captures (the Payments API's `Capture` values the stand-in emulates). */
export const captureFields = ['payment-card-number', 'expiration-date', 'security-code', 'postal-code'] as const;
export type CaptureField = (typeof captureFields)[number];

export const callStartSchema = z.strictObject({
  accountSid: z.string().regex(/^AC[0-9a-fA-F]{32}$/),
  from: z.string(),
  to: z.string(),
  /** The incoming-call webhook's URL (relative StatusCallback URLs resolve against the current document). */
  documentUrl: z.string(),
});
export type CallStart = z.infer<typeof callStartSchema>;

export const dialStartSchema = z.strictObject({
  accountSid: z.string().regex(/^AC[0-9a-fA-F]{32}$/),
  from: z.string(),
  to: z.string(),
  /** What the `<Dial>` dialled (numbers, `client:…`, …). */
  dialTo: z.array(z.string()).min(1),
  /** The operator leg's own CallSid (Twilio's `DialCallSid`). */
  childCallSid: z.string().regex(/^CA[0-9a-fA-F]{32}$/),
  /** URL of the TwiML document that holds the `<Dial>`: relative StatusCallback URLs resolve against it. */
  documentUrl: z.string(),
});
export type DialStart = z.infer<typeof dialStartSchema>;

export type ControlEvent =
  /** The operator asked for a field (a Payments `Capture` update): the caller keys it now. */
  | {
      seq: number;
      type: 'capture';
      requestId: string;
      paymentSid: string;
      field: CaptureField;
      /** 1 for the first time this session asks for the field, 2 when asked again, … */
      attempt: number;
      /** Seconds Twilio waits for the next digit (the session's `Timeout`). */
      timeoutSeconds: number;
      /** The brand of the card number captured so far, if any. */
      cardType?: string;
    }
  /** A capture request was superseded (asked again, completed or cancelled) before the caller answered. */
  | { seq: number; type: 'capture-cancelled'; requestId: string }
  /** A payment session ended (informational, for the caller's record). */
  | { seq: number; type: 'payment-ended'; paymentSid: string; result: string }
  /** A Call update with `Twiml` or `Url`: leave the `<Dial>` and run this instead. */
  | { seq: number; type: 'redirect'; twiml?: string; url?: string; method?: 'GET' | 'POST' }
  /** The operator leg ended (a Call update `Status=completed` on the child leg): the `<Dial>` is over. */
  | { seq: number; type: 'dial-ended'; dialCallStatus: 'completed'; dialCallSid: string }
  /** A Call update `Status=completed` on the caller's leg: the call is over. */
  | { seq: number; type: 'hangup' };

export interface EventsResponse {
  events: ControlEvent[];
}

export const callerInputSchema = z.discriminatedUnion('kind', [
  /** Keypad keys for the request; a trailing `#` ends the entry. */
  z.strictObject({ kind: z.literal('keys'), requestId: z.string(), keys: z.string().regex(/^[0-9*#]+$/) }),
  /** The caller keyed nothing within the timeout. */
  z.strictObject({ kind: z.literal('no-input'), requestId: z.string() }),
]);
export type CallerInput = z.infer<typeof callerInputSchema>;

/** Longest a single long-poll may be held open, in ms. */
export const MAX_EVENTS_WAIT_MS = 30_000;
