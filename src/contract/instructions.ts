/**
 * What the call workflow tells the web layer to do next. Pure data: the web layer renders
 * it to TwiML with twilio's VoiceResponse (src/twiml/render.ts). No TwiML in
 * workflows, no business logic in routes.
 */
export type Locale = 'en-US' | 'ja-JP';
export const locales: readonly Locale[] = ['en-US', 'ja-JP'];

export interface SayInstruction {
  kind: 'say';
  text: string;
  locale: Locale;
}

export interface PauseInstruction {
  kind: 'pause';
  seconds: number;
}

/** Collect keypad digits; the renderer points `action` at /twilio/gather for this turn. */
export interface GatherInstruction {
  kind: 'gather';
  /** What the caller hears while the gather listens. */
  prompt: string;
  locale: Locale;
  numDigits?: number;
  finishOnKey?: string;
  timeoutSeconds: number;
}

/** `<Prompt>` inside `<Pay>`: which step (and error/attempt) it is spoken for. */
export interface PayPrompt {
  for: PayPromptFor;
  errorType?: string;
  attempt?: number[];
  cardType?: string[];
  text: string;
}

export type PayPromptFor = 'payment-card-number' | 'expiration-date' | 'security-code' | 'postal-code' | 'payment-processing';

/** The card types `<Pay validCardTypes>` knows (Twilio's names: `diners-club`, not Stripe's `diners`). */
export const payCardTypes = ['visa', 'mastercard', 'amex', 'maestro', 'discover', 'optima', 'jcb', 'diners-club', 'enroute'] as const;
export type PayCardType = (typeof payCardTypes)[number];

/**
 * The merchant's `<Pay>` settings (PAY_* in the configuration). The web layer puts them in
 * the call's input when the call starts, so one call keeps the same settings on every turn,
 * whichever web process renders it, and its history records what the caller was offered.
 */
export interface PayOptions {
  validCardTypes: PayCardType[];
  securityCode: boolean;
  postalCode: boolean;
  /** Seconds `<Pay>` waits for the next digit. */
  timeoutSeconds: number;
  /** Tries per field before `<Pay>` gives up (Twilio allows 1 to 3). */
  maxAttempts: 1 | 2 | 3;
}

/**
 * Capture a card with `<Pay>`, tokenize only. The renderer adds `paymentConnector` (config),
 * `action` (/twilio/pay for this turn) and `statusCallback` (/twilio/pay-status).
 */
export interface PayInstruction {
  kind: 'pay';
  chargeAmount: '0';
  tokenType: 'payment-method';
  /** ISO currency, lower case as Twilio expects (`usd`, `jpy`). */
  currency: string;
  description: string;
  locale: Locale;
  validCardTypes: string[];
  securityCode: boolean;
  postalCode: boolean;
  timeoutSeconds: number;
  maxAttempts: 1 | 2 | 3;
  prompts: PayPrompt[];
}

/** Hand the caller to a person and forget the call (calls that began before agent-assisted payments). */
export interface TransferInstruction {
  kind: 'transfer';
  to: string;
}

/**
 * Connect the caller to an operator and stay on the call (`<Dial>` with an action URL): the
 * call goes on while they talk, an operator may take a card payment on it, and the action
 * webhook tells the workflow when the operator's leg ends.
 */
export interface ConnectOperatorInstruction {
  kind: 'connect-operator';
  to: string;
  /** How long to ring the operator. */
  timeoutSeconds: number;
  /** The order the caller is about, when known (for the operator's screen and the record). */
  orderId?: string;
}

export interface HangupInstruction {
  kind: 'hangup';
}

export type Instruction =
  | SayInstruction
  | PauseInstruction
  | GatherInstruction
  | PayInstruction
  | TransferInstruction
  | ConnectOperatorInstruction
  | HangupInstruction;
// No "redirect" instruction: holding a caller and coming back (/twilio/continue) is the
// web layer's job when the workflow is slow (src/webhooks/continue-link.ts), not a step
// the workflow chooses.

/**
 * One TwiML document's worth of instructions. `turn` increases with every document the
 * workflow emits; action URLs carry it so a late or duplicate webhook is recognised.
 */
export interface Turn {
  turn: number;
  instructions: Instruction[];
  /** True for the last turn of the call (it ends in hangup or transfer). */
  final: boolean;
}
