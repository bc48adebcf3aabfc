/**
 * Reference B's webhooks: the same kind of Express routes as paycall's, each one Temporal
 * round trip. The incoming call is Update-With-Start, each `<Gather>` and `<Pay>` answer an
 * Update that returns the next turn, the call-status callback the fifth Update. `<Pay>`
 * progress callbacks are acknowledged without Temporal (paycall signals them).
 */
import { WithStartWorkflowOperation, WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Response, Router } from 'express';
import { localeForNumber } from '../../../src/config/config.js';
import type { Turn } from '../../../src/contract/instructions.js';
import { catalogFor } from '../../../src/i18n/catalog.js';
import { gatherParams, payParams, payStatusParams, statusParams, turnQuery, voiceParams } from '../../../src/webhooks/params.js';
import { renderGoodbye, renderTurn } from '../../../src/twiml/render.js';
import { updateIdFor } from '../../../src/webhooks/update-id.js';
import { orderDigits } from './dialogue.js';
import { minimalCallStatus, minimalCallWorkflow, minimalCallerEvent, type MinimalCallEvent } from './minimal-call-workflow.js';
import { sendTwiml, type OrderEntry } from './reference-server.js';

export interface MinimalCallDeps {
  client: Client;
  taskQueue: string;
  orders: Map<string, OrderEntry>;
  publicBaseUrl: string;
  paymentConnector: string;
}

const localeConfig = { LOCALE: 'en-US', LOCALE_BY_NUMBER: { '+81': 'ja-JP' } } as const;
/** Twilio waits 15 s for an answer; past this the call is counted as failed. */
const deadlineMs = 10_000;

export const minimalCallWorkflowId = (callSid: string): string => `call-${callSid}`;

export function mountMinimalCall(router: Router, deps: MinimalCallDeps): void {
  const renderOptions = { publicBaseUrl: deps.publicBaseUrl, paymentConnector: deps.paymentConnector };
  const withDeadline = <T>(fn: () => Promise<T>) => deps.client.withDeadline(Date.now() + deadlineMs, fn);

  const deliver = async (callSid: string, event: MinimalCallEvent, updateId: string, to: string | undefined): Promise<Turn> => {
    const workflowId = minimalCallWorkflowId(callSid);
    if (event.kind !== 'start') {
      return withDeadline(() => deps.client.workflow.getHandle(workflowId).executeUpdate(minimalCallerEvent, { args: [event], updateId }));
    }
    const startWorkflowOperation = new WithStartWorkflowOperation(minimalCallWorkflow, {
      workflowId,
      taskQueue: deps.taskQueue,
      args: [{ callSid, locale: localeForNumber(localeConfig, to) }],
      workflowIdConflictPolicy: 'USE_EXISTING',
    });
    return withDeadline(() => deps.client.workflow.executeUpdateWithStart(minimalCallerEvent, { args: [event], updateId, startWorkflowOperation }));
  };

  const answer = async (res: Response, turn: Promise<Turn>): Promise<void> => {
    try {
      sendTwiml(res, renderTurn(await turn, renderOptions));
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return void sendTwiml(res, renderGoodbye(catalogFor('en-US').goodbye, 'en-US'));
      res.status(500).type('text/plain').send(`Temporal: ${(err as Error).message}`);
    }
  };

  router.post('/voice', async (req, res) => {
    const params = voiceParams.safeParse(req.body);
    if (!params.success) return void res.status(400).send('Bad request');
    await answer(res, deliver(params.data.CallSid, { kind: 'start' }, updateIdFor(req, 'voice'), params.data.To));
  });

  router.post('/gather', async (req, res) => {
    const params = gatherParams.safeParse(req.body);
    const query = turnQuery.safeParse(req.query);
    if (!params.success || !query.success) return void res.status(400).send('Bad request');
    const order = deps.orders.get(orderDigits(params.data.Digits));
    const event: MinimalCallEvent = {
      kind: 'digits',
      turn: query.data.turn,
      digits: params.data.Digits,
      ...(order?.status === 'unpaid' ? { order: { orderId: order.orderId, amount: order.amount, currency: order.currency, description: order.description } } : {}),
    };
    await answer(res, deliver(params.data.CallSid, event, updateIdFor(req, 'gather'), params.data.To));
  });

  router.post('/pay', async (req, res) => {
    const params = payParams.safeParse(req.body);
    const query = turnQuery.safeParse(req.query);
    if (!params.success || !query.success) return void res.status(400).send('Bad request');
    const success = params.data.Result === 'success' && Boolean(params.data.PaymentToken);
    await answer(res, deliver(params.data.CallSid, { kind: 'pay-result', turn: query.data.turn, success }, updateIdFor(req, 'pay'), params.data.To));
  });

  router.post('/pay-status', (req, res) => {
    res.status(payStatusParams.safeParse(req.body).success ? 204 : 400).end();
  });

  router.post('/status', async (req, res) => {
    const params = statusParams.safeParse(req.body);
    if (!params.success) return void res.status(400).send('Bad request');
    try {
      const handle = deps.client.workflow.getHandle(minimalCallWorkflowId(params.data.CallSid));
      await withDeadline(() => handle.executeUpdate(minimalCallStatus, { args: [params.data.CallStatus], updateId: updateIdFor(req, 'status') }));
      res.status(204).end();
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return void res.status(204).end();
      res.status(503).type('text/plain').send(`Temporal: ${(err as Error).message}`);
    }
  });
}
