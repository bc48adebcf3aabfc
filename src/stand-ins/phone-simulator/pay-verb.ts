/**
 * A <Pay> as a step of the call: refuse what the emulator cannot run, let the caller begin
 * (or hang up), run the field-by-field entry (pay-emulator.ts), then request the action with
 * its Result. When the caller hangs up during entry Twilio still posts the action; when they
 * hang up while the payment is processing, the action is sent and the call ends without
 * waiting for its answer.
 */
import { resolveVerbUrl } from './document-url.js';
import type { WebhookRequest } from './http-client.js';
import { UnsupportedPayError, checkPaySupported, emulatePay } from './pay-emulator.js';
import type { Step } from './session-step.js';
import { standardVoiceParams } from './signing.js';
import type { PayVerb } from './twiml-verbs.js';
import type { VerbContext } from './verb-context.js';

export async function runPayVerb(verb: PayVerb, documentUrl: string, ctx: VerbContext): Promise<Step> {
  const { client, caller } = ctx;
  try {
    checkPaySupported(verb);
  } catch (err) {
    if (!(err instanceof UnsupportedPayError)) throw err;
    return { kind: 'end', ended: { how: 'error', code: 'unsupported-pay', detail: err.message } };
  }
  const actionUrl = resolveVerbUrl(verb.action, documentUrl);
  const statusUrl = verb.statusCallback ? resolveVerbUrl(verb.statusCallback, documentUrl) : undefined;
  const payRequest = (params: Record<string, string>): WebhookRequest => ({
    kind: 'pay',
    method: 'POST', // <Pay action> is POST only
    url: actionUrl,
    params: { ...standardVoiceParams(ctx.identity), ...params },
  });

  ctx.takeHeard();
  const begin = await caller.payBegin();
  if (begin.kind === 'script-error') {
    ctx.hear({ verb: 'Caller', detail: 'hung up (script error)' });
    return { kind: 'end', ended: { how: 'error', code: 'script-mismatch', detail: begin.message } };
  }
  if (begin.kind === 'hangup') {
    ctx.hear({ verb: 'Pay', event: 'input', input: 'hangup' });
    await client.send(payRequest({ Result: 'caller-hung-up', PaymentMethod: 'credit-card' }));
    return { kind: 'end', ended: { how: 'caller-hangup', during: 'pay-entry' } };
  }

  const outcome = await emulatePay(
    verb,
    {
      caller,
      hear: (e) => ctx.hear(e),
      wait: (s) => ctx.wait(s),
      postStatus: async (params) => {
        if (!statusUrl) return;
        await client.send({ kind: 'pay-status', method: verb.statusCallbackMethod, url: statusUrl, params });
      },
      tokenize: ctx.tokenize,
      now: () => ctx.now(),
    },
    { accountSid: ctx.identity.accountSid, callSid: ctx.identity.callSid },
  );
  if (outcome.kind === 'script-error') {
    ctx.hear({ verb: 'Caller', detail: 'hung up (script error)' });
    await client.send(payRequest({ Result: 'caller-hung-up', PaymentMethod: 'credit-card' }));
    return { kind: 'end', ended: { how: 'error', code: 'script-mismatch', detail: outcome.message } };
  }
  if (outcome.result === 'caller-hung-up') {
    // Twilio still posts the action (Result=caller-hung-up); nobody listens to its TwiML.
    await client.send(payRequest(outcome.actionParams));
    return { kind: 'end', ended: { how: 'caller-hangup', during: 'pay-entry' } };
  }
  if (await caller.hangUpDuringPayProcessing()) {
    const inFlight = client.start(payRequest(outcome.actionParams));
    await inFlight.sent;
    ctx.keepPending(inFlight.result);
    ctx.hear({ verb: 'Caller', detail: 'hung up while the payment was processing' });
    return { kind: 'end', ended: { how: 'caller-hangup', during: 'pay-processing' } };
  }
  return { kind: 'navigate', request: payRequest(outcome.actionParams) };
}
