/**
 * The operator JSON API, mounted at /api:
 *
 *   GET  /api/session                 → { namespace, operator, vocabulary, stepTitles, currencies, temporalUiUrl? }   (checks the token)
 *   GET  /api/calls?outcome=&failedAt=&stage=&order=&since=&pageSize=&pageToken=
 *                                     → { calls: CallSummary[], nextPageToken?, query }
 *   GET  /api/calls/:id               → CallDetail   (id: CallSid, call-<CallSid> or refund-… id)
 *   POST /api/calls/:id/refunds       application/json { amount | full: true, requestId?, reason? }
 *                                     → 200 { refund, attached } | 202 (pending) | 4xx/502 { error }
 *
 * Every route needs `Authorization: Bearer $OPERATOR_TOKEN` (compared in constant time);
 * without OPERATOR_TOKEN configured the API answers 503 and does nothing. Responses carry
 * Stripe ids, masked card facts and order numbers; never card data or phone numbers.
 * Errors are `{ error: { code, message } }`.
 */
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import { callSteps, refundStatuses, shownOutcomes, troubledOutcomes } from '../../contract/vocabulary.js';
import { supportedCurrencies } from '../../money/money.js';
import type { Logger } from '../../logging/logger.js';
import { OperatorError, describeZodError } from '../errors.js';
import { callIdSchema, type CallQueries } from '../read/call-queries.js';
import { callFiltersSchema } from '../read/filters.js';
import { refundInputSchema, type RefundService } from '../refunds.js';
import { stepTitles } from '../timeline/index.js';
import type { LiveCalls } from '../live-calls.js';
import { createLiveRoutes } from './live-routes.js';
import type { OperatorDirectory } from './operator-directory.js';

export interface OperatorApiDeps {
  queries: CallQueries;
  refunds: RefundService;
  /** Calls on an operator's line and the commands for them (agent-assisted payments). */
  live: LiveCalls;
  /** The named operators and their token hashes; with none, the API is disabled (503). */
  operators: OperatorDirectory;
  namespace: string;
  temporalUiUrl?: string;
  logger: Logger;
}

/** The signed-in operator's name, set by requireOperator (every command records it). */
export function operatorOf(res: Response): string {
  return (res.locals as { operator: string }).operator;
}

function requireOperator(directory: OperatorDirectory) {
  return (req: Request, res: Response, next: NextFunction) => {
    if (directory.empty) {
      res.status(503).json({ error: { code: 'operator-api-disabled', message: 'The operator API is disabled: set OPERATORS (or OPERATOR_TOKEN) for the web server.' } });
      return;
    }
    // Only the header: a token in a URL would end up in access logs (the console reads its event streams with fetch).
    const header = req.get('authorization') ?? '';
    const token = /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1];
    const operator = token ? directory.identify(token) : undefined;
    if (!operator) {
      res.set('WWW-Authenticate', 'Bearer realm="paycall-operator"');
      res.status(401).json({ error: { code: 'unauthorized', message: 'A valid operator token is required (Authorization: Bearer <token>).' } });
      return;
    }
    res.locals.operator = operator.name;
    next();
  };
}

const listQuerySchema = callFiltersSchema.strict();

export function createOperatorApiRouter(deps: OperatorApiDeps): Router {
  const router = express.Router();
  router.use((_req, res, next) => {
    res.set({ 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' });
    next();
  });
  router.use(requireOperator(deps.operators));

  router.get('/session', (_req, res) => {
    // The console takes every word it filters and colours by from here, not from a copy of its own.
    const vocabulary = { steps: callSteps, outcomes: shownOutcomes, troubledOutcomes, refundStatuses };
    res.json({ namespace: deps.namespace, operator: operatorOf(res), vocabulary, stepTitles, currencies: supportedCurrencies(), ...(deps.temporalUiUrl ? { temporalUiUrl: deps.temporalUiUrl } : {}) });
  });

  router.get('/calls', async (req, res) => {
    const filters = listQuerySchema.parse(singleValued(req.query));
    res.json(await deps.queries.list(filters));
  });

  router.get('/calls/:id', async (req, res) => {
    res.json(await deps.queries.detail(callIdSchema.parse(req.params.id)));
  });

  router.post('/calls/:id/refunds', requireJsonBody, express.json({ limit: '4kb', type: 'application/json' }), async (req, res) => {
    const id = callIdSchema.parse(req.params.id);
    const input = refundInputSchema.parse(req.body ?? {});
    const result = await deps.refunds.refund(id, input, operatorOf(res));
    deps.logger.info({ callWorkflowId: result.callWorkflowId, refundWorkflowId: result.refund.workflowId, status: result.refund.status, attached: result.attached }, 'operator refund');
    res.status(result.refund.status === 'pending' ? 202 : 200).json(result);
  });

  router.use(createLiveRoutes({ live: deps.live, operatorOf, requireJsonBody }));

  router.use((_req, res) => {
    res.status(404).json({ error: { code: 'not-found', message: 'No such operator API route.' } });
  });

  router.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    if (err instanceof z.ZodError) {
      res.status(400).json({ error: { code: 'invalid-request', message: describeZodError(err) } });
      return;
    }
    if (err instanceof OperatorError) {
      res.status(err.status).json({ error: { code: err.code, message: err.message }, ...err.extra });
      return;
    }
    const bodyProblem = bodyParserProblem(err);
    if (bodyProblem) {
      res.status(bodyProblem.status).json({ error: { code: bodyProblem.code, message: bodyProblem.message } });
      return;
    }
    deps.logger.error({ err }, 'operator API error');
    res.status(500).json({ error: { code: 'internal', message: 'Something went wrong; the server log has the details.' } });
  });
  return router;
}

/** A refund's body is JSON: a form post or plain text (what `curl -d` sends) is refused, not read as "refund everything". */
function requireJsonBody(req: Request, res: Response, next: NextFunction): void {
  if (!req.is('application/json')) {
    res.status(415).json({ error: { code: 'unsupported-media-type', message: 'Send the refund as JSON (Content-Type: application/json), e.g. {"amount": 500} or {"full": true}.' } });
    return;
  }
  next();
}

/** The body parser's own refusals (too large, bad encoding, not JSON) are the client's, answered as such. */
function bodyParserProblem(err: unknown): { status: number; code: string; message: string } | undefined {
  // body-parser's errors carry a `type`; a broken gzip stream arrives as zlib's error with `expose` and a 400.
  const e = err as { type?: string; status?: number; expose?: boolean } | undefined;
  if (!(e?.type || e?.expose) || !e.status || e.status < 400 || e.status >= 500) return undefined;
  if (e.type === 'entity.too.large') return { status: 413, code: 'payload-too-large', message: 'The body is too large (at most 4 kB).' };
  if (e.type === 'encoding.unsupported') return { status: 415, code: 'unsupported-media-type', message: 'Unsupported Content-Encoding: send plain or gzip JSON.' };
  if (e.type === 'charset.unsupported') return { status: 415, code: 'unsupported-media-type', message: 'Unsupported charset: send UTF-8 JSON.' };
  return { status: 400, code: 'invalid-request', message: 'The body must be JSON.' };
}

/** `?outcome=a&outcome=b` is a mistake, not an array. */
function singleValued(query: Request['query']): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(query)) {
    if (Array.isArray(value)) throw new OperatorError('invalid-request', `Give ${key} once.`);
    if (value !== '') out[key] = value;
  }
  return out;
}
