/**
 * paycall's codec server, for the Temporal Web UI and CLI when payloads are encrypted
 * (Temporal's codec server protocol, https://docs.temporal.io/production-deployment/data-encryption):
 *
 *   POST /codec/decode, /codec/encode              Authorization: Bearer <operator token>
 *   POST /codec/ui/<key>/decode, …/encode           the Web UI's link (CODEC_UI_KEY)
 *        Content-Type: application/json, X-Namespace: <namespace>
 *        { payloads: [{ metadata: { k: base64 }, data: base64 }] } → the same shape, run through
 *        paycall's payload codec (encryption-codec.ts: every key of the ring decrypts)
 *   OPTIONS on those paths: the CORS preflight, for the configured Web UI origins only.
 *
 * Refusals: 401 without a valid credential, 403 from another origin, 400 for another
 * namespace or a malformed body, 422 for a payload no key here decrypts. Without encryption
 * configured the payloads come back unchanged, as the protocol expects of a codec with
 * nothing to undo. Operators' requests are logged with their name (who decoded what, when).
 */
import type { PayloadCodec } from '@temporalio/common';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import type { Logger } from '../../logging/logger.js';
import { payloadFromJson, payloadsJsonSchema, payloadToJson } from '../../temporal/payload-json.js';
import { RateLimitedLog } from '../../web/error-handling.js';
import { describeZodError } from '../errors.js';
import { codecCors, identifyCodecCaller, type CodecCaller } from './codec-access.js';
import type { OperatorDirectory } from './operator-directory.js';

export interface CodecRoutesOptions {
  /** paycall's payload codec; undefined when payloads are not encrypted (then a pass-through). */
  codec: PayloadCodec | undefined;
  /** The namespace paycall's key ring belongs to; a request for another is refused. */
  namespace: string;
  operators: OperatorDirectory;
  /** CODEC_UI_KEY: the key of the Web UI's link; without it only operator tokens are accepted. */
  uiKey?: string | undefined;
  /** Web UI origins allowed to call from a browser (codecOrigins in codec-access.ts). */
  allowedOrigins: readonly string[];
  logger: Logger;
}

const operations = ['encode', 'decode'] as const;

class CodecFailure extends Error {}

export function createCodecRouter(options: CodecRoutesOptions): Router {
  const router = express.Router();
  const refusals = new RateLimitedLog(options.logger);
  // An endpoint pasted with a trailing slash makes `…/codec//decode`: the same route.
  router.use((req, _res, next) => {
    const query = req.url.indexOf('?');
    const path = query < 0 ? req.url : req.url.slice(0, query);
    req.url = path.replace(/\/{2,}/g, '/') + (query < 0 ? '' : req.url.slice(query));
    next();
  });
  router.use(...codecCors(options.allowedOrigins));
  router.use((_req, res, next) => {
    res.set({ 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' });
    next();
  });

  for (const operation of operations) {
    const paths = [`/${operation}`, `/ui/:key/${operation}`];
    router.post(paths, async (req: Request, res: Response, next: NextFunction) => {
      const caller = identifyCodecCaller(req, options);
      if ('status' in caller) {
        refusals.warn('codec-refused', { status: caller.status, operation, link: req.params.key !== undefined }, 'codec request refused');
        if (caller.status === 401) res.set('WWW-Authenticate', 'Bearer realm="paycall-codec"');
        res.status(caller.status).json({ error: { code: caller.code, message: caller.message } });
        return;
      }
      const namespace = req.get('x-namespace');
      if (namespace !== undefined && namespace !== options.namespace) {
        res.status(400).json({ error: { code: 'wrong-namespace', message: `This codec serves namespace ${options.namespace}, not ${namespace}.` } });
        return;
      }
      if (!req.is('application/json')) {
        res.status(415).json({ error: { code: 'unsupported-media-type', message: 'Send {"payloads": [...]} as application/json.' } });
        return;
      }
      res.locals.caller = caller;
      next();
    }, express.json({ limit: '4mb' }), async (req: Request, res: Response) => {
      const { payloads } = payloadsJsonSchema.parse(req.body ?? {});
      const input = payloads.map(payloadFromJson);
      let output = input;
      if (options.codec) {
        try {
          output = operation === 'decode' ? await options.codec.decode(input) : await options.codec.encode(input);
        } catch (err) {
          throw new CodecFailure((err as Error).message);
        }
      }
      const caller = res.locals.caller as CodecCaller;
      const fields = { operation, payloads: payloads.length, namespace: options.namespace, by: caller.kind === 'operator' ? caller.name : 'web-ui-link' };
      // Operators are audited; the Web UI asks once per event it shows, so its link is logged at debug.
      if (caller.kind === 'operator') options.logger.info(fields, 'codec request');
      else options.logger.debug(fields, 'codec request');
      res.json({ payloads: output.map(payloadToJson) });
    });
    router.all(paths, (_req, res) => {
      res.set('Allow', 'POST, OPTIONS').status(405).json({ error: { code: 'method-not-allowed', message: 'The codec answers POST.' } });
    });
  }

  router.use((_req, res) => {
    res.status(404).json({ error: { code: 'not-found', message: 'The codec has /encode and /decode.' } });
  });
  router.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    if (err instanceof z.ZodError) {
      res.status(400).json({ error: { code: 'invalid-request', message: describeZodError(err) } });
      return;
    }
    if (err instanceof CodecFailure) {
      res.status(422).json({ error: { code: 'codec-failed', message: err.message } });
      return;
    }
    const e = err as { type?: string; status?: number };
    if (e?.type === 'entity.too.large') {
      res.status(413).json({ error: { code: 'payload-too-large', message: 'At most 4 MB per request.' } });
      return;
    }
    if (e?.status && e.status >= 400 && e.status < 500) {
      res.status(400).json({ error: { code: 'invalid-request', message: 'The body must be JSON: {"payloads": [...]}.' } });
      return;
    }
    options.logger.error({ err }, 'codec error');
    res.status(500).json({ error: { code: 'internal', message: 'Something went wrong; the server log has the details.' } });
  });
  return router;
}
