/**
 * A verb's URL against the document it came from, as Twilio resolves it: relative to the
 * document's URL, or the document itself when a verb has none. TwiML given inline by a call
 * update has no URL of its own: Twilio requires absolute URLs in it (error 11100).
 */

/** The "document URL" of TwiML given inline by a call update: relative URLs in it cannot be resolved. */
export const INLINE_TWIML = 'inline:twiml';

/** A relative (or missing) URL in inline TwiML: Twilio requires absolute ones there (error 11100). */
export class InlineTwimlUrlError extends Error {}

export function resolveVerbUrl(url: string | undefined, documentUrl: string): string {
  if (documentUrl === INLINE_TWIML) {
    if (url && /^https?:\/\//i.test(url)) return url;
    throw new InlineTwimlUrlError(url ? `relative URL "${url}" in TwiML given inline: Twilio needs absolute URLs there` : 'a verb without a URL in TwiML given inline: Twilio needs an absolute action URL there');
  }
  return url ? new URL(url, documentUrl).toString() : documentUrl;
}
