/**
 * Rejects any request that Twilio did not sign: missing X-Twilio-Signature → 400, invalid
 * → 403, before anything reaches Temporal. Validates against the PUBLIC url Twilio called
 * (PUBLIC_BASE_URL + path + query), never the Host header, so it works behind proxies.
 */
import type { RequestHandler } from 'express';
import twilio from 'twilio';

export function requireTwilioSignature(options: { authToken: string; publicBaseUrl: string }): RequestHandler {
  return (req, res, next) => {
    const signature = req.header('x-twilio-signature');
    if (!signature) {
      res.status(400).type('text/plain').send('Missing X-Twilio-Signature header.');
      return;
    }
    // Twilio asks with a path (origin-form); an absolute-form request line is not Twilio's.
    if (!req.originalUrl.startsWith('/')) {
      res.status(400).type('text/plain').send('Bad request target.');
      return;
    }
    const url = options.publicBaseUrl + req.originalUrl;
    const params = (req.body ?? {}) as Record<string, string>;
    if (!twilio.validateRequest(options.authToken, signature, url, params)) {
      res.status(403).type('text/plain').send('Twilio request validation failed.');
      return;
    }
    next();
  };
}
