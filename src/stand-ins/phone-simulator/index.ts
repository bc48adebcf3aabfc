/**
 * The phone simulator as a library (the CLI is main.ts):
 *
 *   import { placeCall, loadScenario, heardText } from '../src/stand-ins/phone-simulator/index.js';
 *   const record = await placeCall({ url, authToken, stripeUrl, scenario: await loadScenario('scenarios/happy-path-en.json') });
 *   expect(record.ended.how).toBe('hangup');
 */
export { placeCall, DEFAULT_APP_URL, type PlaceCallOptions } from './place-call.js';
export { runLoad, formatLoadReport, summarize, percentile, latencyStats, planCalls } from './load.js';
export type { LoadOptions, LoadReport, LatencyStats } from './load.js';
export {
  heardText,
  failureKind,
  findSecrets,
  failureEndings,
  type CallRecord,
  type CallEnded,
  type EndHow,
  type TranscriptEntry,
  type TranscriptVerb,
  type RequestRecord,
  type RequestKind,
} from './record.js';
export {
  parseScenario,
  loadScenario,
  loadScenarioMix,
  keysToSteps,
  scenarioSchema,
  scenarioStepSchema,
  scenarioMixSchema,
  ScenarioError,
  type Scenario,
  type ScenarioInput,
  type ScenarioStep,
  type PayStepInput,
  type AgentPayStepInput,
  type WeightedScenario,
} from './scenario.js';
export {
  ScriptedCaller,
  DEFAULT_POSTAL_CODE,
  type Caller,
  type GatherPrompt,
  type GatherReply,
  type PayBeginReply,
  type PayField,
  type PayFieldPrompt,
  type PayFieldReply,
  type AgentCapturePrompt,
  type DialConnectedReply,
} from './caller.js';
export { TwilioLink, TwilioLinkError, type TwilioLinkOptions } from './twilio-link.js';
export { InteractiveCaller } from './interactive.js';
export { CallSession, APPLICATION_ERROR_MESSAGE, type CallSessionOptions } from './call-session.js';
export { WebhookClient, TWILIO_RESPONSE_TIMEOUT_MS, type WebhookRequest, type WebhookResult } from './http-client.js';
export { emulatePay, maskKeys } from './pay-emulator.js';
export { choosePrompt, defaultPromptText, defaultErrorText } from './pay-prompts.js';
export { PAY_ERROR_CODES } from './pay-params.js';
export {
  createStripeTokenizer,
  DEFAULT_STRIPE_URL,
  SIMULATOR_STRIPE_KEY,
  type Tokenizer,
  type TokenizeResult,
  type CardDetails,
} from './stripe-tokenizer.js';
export {
  checkCardNumber,
  checkExpiry,
  checkSecurityCode,
  checkPostalCode,
  detectCardType,
  luhnValid,
  maskCardNumber,
  maskSecurityCode,
  securityCodeLength,
  type PayCardType,
} from './card-validation.js';
export {
  signRequest,
  signingUrl,
  resolveAuthToken,
  resolveAccountSid,
  newCallSid,
  standardVoiceParams,
  AuthTokenError,
  SIGNATURE_HEADER,
  IDEMPOTENCY_HEADER,
  DEV_ACCOUNT_SID,
  DEFAULT_FROM,
  DEFAULT_TO,
  type CallIdentity,
} from './signing.js';
export { parseTwiml, TwimlParseError, type Verb } from './twiml-parser.js';
export { formatEntry, formatEnding, formatRequest } from './format.js';
