/**
 * Twilio's REST error responses: `{ code, message, more_info, status }` with the HTTP status
 * Twilio uses, so the real `twilio` client raises a `RestException` with the same `code` and
 * `status` it would get from api.twilio.com. The codes are Twilio's own (see each helper).
 */

export interface TwilioErrorBody {
  code: number;
  message: string;
  more_info: string;
  status: number;
}

export class TwilioApiError extends Error {
  override name = 'TwilioApiError';
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
  ) {
    super(message);
  }

  body(): TwilioErrorBody {
    return { code: this.code, message: this.message, more_info: `https://www.twilio.com/docs/errors/${this.code}`, status: this.status };
  }
}

/** Every error the stand-in answers with, named by what went wrong. */
export const twilioErrors = {
  /** 20003: missing or wrong HTTP Basic credentials (Twilio's body says just "Authenticate"). */
  authenticate: () => new TwilioApiError(401, 20003, 'Authenticate'),
  /** 20404: unknown account, call, payment session or route. */
  notFound: (path: string) => new TwilioApiError(404, 20404, `The requested resource ${path} was not found`),
  /** 20004: a known resource, another HTTP method. */
  methodNotAllowed: (method: string) => new TwilioApiError(405, 20004, `Method not allowed: ${method}`),
  /** 21220: a realtime operation (redirect, payments) on a call that is not in progress. */
  callNotInProgress: (callSid: string, why = 'Call is not in-progress. Cannot redirect.') =>
    new TwilioApiError(400, 21220, `Unable to update record: ${why} (${callSid})`),
  /** 21200: a Calls resource request Twilio cannot act on (both Url and Twiml, bad Status or Method). */
  callsResource: (message: string) => new TwilioApiError(400, 21200, message),
  /** 21205: the call's `Url` is not an absolute http(s) URL. */
  invalidUrl: (value: string) => new TwilioApiError(400, 21205, `Url is not a valid URL: ${value}`),
  /** 21502: a `StatusCallback` that is not a valid URL. */
  invalidCallbackUrl: (value: string) => new TwilioApiError(400, 21502, `StatusCallback is not a valid URL: ${value}`),
  /** 64018: an update needs exactly one of `Capture` and `Status`. */
  captureOrStatus: () =>
    new TwilioApiError(400, 64018, 'Pay: Value needed for either Capture or Status parameters, but not both'),
  /** 64019: `Status=complete` before every required field was captured. */
  requiredIncomplete: (missing: readonly string[]) =>
    new TwilioApiError(400, 64019, `Pay: Required payment information incomplete (missing: ${missing.join(', ')})`),
  /** 64020: a parameter value Twilio does not accept (or the stand-in does not emulate: the message says which). */
  invalidParameter: (message: string) => new TwilioApiError(400, 64020, `Pay: Invalid Parameter Value. ${message}`),
  /** 64021: an operation the session's state does not allow (a second session, an update on a finished one). */
  invalidOperation: (message: string) => new TwilioApiError(400, 64021, `Pay: Invalid Operation. ${message}`),
  /** 21604 / 21603 / 21602 / 21211 / 21617: the Messages resource's own validation. */
  messageToRequired: () => new TwilioApiError(400, 21604, "A 'To' phone number is required."),
  messageFromRequired: () => new TwilioApiError(400, 21603, "A 'From' phone number is required."),
  messageBodyRequired: () => new TwilioApiError(400, 21602, 'Message body is required.'),
  messageInvalidTo: (to: string) => new TwilioApiError(400, 21211, `Invalid 'To' Phone Number: ${to}`),
  messageTooLong: () => new TwilioApiError(400, 21617, 'The concatenated message body exceeds the 1600 character limit.'),
} as const;
