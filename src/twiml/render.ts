/**
 * Renders the workflow's instructions to TwiML with twilio's VoiceResponse: the only place
 * paycall produces TwiML. Action URLs are absolute on PUBLIC_BASE_URL and carry the turn
 * number, so the answer is matched to the question it answers.
 */
import twilio from 'twilio';
import type VoiceResponse from 'twilio/lib/twiml/VoiceResponse.js';
import type { Instruction, Locale, PayInstruction, Turn } from '../contract/instructions.js';

export interface RenderOptions {
  publicBaseUrl: string;
  /** TWILIO_PAY_CONNECTOR: the Pay Connector's unique name in the Twilio console. */
  paymentConnector: string;
}

export function renderTurn(turn: Turn, options: RenderOptions): string {
  const response = new twilio.twiml.VoiceResponse();
  for (const instruction of turn.instructions) appendInstruction(response, instruction, turn.turn, options);
  return response.toString();
}

function appendInstruction(response: VoiceResponse, instruction: Instruction, turn: number, options: RenderOptions): void {
  const url = (path: string) => `${options.publicBaseUrl}${path}`;
  switch (instruction.kind) {
    case 'say':
      response.say({ language: instruction.locale }, instruction.text);
      return;
    case 'pause':
      response.pause({ length: instruction.seconds });
      return;
    case 'gather': {
      const gather = response.gather({
        input: ['dtmf'],
        action: url(`/twilio/gather?turn=${turn}`),
        method: 'POST',
        actionOnEmptyResult: true,
        timeout: instruction.timeoutSeconds,
        ...(instruction.numDigits !== undefined ? { numDigits: instruction.numDigits } : {}),
        ...(instruction.finishOnKey !== undefined ? { finishOnKey: instruction.finishOnKey } : {}),
      });
      gather.say({ language: instruction.locale }, instruction.prompt);
      return;
    }
    case 'pay':
      appendPay(response, instruction, url(`/twilio/pay?turn=${turn}`), url('/twilio/pay-status'), options.paymentConnector);
      return;
    case 'transfer':
      response.dial({}, instruction.to);
      return;
    case 'connect-operator':
      // The caller stays on this call while connected; the action URL reports when the operator's leg ends.
      response.dial({ action: url(`/twilio/dial?turn=${turn}`), method: 'POST', timeout: instruction.timeoutSeconds, timeLimit: 4 * 3600 }, instruction.to);
      return;
    case 'hangup':
      response.hangup();
      return;
  }
}

function appendPay(response: VoiceResponse, pay: PayInstruction, action: string, statusCallback: string, paymentConnector: string): void {
  const element = response.pay({
    input: 'dtmf',
    action,
    statusCallback,
    statusCallbackMethod: 'POST',
    paymentConnector,
    chargeAmount: pay.chargeAmount,
    tokenType: pay.tokenType,
    currency: pay.currency,
    description: pay.description,
    validCardTypes: pay.validCardTypes as NonNullable<VoiceResponse.PayAttributes['validCardTypes']>,
    securityCode: pay.securityCode,
    postalCode: String(pay.postalCode),
    timeout: pay.timeoutSeconds,
    maxAttempts: pay.maxAttempts,
    ...(twilioPayLanguage(pay.locale) ? { language: twilioPayLanguage(pay.locale) } : {}),
  });
  for (const prompt of pay.prompts) {
    const attributes: VoiceResponse.PromptAttributes = { for: prompt.for };
    if (prompt.errorType) attributes.errorType = [prompt.errorType] as NonNullable<VoiceResponse.PromptAttributes['errorType']>;
    if (prompt.attempt) attributes.attempt = prompt.attempt;
    if (prompt.cardType) attributes.cardType = prompt.cardType as NonNullable<VoiceResponse.PromptAttributes['cardType']>;
    element.prompt(attributes).say({ language: pay.locale }, prompt.text);
  }
}

/** `<Pay language>` covers only a few languages; ours are spoken by our own `<Prompt>`s anyway. */
function twilioPayLanguage(locale: Locale): VoiceResponse.PayAttributes['language'] {
  return locale === 'en-US' ? 'en-US' : undefined;
}

/** Say something and hang up: the answer when a call cannot go on. */
export function renderGoodbye(text: string | undefined, locale: Locale): string {
  const response = new twilio.twiml.VoiceResponse();
  if (text) response.say({ language: locale }, text);
  response.hangup();
  return response.toString();
}

/**
 * Keep the caller on the line while the workflow works: an optional short message, a
 * pause, then a Redirect to /twilio/continue, which asks again.
 */
export function renderHold(options: { text?: string; locale: Locale; continueUrl: string; pauseSeconds: number }): string {
  const response = new twilio.twiml.VoiceResponse();
  if (options.text) response.say({ language: options.locale }, options.text);
  response.pause({ length: options.pauseSeconds });
  response.redirect({ method: 'POST' }, options.continueUrl);
  return response.toString();
}
