/**
 * paycall's Twilio webhooks. Thin: check the signature, validate parameters, map them to a
 * caller event, hand it to the call workflow (CallGateway), render the next turn as TwiML.
 * When the workflow needs longer than the deadline, the caller is put on hold and comes
 * back through /twilio/continue; a caller never hears Twilio's "application error".
 */
import express, { type Request, type Response, type Router } from 'express';
import type { z } from 'zod';
import { CallBusyError, CallEventRejectedError, CallNotRunningError, type CallGateway } from '../calls/call-gateway.js';
import { e164, localeForNumber, type Config } from '../config/config.js';
import type { CallInput, CallerEvent } from '../contract/call.js';
import type { Turn } from '../contract/instructions.js';
import { catalogFor } from '../i18n/catalog.js';
import type { Logger } from '../logging/logger.js';
import type { PaycallMetrics } from '../observability/metrics.js';
import { callerDigits } from './caller-digits.js';
import { continueQuery, continueUrl } from './continue-link.js';
import {
  describeProblems,
  dialParams,
  gatherParams,
  payParams,
  paymentStatusParams,
  payStatusParams,
  statusParams,
  toPaymentStatus,
  toPayResult,
  turnQuery,
  voiceParams,
  type PaymentStatusParams,
  type PayParams,
} from './params.js';
import { renderGoodbye, renderHold, renderTurn } from '../twiml/render.js';
import { requireTwilioSignature } from './twilio-signature.js';
import { updateIdFor } from './update-id.js';

export type TwilioRoutesConfig = Pick<
  Config,
  'publicBaseUrl' | 'TWILIO_PAY_CONNECTOR' | 'OPERATOR_NUMBER' | 'TWILIO_SMS_FROM' | 'LOCALE' | 'LOCALE_BY_NUMBER' | 'ORDER_NUMBER_MAX_LENGTH' | 'payOptions' | 'voices'
>;

export interface TwilioRoutesDeps {
  gateway: CallGateway;
  config: TwilioRoutesConfig;
  authToken: string;
  /** Whether SMS receipts can be sent (Twilio credentials and a sender number). */
  receiptsEnabled: boolean;
  logger: Logger;
  /** How many hold-and-continue rounds before apologising and hanging up (about 4 s each). */
  maxHolds?: number;
  /** paycall's metrics (src/observability/metrics.ts): holds are counted here. */
  metrics?: PaycallMetrics;
}

export function createTwilioRouter(deps: TwilioRoutesDeps): Router {
  const router = express.Router();
  router.use(express.urlencoded({ extended: false, limit: '32kb' }));
  router.use(requireTwilioSignature({ authToken: deps.authToken, publicBaseUrl: deps.config.publicBaseUrl }));
  const maxHolds = deps.maxHolds ?? 30;
  const renderOptions = { publicBaseUrl: deps.config.publicBaseUrl, paymentConnector: deps.config.TWILIO_PAY_CONNECTOR, voices: deps.config.voices };
  const voices = deps.config.voices;

  const callInputOf = (params: z.infer<typeof voiceParams>): CallInput => ({
    callSid: params.CallSid,
    locale: localeForNumber(deps.config, params.To),
    ...(deps.config.OPERATOR_NUMBER ? { operatorNumber: deps.config.OPERATOR_NUMBER } : {}),
    ...(deps.receiptsEnabled && params.From && e164.test(params.From) ? { receiptTo: params.From } : {}),
    // Read once, when the call starts (Update-With-Start): later turns keep the call's own.
    pay: deps.config.payOptions,
  });

  /** Delivers the event and answers with the next turn, a hold, or a goodbye. */
  async function answer(
    res: Response,
    input: CallInput,
    event: CallerEvent,
    updateId: string,
    holds: number,
    deliver: () => Promise<Turn> = () => deps.gateway.deliver(input, event, updateId),
  ): Promise<void> {
    const started = Date.now();
    const log = deps.logger.child({ callSid: input.callSid, event: event.kind, ...(event.kind !== 'start' ? { turn: event.turn } : {}) });
    try {
      const turn = await deliver();
      log.info({ nextTurn: turn.turn, final: turn.final, ms: Date.now() - started }, 'turn');
      sendTwiml(res, renderTurn(turn, renderOptions));
    } catch (err) {
      if (err instanceof CallBusyError) {
        if (holds >= maxHolds) {
          log.error({ holds }, 'call workflow unavailable for too long; ending the call');
          sendTwiml(res, renderGoodbye(catalogFor(input.locale).technicalDifficulty, input.locale, voices));
          return;
        }
        log.warn({ holds, ms: Date.now() - started }, 'workflow busy: caller on hold');
        deps.metrics?.holds.inc({ event: event.kind, hold: holds === 0 ? 'first' : 'again' });
        sendTwiml(
          res,
          renderHold({
            text: holds === 0 ? catalogFor(input.locale).hold : undefined,
            locale: input.locale,
            continueUrl: continueUrl(deps.config.publicBaseUrl, updateId, event, holds + 1),
            pauseSeconds: 1,
            voices,
          }),
        );
        return;
      }
      if (err instanceof CallNotRunningError) {
        // A late event on a finished call, or a replay of an ended call's first webhook: a call id runs once.
        log.info('call already ended');
        sendTwiml(res, renderGoodbye(catalogFor(input.locale).goodbye, input.locale, voices));
        return;
      }
      if (err instanceof CallEventRejectedError) {
        log.warn({ reason: err.message }, 'workflow rejected the event');
        res.status(400).type('text/plain').send(`Rejected: ${err.message}`);
        return;
      }
      log.error({ err }, 'webhook failed');
      sendTwiml(res, renderGoodbye(catalogFor(input.locale).technicalDifficulty, input.locale, voices));
    }
  }

  router.post('/voice', handler(voiceParams, undefined, async (req, res, params) => {
    const input = callInputOf(params);
    const updateId = updateIdFor(req, 'voice');
    // Answered once the workflow is started, without waiting for it (CallGateway.startCall); a hold comes back as a start event.
    await answer(res, input, { kind: 'start' }, updateId, 0, () => deps.gateway.startCall(input, updateId));
  }));

  router.post('/gather', handler(gatherParams, turnQuery, async (req, res, params, query) => {
    // Withheld before anything else sees them: a card-like number never reaches the workflow or the Update id.
    const keyed = callerDigits(params.Digits, deps.config.ORDER_NUMBER_MAX_LENGTH);
    const event: CallerEvent = { kind: 'digits', turn: query.turn, ...keyed };
    await answer(res, callInputOf(params), event, updateIdFor(req, 'gather', { Digits: keyed.withheld ? `withheld:${keyed.withheld}` : keyed.digits }), 0);
  }));

  router.post('/pay', handler(payParams, turnQuery, async (req, res, params, query) => {
    const pay = toPayResult(params);
    await answer(res, callInputOf(params), { kind: 'pay-result', turn: query.turn, pay }, updateIdFor(req, 'pay', payFieldsForId(params)), 0);
  }));

  router.post('/dial', handler(dialParams, turnQuery, async (req, res, params, query) => {
    const event: CallerEvent = {
      kind: 'dial-ended',
      turn: query.turn,
      dialCallStatus: params.DialCallStatus,
      ...(params.DialCallDuration !== undefined ? { durationSeconds: params.DialCallDuration } : {}),
      ...(params.CallStatus ? { callStatus: params.CallStatus } : {}),
    };
    await answer(res, callInputOf(params), event, updateIdFor(req, 'dial'), 0);
  }));

  // Twilio's Payments callbacks on a live call (agent-assisted capture): a signal, applied once by its id.
  router.post('/payment-status', handler(paymentStatusParams, undefined, async (req, res, params) => {
    const callbackId = updateIdFor(req, 'payment-status', paymentFieldsForId(params));
    await signal(res, params.CallSid, () => deps.gateway.reportPaymentStatus(params.CallSid, toPaymentStatus(params, callbackId)));
  }));

  router.post('/continue', handler(voiceParams, continueQuery, async (_req, res, params, query) => {
    await answer(res, callInputOf(params), query.e, query.u, query.h);
  }));

  router.post('/pay-status', handler(payStatusParams, undefined, async (_req, res, params) => {
    // Only a field the caller got wrong is worth a signal (a history event and a workflow task):
    // the `<Pay>` result itself says how the capture ended.
    if (!params.ErrorType) {
      res.status(204).end();
      return;
    }
    await signal(res, params.CallSid, () =>
      deps.gateway.reportPayProgress(params.CallSid, {
        for: params.For,
        ...(params.ErrorType ? { errorType: params.ErrorType } : {}),
        ...(params.Attempt !== undefined ? { attempt: params.Attempt } : {}),
      }),
    );
  }));

  router.post('/status', handler(statusParams, undefined, async (_req, res, params) => {
    deps.logger.info({ callSid: params.CallSid, callStatus: params.CallStatus, duration: params.CallDuration }, 'call status');
    await signal(res, params.CallSid, () =>
      deps.gateway.reportCallStatus(params.CallSid, {
        callStatus: params.CallStatus,
        ...(params.CallDuration !== undefined ? { callDuration: params.CallDuration } : {}),
      }),
    );
  }));

  async function signal(res: Response, callSid: string, send: () => Promise<void>): Promise<void> {
    try {
      await send();
      res.status(204).end();
    } catch (err) {
      if (err instanceof CallNotRunningError) {
        res.status(204).end();
        return;
      }
      deps.logger.error({ callSid, err }, 'could not signal the call workflow');
      res.status(503).type('text/plain').send('Temporal unavailable; retry later.');
    }
  }

  return router;
}

/** Validates body (and query), answering 400 with a readable message before any work. */
function handler<B extends z.ZodType, Q extends z.ZodType | undefined>(
  body: B,
  query: Q,
  run: (req: Request, res: Response, params: z.infer<B>, query: Q extends z.ZodType ? z.infer<Q> : undefined) => Promise<void>,
) {
  return async (req: Request, res: Response): Promise<void> => {
    const parsedBody = body.safeParse(req.body ?? {});
    if (!parsedBody.success) {
      res.status(400).type('text/plain').send(`Bad request: ${describeProblems(parsedBody.error)}`);
      return;
    }
    let parsedQuery: unknown = undefined;
    if (query) {
      const result = query.safeParse(req.query);
      if (!result.success) {
        res.status(400).type('text/plain').send(`Bad request: ${describeProblems(result.error)}`);
        return;
      }
      parsedQuery = result.data;
    }
    await run(req, res, parsedBody.data, parsedQuery as Q extends z.ZodType ? z.infer<Q> : undefined);
  };
}

/** The `<Pay>` fields as the Update id hashes them: masked and redacted, as paycall keeps them. */
function payFieldsForId(params: PayParams): Record<string, string> {
  const fields: Record<string, string | undefined> = {
    Result: params.Result,
    PaymentToken: params.PaymentToken,
    PaymentCardNumber: params.PaymentCardNumber,
    ExpirationDate: params.ExpirationDate,
    PaymentError: params.PaymentError,
    ConnectorError: params.ConnectorError,
  };
  return Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, v ?? '']));
}

/** A Payments callback as its id hashes it: the card fields as paycall keeps them, never the raw ones. */
function paymentFieldsForId(params: PaymentStatusParams): Record<string, string> {
  return { PaymentCardNumber: params.PaymentCardNumber ?? '', ExpirationDate: params.ExpirationDate ?? '', PaymentError: params.PaymentError ?? '', ConnectorError: params.ConnectorError ?? '' };
}

function sendTwiml(res: Response, twiml: string): void {
  res.status(200).type('text/xml').send(twiml);
}

