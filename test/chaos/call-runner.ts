/**
 * Placing planned calls and collecting what became of them, for the chaos run and the
 * multi-process e2e test: the phone simulator's `placeCall` for each call (a racing pair's
 * two calls at once), `concurrency` at a time, through the webhook front; then each call's
 * workflow, waited for until it closes (or a grace period ends), with its result or the
 * step it is stuck in; and whether the caller heard the confirmation.
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { callWorkflowId, stateQuery, type CallOutcome, type CallState } from '../../src/contract/call.js';
import type { Locale } from '../../src/contract/instructions.js';
import { catalogFor } from '../../src/i18n/catalog.js';
import { createStripeTokenizer, heardText, placeCall, ScriptedCaller, type CallRecord } from '../../src/stand-ins/phone-simulator/index.js';
import { confirmationText, RacingCaller, type PlannedCall } from './call-plan.js';

export interface CallTarget {
  /** Where calls are placed (the webhook front; PUBLIC_BASE_URL of the webs). */
  url: string;
  authToken: string;
  /** The Stripe sandbox, for `<Pay>` tokenization (Twilio's side). */
  stripeUrl: string;
}

export interface CallResult {
  plan: PlannedCall;
  record: CallRecord;
  /** `completed`, `running` (still, after the grace period), `no-workflow`, or `workflow-<status>`. */
  workflow: string;
  outcome?: CallOutcome;
  /** Where a still-running call is (its `state` query). */
  step?: string;
}

/** Places every unit, `concurrency` at a time; `onCall` hears each finished call. */
export async function runCalls(
  target: CallTarget,
  units: readonly PlannedCall[][],
  concurrency: number,
  onCall?: (record: CallRecord, call: PlannedCall) => void,
): Promise<Map<number, CallRecord>> {
  const records = new Map<number, CallRecord>();
  const tokenize = createStripeTokenizer({ url: target.stripeUrl });
  let next = 0;
  const runner = async () => {
    for (let unit = units[next++]; unit; unit = units[next++]) {
      await Promise.all(
        unit.map(async (call) => {
          const record = await placeCall({
            url: target.url,
            authToken: target.authToken,
            tokenize,
            to: call.to,
            // paycall may hold a caller up to 30 times per input: far more documents than the simulator's default loop guard (100).
            maxRequests: 1000,
            caller: call.pair ? new RacingCaller(call.steps, call.locale) : new ScriptedCaller(call.steps),
          });
          const named = { ...record, scenario: call.kind };
          records.set(call.index, named);
          onCall?.(named, call);
        }),
      );
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, units.length) }, runner));
  return records;
}

/** Waits (up to `graceMs`) until every call's workflow has closed; reads each one's result, or where it is stuck. */
export async function settleCalls(client: Client, calls: readonly PlannedCall[], records: ReadonlyMap<number, CallRecord>, graceMs: number): Promise<CallResult[]> {
  const deadline = Date.now() + graceMs;
  const results: CallResult[] = calls.map((plan) => {
    const record = records.get(plan.index);
    if (!record) throw new Error(`call ${plan.index} (${plan.kind}) was never placed`);
    return { plan, record, workflow: 'running' };
  });
  for (;;) {
    await forEachLimited(
      results.filter((r) => r.workflow === 'running'),
      16,
      async (r) => {
        const handle = client.workflow.getHandle(callWorkflowId(r.record.callSid));
        try {
          const status = (await handle.describe()).status.name;
          if (status === 'COMPLETED') {
            r.outcome = await handle.result();
            r.workflow = 'completed';
          } else if (status !== 'RUNNING') r.workflow = `workflow-${status.toLowerCase()}`;
        } catch (err) {
          if (err instanceof WorkflowNotFoundError) r.workflow = 'no-workflow';
          else throw err;
        }
      },
    );
    if (!results.some((r) => r.workflow === 'running') || Date.now() > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  await forEachLimited(
    results.filter((r) => r.workflow === 'running'),
    8,
    async (r) => {
      try {
        const state: CallState = await client.workflow.getHandle(callWorkflowId(r.record.callSid)).query(stateQuery);
        r.step = `${state.step} (turn ${state.turn}${state.hungUp ? ', hung up' : ''})`;
      } catch (err) {
        r.step = `state query failed: ${(err as Error).message}`;
      }
    },
  );
  return results;
}

async function forEachLimited<T>(items: readonly T[], limit: number, run: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      for (let i = next++; i < items.length; i = next++) await run(items[i]!);
    }),
  );
}

/** The text of a confirmation up to its code: what every confirmation starts with. */
export function confirmationPrefix(locale: Locale): string {
  const text = catalogFor(locale).paid('999999');
  return text.slice(0, text.indexOf('9'));
}

/** The caller heard a payment confirmation (any code). */
export function heardAnyConfirmation(record: CallRecord, locale: Locale): boolean {
  const prefix = confirmationPrefix(locale);
  return heardText(record).some((t) => t.startsWith(prefix));
}

/** The caller heard the confirmation of the payment its workflow made. */
export function heardOwnConfirmation(r: CallResult): boolean {
  const code = r.outcome?.confirmationCode;
  return code !== undefined && heardText(r.record).includes(confirmationText(r.plan.locale, code));
}
