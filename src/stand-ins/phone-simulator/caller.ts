/**
 * The person on the phone. The session asks a `Caller` what to do at each input point
 * (<Gather>, each <Pay> field, right after the <Pay> action is posted); the scripted caller
 * answers from scenario steps, the interactive one from the terminal. Implement `Caller`
 * yourself to drive a call from code step by step. Connected to an operator (`<Dial>` with the
 * Twilio REST stand-in), the caller is asked `dialConnected` once, then `agentCapture` each time
 * the operator asks for a card field through Twilio's Payments API.
 */
import type { TranscriptEntry } from './record.js';
import type { AgentPayStepInput, PayStepInput, ScenarioStep } from './scenario.js';

export type PayField = 'payment-card-number' | 'expiration-date' | 'security-code' | 'postal-code';

export interface GatherPrompt {
  numDigits?: number;
  finishOnKey: string;
  timeoutSeconds: number;
  /** What the caller heard since their last input. */
  heard: string[];
}

/** `keys`: the keys pressed (the finish key included if pressed). */
export type GatherReply =
  | { kind: 'keys'; keys: string }
  | { kind: 'no-input' }
  | { kind: 'hangup' }
  | { kind: 'script-error'; message: string };

export interface PayFieldPrompt {
  field: PayField;
  attempt: number;
  /** Why this is a re-prompt (`timeout`, `invalid-card-number`, …). */
  errorType?: string;
  /** The brand detected from the card number, once known. */
  cardType?: string;
  timeoutSeconds: number;
  /** What the caller just heard. */
  heard: string[];
}

/** `keys`: keypad keys for the field (a `*` anywhere ends <Pay>; a trailing `#` is the finish key). */
export type PayFieldReply =
  | { kind: 'keys'; keys: string }
  | { kind: 'no-input' }
  | { kind: 'hangup' }
  | { kind: 'script-error'; message: string };

export type PayBeginReply = { kind: 'enter' } | { kind: 'hangup' } | { kind: 'script-error'; message: string };

/** The operator asked (through Twilio's Payments API) for one card field. */
export interface AgentCapturePrompt {
  /** The payment session (`PK…`): a new one means a new card. */
  paymentSid: string;
  field: PayField;
  /** 1 the first time this session asks for the field, 2 when asked again, … */
  attempt: number;
  timeoutSeconds: number;
  /** The brand Twilio detected from the card number, once known. */
  cardType?: string;
}

/** Connected to the operator: stay on the line, or hang up. */
export type DialConnectedReply = 'stay' | 'hangup';

export interface Caller {
  /** Everything that happens on the line, as it happens (for printing). */
  onTranscript?(entry: TranscriptEntry): void;
  gather(prompt: GatherPrompt): Promise<GatherReply>;
  /** A <Pay> starts: will the caller enter a card? */
  payBegin(): Promise<PayBeginReply>;
  payField(prompt: PayFieldPrompt): Promise<PayFieldReply>;
  /** The <Pay> action is about to be posted: hang up as soon as it is sent? */
  hangUpDuringPayProcessing(): Promise<boolean>;
  /** Connected to an operator in a live `<Dial>`. Without it the caller stays. */
  dialConnected?(): Promise<DialConnectedReply>;
  /** The operator asks for a card field (agent-assisted capture). Without it, a script error. */
  agentCapture?(prompt: AgentCapturePrompt): Promise<PayFieldReply>;
  close?(): void | Promise<void>;
}

/** Postal code typed when a <Pay> asks for one and the scenario gives none. */
export const DEFAULT_POSTAL_CODE = '94107';

const fieldKey: Record<PayField, 'cardNumber' | 'expiry' | 'securityCode' | 'postalCode'> = {
  'payment-card-number': 'cardNumber',
  'expiration-date': 'expiry',
  'security-code': 'securityCode',
  'postal-code': 'postalCode',
};

export interface ScriptedCallerOptions {
  /** How `pause` steps wait; defaults to a real timer. */
  sleep?: (ms: number) => Promise<void>;
}

/** Answers from scenario steps, in order. A step that does not fit the input point is a script error. */
export class ScriptedCaller implements Caller {
  private index = 0;
  private pay: { step: PayStepInput; used: Partial<Record<PayField, number>>; prompts: number } | undefined;
  private agent: { step: AgentPayStepInput; paymentSid: string; used: Partial<Record<PayField, number>> } | undefined;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(
    private readonly steps: readonly ScenarioStep[],
    options: ScriptedCallerOptions = {},
  ) {
    this.sleep = options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  /** Steps not consumed yet. */
  get remaining(): readonly ScenarioStep[] {
    return this.steps.slice(this.index);
  }

  private async next(): Promise<ScenarioStep | undefined> {
    for (;;) {
      const step = this.steps[this.index];
      if (step && 'pause' in step) {
        this.index++;
        await this.sleep(step.pause);
        continue;
      }
      return step;
    }
  }

  private describe(step: ScenarioStep): string {
    return JSON.stringify(step);
  }

  async gather(): Promise<GatherReply> {
    const step = await this.next();
    if (!step) {
      return { kind: 'script-error', message: `the app asked for digits (<Gather>) but the script has no steps left` };
    }
    if ('gather' in step) {
      this.index++;
      return step.gather === '' ? { kind: 'no-input' } : { kind: 'keys', keys: step.gather };
    }
    if ('hangup' in step) {
      this.index++;
      return { kind: 'hangup' };
    }
    return {
      kind: 'script-error',
      message: `the app asked for digits (<Gather>) but the next step is ${this.describe(step)} (step ${this.index + 1})`,
    };
  }

  async payBegin(): Promise<PayBeginReply> {
    const step = await this.next();
    if (!step) {
      return { kind: 'script-error', message: `the app asked for a card (<Pay>) but the script has no steps left` };
    }
    if ('pay' in step) {
      this.index++;
      this.pay = { step: step.pay, used: {}, prompts: 0 };
      return { kind: 'enter' };
    }
    if ('hangup' in step) {
      this.index++;
      return { kind: 'hangup' };
    }
    return {
      kind: 'script-error',
      message: `the app asked for a card (<Pay>) but the next step is ${this.describe(step)} (step ${this.index + 1})`,
    };
  }

  async payField(prompt: PayFieldPrompt): Promise<PayFieldReply> {
    const pay = this.pay;
    if (!pay) return { kind: 'script-error', message: 'payField before payBegin' };
    pay.prompts++;
    if (pay.step.star && pay.prompts === 1) return { kind: 'keys', keys: '*' };
    const key = fieldKey[prompt.field];
    const value = pay.step[key];
    const entries = value === undefined ? [] : Array.isArray(value) ? value : [value];
    const used = pay.used[prompt.field] ?? 0;
    const entry = entries[used];
    if (entry !== undefined) {
      pay.used[prompt.field] = used + 1;
      if (entry === '') return { kind: 'no-input' };
      // A caller ends each field with # (so <Pay> need not wait out its timeout).
      return { kind: 'keys', keys: /[#*]/.test(entry) ? entry : `${entry}#` };
    }
    if (pay.step.hangup) return { kind: 'hangup' };
    if (prompt.field === 'postal-code' && entries.length === 0) {
      pay.used[prompt.field] = 1;
      return { kind: 'keys', keys: `${DEFAULT_POSTAL_CODE}#` };
    }
    const why = prompt.errorType ? ` after ${prompt.errorType}` : '';
    return {
      kind: 'script-error',
      message: `<Pay> asked for ${prompt.field} (attempt ${prompt.attempt}${why}) but the pay step has no ${key} entry left`,
    };
  }

  async hangUpDuringPayProcessing(): Promise<boolean> {
    const step = this.steps[this.index];
    if (step && 'hangupDuring' in step) {
      this.index++;
      return true;
    }
    return false;
  }

  /** A `hangup` step as the next one hangs up as soon as the operator answers; otherwise the caller stays. */
  async dialConnected(): Promise<DialConnectedReply> {
    const step = await this.next();
    if (step && 'hangup' in step) {
      this.index++;
      return 'hangup';
    }
    return 'stay';
  }

  /** Each payment session takes the next `agentPay` step; each request for a field, its next entry. */
  async agentCapture(prompt: AgentCapturePrompt): Promise<PayFieldReply> {
    const asked = `the operator asked for ${prompt.field} (payment ${prompt.paymentSid}, attempt ${prompt.attempt})`;
    if (!this.agent || this.agent.paymentSid !== prompt.paymentSid) {
      const step = await this.next();
      if (!step) return { kind: 'script-error', message: `${asked} but the script has no steps left` };
      if ('hangup' in step) {
        this.index++;
        return { kind: 'hangup' };
      }
      if (!('agentPay' in step)) {
        return { kind: 'script-error', message: `${asked} but the next step is ${this.describe(step)} (step ${this.index + 1})` };
      }
      this.index++;
      this.agent = { step: step.agentPay, paymentSid: prompt.paymentSid, used: {} };
    }
    const agent = this.agent;
    const key = fieldKey[prompt.field];
    const value = agent.step[key];
    const entries = value === undefined ? [] : Array.isArray(value) ? value : [value];
    const used = agent.used[prompt.field] ?? 0;
    const entry = entries[used];
    if (entry !== undefined) {
      agent.used[prompt.field] = used + 1;
      if (entry === '') return { kind: 'no-input' };
      return { kind: 'keys', keys: /[#*]/.test(entry) ? entry : `${entry}#` };
    }
    if (agent.step.hangup) return { kind: 'hangup' };
    if (prompt.field === 'postal-code' && entries.length === 0) {
      agent.used[prompt.field] = 1;
      return { kind: 'keys', keys: `${DEFAULT_POSTAL_CODE}#` };
    }
    return { kind: 'script-error', message: `${asked} but the agentPay step has no ${key} entry left` };
  }
}
