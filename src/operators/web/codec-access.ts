/**
 * Who may call paycall's codec server, and from where. A codec decrypts what Temporal stores,
 * so every request needs a credential: a named operator's token (`Authorization: Bearer …`,
 * what the Temporal CLI's `--codec-auth` and scripts send) or the codec link's key in the path
 * (`/codec/ui/<key>`: the Temporal Web UI can send neither paycall's token nor a header of its
 * choosing, so the link it is given carries the key). Browsers may call it only from the Web
 * UI origins configured (CORS); preflights advertise the headers the UI sends.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import cors from 'cors';
import type { Request, RequestHandler } from 'express';
import type { OperatorDirectory } from './operator-directory.js';

/** What the Web UI sends: its JSON, the namespace, and (with "Pass access token") its own tokens. */
export const codecRequestHeaders = ['Content-Type', 'X-Namespace', 'Authorization', 'Authorization-Extras'];

export type CodecCaller = { kind: 'operator'; name: string } | { kind: 'ui-link' };

export type CodecRefusal = { status: 401 | 503; code: string; message: string };

/** The caller, or why it is refused. The link key and tokens are compared in constant time. */
export function identifyCodecCaller(req: Request, access: { operators: OperatorDirectory; uiKey?: string | undefined }): CodecCaller | CodecRefusal {
  const linkKey = typeof req.params.key === 'string' ? req.params.key : undefined;
  if (linkKey !== undefined) {
    if (access.uiKey && sameSecret(linkKey, access.uiKey)) return { kind: 'ui-link' };
    return { status: 401, code: 'unauthorized', message: 'This codec link is not valid (CODEC_UI_KEY differs, or is not set).' };
  }
  if (access.operators.empty) {
    return { status: 503, code: 'codec-disabled', message: 'The codec needs operators: set OPERATORS (or OPERATOR_TOKEN), or CODEC_UI_KEY for the Web UI link.' };
  }
  const token = /^Bearer\s+(\S+)\s*$/i.exec(req.get('authorization') ?? '')?.[1];
  const operator = token ? access.operators.identify(token) : undefined;
  if (operator) return { kind: 'operator', name: operator.name };
  return { status: 401, code: 'unauthorized', message: 'A valid operator token is required (Authorization: Bearer <token>).' };
}

function sameSecret(presented: string, expected: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();
  return timingSafeEqual(digest(presented), digest(expected));
}

/**
 * CORS for the codec: only the listed origins, with credentials (the UI's "Include
 * cross-origin credentials" needs them allowed), the UI's headers, and Chrome's Private
 * Network Access answer so a hosted UI may reach a codec on a private address. A request
 * from any other origin is refused outright, preflight or not.
 */
export function codecCors(allowedOrigins: readonly string[]): RequestHandler[] {
  const allowed = new Set(allowedOrigins);
  const refuseOthers: RequestHandler = (req, res, next) => {
    const origin = req.get('origin');
    if (origin !== undefined && !allowed.has(origin)) {
      res.status(403).json({ error: { code: 'origin-not-allowed', message: `${origin} may not call paycall's codec: add it to CODEC_CORS_ORIGINS.` } });
      return;
    }
    if (req.method === 'OPTIONS' && req.get('access-control-request-private-network') === 'true') res.set('Access-Control-Allow-Private-Network', 'true');
    next();
  };
  return [refuseOthers, cors({ origin: [...allowed], credentials: true, methods: ['POST'], allowedHeaders: codecRequestHeaders, maxAge: 600 })];
}

/**
 * The Web UI origins allowed to call the codec: CODEC_CORS_ORIGINS (comma-separated), else the
 * UI paycall links operators to (Temporal Cloud's, or the dev server's under both of the names
 * a browser may use for it). A malformed entry stops start-up, naming it.
 */
export function codecOrigins(configured: string | undefined, temporalUiUrl: string): string[] {
  if (!configured) {
    const origin = new URL(temporalUiUrl).origin;
    const twin = origin.replace('//127.0.0.1:', '//localhost:');
    return twin === origin ? [origin] : [origin, twin];
  }
  return configured
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry) => {
      let origin: string | undefined;
      try {
        origin = new URL(entry).origin;
      } catch {
        origin = undefined;
      }
      if (!origin || origin === 'null' || origin !== entry.replace(/\/+$/, '')) {
        throw new Error(`CODEC_CORS_ORIGINS: "${entry}" is not an origin like https://cloud.temporal.io (scheme, host and port only)`);
      }
      return origin;
    });
}
