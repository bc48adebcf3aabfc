/**
 * What the chaos run's callers do, decided up front from the seed: a mix of good cards,
 * declines then a good card, hang-ups at every stage, unknown orders, and a few pairs of
 * callers racing to pay the same order. Every call that could pay has an order of its own
 * (only a racing pair shares one), so "paid at most once" is checkable order by order.
 * Callers think for a moment before each input, as people on a keypad do.
 */
import type { Locale } from '../../src/contract/instructions.js';
import { catalogFor } from '../../src/i18n/catalog.js';
import {
  ScriptedCaller,
  type Caller,
  type GatherPrompt,
  type GatherReply,
  type PayBeginReply,
  type PayFieldPrompt,
  type PayFieldReply,
  type ScenarioStep,
} from '../../src/stand-ins/phone-simulator/index.js';
import type { Random } from './random.js';

export const callKinds = [
  'good-card',
  'decline-then-good-card',
  'unknown-order-then-pay',
  'unknown-order-then-hangup',
  'hangup-at-order-prompt',
  'hangup-at-amount',
  'hangup-during-card-entry',
  'hangup-while-charging',
  'race-for-one-order',
] as const;
export type CallKind = (typeof callKinds)[number];

export type SingleCallKind = Exclude<CallKind, 'race-for-one-order'>;

/** Relative weights of single calls; racing pairs are drawn separately (`raceShare`). */
export const defaultCallWeights: Readonly<Record<SingleCallKind, number>> = {
  'good-card': 40,
  'decline-then-good-card': 15,
  'unknown-order-then-pay': 8,
  'unknown-order-then-hangup': 5,
  'hangup-at-order-prompt': 4,
  'hangup-at-amount': 6,
  'hangup-during-card-entry': 4,
  'hangup-while-charging': 6,
};

/** Kinds that pay (a racing pair: one of the two). */
export const expectedToPay: ReadonlySet<CallKind> = new Set(['good-card', 'decline-then-good-card', 'unknown-order-then-pay', 'hangup-while-charging', 'race-for-one-order']);

/** Kinds whose caller stays on the line to the end of a payment and should hear its confirmation. */
export const hearsConfirmationWhenPaid: ReadonlySet<CallKind> = new Set(['good-card', 'decline-then-good-card', 'unknown-order-then-pay', 'race-for-one-order']);

export interface PlannedOrder {
  orderId: string;
  amount: number;
  currency: 'usd' | 'jpy';
  description: string;
  status: 'unpaid';
}

export interface PlannedCall {
  index: number;
  kind: CallKind;
  /** The order it is about (undefined for calls that never reach one). */
  orderId?: string;
  to: string;
  locale: Locale;
  steps: ScenarioStep[];
  /** Set on the two calls of a racing pair. */
  pair?: number;
}

export interface CallPlan {
  orders: PlannedOrder[];
  /** What runs together: one call, or a racing pair (two calls started at once). */
  units: PlannedCall[][];
  calls: PlannedCall[];
}

export interface CallPlanOptions {
  calls: number;
  /** Share of calls that are in racing pairs (0–1). */
  raceShare: number;
  /** Think time before each input, ms. */
  thinkMs: { min: number; max: number };
  random: Random;
  /** Relative weights of the single-call kinds; omitted kinds are not placed. Default defaultCallWeights. */
  weights?: Partial<Record<SingleCallKind, number>>;
}

const goodCards = ['4242424242424242', '5555555555554444', '4000056655665556'];
const decliningCards = ['4000000000000002', '4000000000009995', '4000000000009987'];
const usNumber = '+15005550001';
const japanNumber = '+815012345678';

export function planCalls(options: CallPlanOptions): CallPlan {
  const { random } = options;
  const orders: PlannedOrder[] = [];
  const calls: PlannedCall[] = [];
  const units: PlannedCall[][] = [];
  let nextOrder = 100_001;
  let nextUnknown = 9_000_001;
  const think = (): ScenarioStep => ({ pause: random.int(options.thinkMs.min, options.thinkMs.max) });
  const newOrder = (japanese: boolean): PlannedOrder => {
    const order: PlannedOrder = japanese
      ? { orderId: String(nextOrder++), amount: random.int(5, 400) * 100, currency: 'jpy', description: 'コンサートチケット', status: 'unpaid' }
      : { orderId: String(nextOrder++), amount: random.int(100, 50_000), currency: 'usd', description: 'concert tickets', status: 'unpaid' };
    orders.push(order);
    return order;
  };
  const card = (number: string, extra: Record<string, unknown> = {}): ScenarioStep => ({ pay: { cardNumber: number, expiry: '1234', securityCode: '123', ...extra } });
  const stepsFor = (kind: CallKind, orderId: string | undefined): ScenarioStep[] => {
    const order = orderId ?? '';
    const unknown = () => `${nextUnknown++}#`;
    const good = () => card(random.pick(goodCards));
    switch (kind) {
      case 'good-card':
      case 'race-for-one-order':
        return [think(), { gather: `${order}#` }, think(), { gather: '1' }, think(), good()];
      case 'decline-then-good-card':
        return [think(), { gather: `${order}#` }, think(), { gather: '1' }, think(), card(random.pick(decliningCards)), think(), good()];
      case 'unknown-order-then-pay':
        return [think(), { gather: unknown() }, think(), { gather: `${order}#` }, think(), { gather: '1' }, think(), good()];
      case 'unknown-order-then-hangup':
        return [think(), { gather: unknown() }, think(), { hangup: 'now' }];
      case 'hangup-at-order-prompt':
        return [think(), { hangup: 'now' }];
      case 'hangup-at-amount':
        return [think(), { gather: `${order}#` }, think(), { hangup: 'now' }];
      case 'hangup-during-card-entry':
        return [think(), { gather: `${order}#` }, think(), { gather: '1' }, think(), { pay: { cardNumber: random.pick(goodCards), hangup: true } }];
      case 'hangup-while-charging':
        return [think(), { gather: `${order}#` }, think(), { gather: '1' }, think(), good(), { hangupDuring: 'pay-processing' }];
    }
  };
  const needsOrder = (kind: CallKind) => kind !== 'hangup-at-order-prompt' && kind !== 'unknown-order-then-hangup';
  const weights = options.weights ?? defaultCallWeights;
  const singleKinds = (Object.keys(weights) as SingleCallKind[]).filter((k) => (weights[k] ?? 0) > 0);
  const totalWeight = singleKinds.reduce((sum, k) => sum + (weights[k] ?? 0), 0);
  if (totalWeight <= 0 && options.raceShare <= 0) throw new Error('the call plan needs a kind with a positive weight');
  let pairs = 0;

  while (calls.length < options.calls) {
    const japanese = random.chance(0.15);
    const to = japanese ? japanNumber : usNumber;
    const locale: Locale = japanese ? 'ja-JP' : 'en-US';
    if (options.calls - calls.length >= 2 && random.chance(options.raceShare / 2)) {
      const order = newOrder(japanese);
      const pair = ++pairs;
      const unit = [0, 1].map(() => {
        const call: PlannedCall = { index: calls.length, kind: 'race-for-one-order', orderId: order.orderId, to, locale, steps: stepsFor('race-for-one-order', order.orderId), pair };
        calls.push(call);
        return call;
      });
      units.push(unit);
      continue;
    }
    let draw = random.next() * totalWeight;
    const kind = singleKinds.find((k) => (draw -= weights[k] ?? 0) < 0) ?? singleKinds[0] ?? 'good-card';
    const orderId = needsOrder(kind) ? newOrder(japanese).orderId : undefined;
    const call: PlannedCall = { index: calls.length, kind, ...(orderId ? { orderId } : {}), to, locale, steps: stepsFor(kind, orderId) };
    calls.push(call);
    units.push([call]);
  }
  return { orders, units, calls };
}

/**
 * The caller of a racing pair: follows its script, but when paycall says the order is
 * already paid (the other caller won) and asks again, hangs up as a person would.
 */
export class RacingCaller implements Caller {
  private readonly script: ScriptedCaller;
  private readonly alreadyPaid: string;

  constructor(steps: readonly ScenarioStep[], locale: Locale) {
    this.script = new ScriptedCaller(steps);
    this.alreadyPaid = catalogFor(locale).orderAlreadyPaid;
  }

  async gather(prompt: GatherPrompt): Promise<GatherReply> {
    if (prompt.heard.some((text) => text.includes(this.alreadyPaid))) return { kind: 'hangup' };
    return this.script.gather();
  }

  payBegin(): Promise<PayBeginReply> {
    return this.script.payBegin();
  }

  payField(prompt: PayFieldPrompt): Promise<PayFieldReply> {
    return this.script.payField(prompt);
  }

  hangUpDuringPayProcessing(): Promise<boolean> {
    return this.script.hangUpDuringPayProcessing();
  }
}

/** What a caller hears when the payment went through, for this call's confirmation code. */
export function confirmationText(locale: Locale, confirmationCode: string): string {
  return catalogFor(locale).paid(confirmationCode);
}
