/** What executing one TwiML document leads to: the next request, inline TwiML, or the end of the call. */
import type { WebhookRequest } from './http-client.js';
import type { CallEnded } from './record.js';

export type Step =
  | { kind: 'navigate'; request: WebhookRequest }
  /** Run this TwiML next, without a request (a call update with `Twiml`). */
  | { kind: 'inline'; twiml: string }
  | { kind: 'end'; ended: CallEnded; finalStatus?: string };
