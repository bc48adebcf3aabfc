/**
 * Renders the workflow's instructions to TwiML with twilio's VoiceResponse: the only place
 * paycall produces TwiML. Action URLs are absolute on PUBLIC_BASE_URL and carry the turn
 * number, so the answer is matched to the question it answers. Every `<Say>` (those inside
 * `<Gather>` and `<Pay>`'s `<Prompt>`s too) carries its language and that language's voice
 * (VOICE_EN_US, VOICE_JA_JP): voices are presentation, chosen here, not in the workflow.
 */
import twilio from 'twilio';
import type VoiceResponse from 'twilio/lib/twiml/VoiceResponse.js';
import type { Instruction, Locale, PayInstruction, Turn } from '../contract/instructions.js';
import { defaultVoices, type Voices } from '../i18n/voices.js';

export interface RenderOptions {
  publicBaseUrl: string;
  /** TWILIO_PAY_CONNECTOR: the Pay Connector's unique name in the Twilio console. */
  paymentConnector: string;
  /** The voice for each language (config `voices`); default: src/i18n/voices.ts. */
  voices?: Voices;
}

/** `<Say>` attributes for a language: the language and its configured voice. */
function speech(locale: Locale, voices: Voices = defaultVoices): VoiceResponse.SayAttributes {
  return { language: locale, voice: voices[locale] as NonNullable<VoiceResponse.SayAttributes['voice']> };
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
      response.say(speech(instruction.locale, options.voices), instruction.text);
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
      gather.say(speech(instruction.locale, options.voices), instruction.prompt);
      return;
    }
    case 'pay':
      appendPay(response, instruction, url(`/twilio/pay?turn=${turn}`), url('/twilio/pay-status'), options);
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

function appendPay(response: VoiceResponse, pay: PayInstruction, action: string, statusCallback: string, options: RenderOptions): void {
  const element = response.pay({
    input: 'dtmf',
    action,
    statusCallback,
    statusCallbackMethod: 'POST',
    paymentConnector: options.paymentConnector,
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
    element.prompt(attributes).say(speech(pay.locale, options.voices), prompt.text);
  }
}

/** `<Pay language>` covers only a few languages; ours are spoken by our own `<Prompt>`s anyway. */
function twilioPayLanguage(locale: Locale): VoiceResponse.PayAttributes['language'] {
  return locale === 'en-US' ? 'en-US' : undefined;
}

/** Say something and hang up: the answer when a call cannot go on. */
export function renderGoodbye(text: string | undefined, locale: Locale, voices?: Voices): string {
  const response = new twilio.twiml.VoiceResponse();
  if (text) response.say(speech(locale, voices), text);
  response.hangup();
  return response.toString();
}

/**
 * Keep the caller on the line while the workflow works: an optional short message, a
 * pause, then a Redirect to /twilio/continue, which asks again.
 */
export function renderHold(options: { text?: string; locale: Locale; continueUrl: string; pauseSeconds: number; voices?: Voices }): string {
  const response = new twilio.twiml.VoiceResponse();
  if (options.text) response.say(speech(options.locale, options.voices), options.text);
  response.pause({ length: options.pauseSeconds });
  response.redirect({ method: 'POST' }, options.continueUrl);
  return response.toString();
}
