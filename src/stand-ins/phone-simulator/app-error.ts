/**
 * When Twilio cannot get or run the app's TwiML: what the call record says (code, detail,
 * Twilio's error code) and what the caller hears (Twilio's application-error message, as
 * there is no fallback URL).
 */
import type { WebhookResult } from './http-client.js';
import type { CallEnded } from './record.js';
import type { TwimlParseError } from './twiml-verbs.js';

/** What Twilio plays when it cannot get or run the app's TwiML (no fallback URL configured). */
export const APPLICATION_ERROR_MESSAGE = 'We are sorry, an application error has occurred. Goodbye.';

/**
 * `where`: the document's path (or "inline TwiML"). One of: the failed response (11200), the
 * parse error (12100), or a URL problem in inline TwiML (11100, Invalid URL format).
 */
export function applicationErrorEnding(where: string, response?: WebhookResult, parseError?: TwimlParseError, urlError?: string): CallEnded {
  if (urlError) return { how: 'app-error', code: 'twiml-relative-url', detail: `${where}: ${urlError}`, twilioErrorCode: '11100' };
  if (parseError) {
    return {
      how: 'app-error',
      code: parseError.code === 'unknown-verb' ? 'unknown-verb' : 'twiml-parse',
      detail: `${where}: ${parseError.message}`,
      twilioErrorCode: '12100',
    };
  }
  if (response && !response.ok) {
    const code = response.failure === 'timeout' ? 'response-timeout' : response.failure === 'http-error' ? 'http-status' : 'connection-failed';
    return { how: 'app-error', code, detail: `${response.record.method} ${where}: ${response.error}`, twilioErrorCode: '11200' };
  }
  return { how: 'app-error', code: 'unknown' };
}
