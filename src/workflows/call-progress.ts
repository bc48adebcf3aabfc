/**
 * What operators see of a running call: the step log, the `state` query, typed search
 * attributes and the Web UI's current details, kept in step from one place.
 */
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import { setCurrentDetails, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { CallFailure, CallOutcome, CallState, CallStep, PayProgress } from '../contract/call.js';
import { PaycallAmount, PaycallFailureStep, PaycallOrderId, PaycallOutcome, PaycallStage, stagesInVisibility } from '../contract/search-attributes.js';
import { StepLog, type StepFacts, type StepFailure, type StepHandle } from './step-log.js';

/**
 * How a call writes its search attributes. `every-stage` (calls that began before the one
 * call deadline): an upsert on entering any stage and one for the order. `visible-stages`:
 * only the stages in `stagesInVisibility`, with the order's attributes carried in the next
 * one, so a paid call upserts twice (card capture with its order, done), besides the
 * SDK's own `TemporalChangeVersion` upsert for the patch.
 */
export type AttributeMode = 'every-stage' | 'visible-stages';

export class CallProgress {
  readonly state: CallState = { step: 'greeting', turn: 0, orderEntryAttempts: 0, captureAttempts: 0, hungUp: false, steps: [] };
  private readonly log = new StepLog(this.state.steps);
  private mode: AttributeMode = 'every-stage';
  /** The stage visibility holds (the web layer sets the first one when it starts the call). */
  private visibleStage: string | undefined;
  /** Attributes waiting for the next upsert (visible-stages mode), by name: a later order replaces an earlier one. */
  private readonly pending = new Map<string, SearchAttributeUpdatePair>();

  useVisibleStages(): void {
    this.mode = 'visible-stages';
    this.visibleStage = workflowInfo().typedSearchAttributes.get(PaycallStage);
  }

  /**
   * Opens the first or next attempt of a step in the log. Entering its stage is `enter`'s
   * job, called exactly where the workflow always upserted the stage: the number of
   * search-attribute upserts is part of the command sequence old histories replay.
   */
  begin(step: CallStep, facts: StepFacts = {}, attempt?: number): StepHandle {
    return this.log.begin(step, facts, attempt);
  }

  /** Enters a stage: the PaycallStage search attribute and the Web UI's details. */
  enter(step: CallStep): void {
    this.state.step = step;
    if (this.mode === 'every-stage') upsertSearchAttributes([{ key: PaycallStage, value: step }]);
    else if ((stagesInVisibility as readonly string[]).includes(step) && step !== this.visibleStage) this.upsert([{ key: PaycallStage, value: step }]);
    this.publishDetails();
  }

  orderFound(order: { orderId: string; amount: number; currency: string }): void {
    Object.assign(this.state, { orderId: order.orderId, amount: order.amount, currency: order.currency });
    const attributes: SearchAttributeUpdatePair[] = [
      { key: PaycallOrderId, value: order.orderId },
      { key: PaycallAmount, value: order.amount },
    ];
    if (this.mode === 'every-stage') upsertSearchAttributes(attributes);
    else for (const pair of attributes) this.pending.set(pair.key.name, pair);
    this.publishDetails();
  }

  /** Closes an entry as failed and shows the failure as the call's last error. */
  fail(entry: StepHandle, failure: StepFailure, facts: StepFacts = {}): CallFailure {
    entry.fail(failure, facts);
    const callFailure: CallFailure = { step: entry.record.step, code: failure.declineCode ?? failure.code, message: failure.message };
    this.state.lastError = callFailure;
    this.publishDetails();
    return callFailure;
  }

  recordPayProgress(progress: PayProgress): void {
    this.state.lastPayProgress = progress;
  }

  finish(outcome: CallOutcome): CallOutcome {
    this.state.outcome = outcome;
    this.state.step = 'done';
    const attributes: SearchAttributeUpdatePair[] = [
      { key: PaycallStage, value: 'done' },
      { key: PaycallOutcome, value: outcome.outcome },
      ...(outcome.failure ? [{ key: PaycallFailureStep, value: outcome.failure.step }] : []),
    ];
    if (this.mode === 'every-stage') upsertSearchAttributes(attributes);
    else this.upsert(attributes);
    this.publishDetails();
    return outcome;
  }

  /** One upsert carrying whatever was waiting (visible-stages mode). */
  private upsert(attributes: SearchAttributeUpdatePair[]): void {
    for (const pair of attributes) this.pending.set(pair.key.name, pair);
    upsertSearchAttributes([...this.pending.values()]);
    this.pending.clear();
    const stage = attributes.find((pair) => pair.key.name === PaycallStage.name);
    if (stage) this.visibleStage = String(stage.value);
  }

  private publishDetails(): void {
    const s = this.state;
    const lines = [`**Step:** ${s.step}`];
    if (s.orderId) lines.push(`**Order:** ${s.orderId} (${s.amount} ${s.currency?.toUpperCase()} minor units)`);
    lines.push(`**Order entries:** ${s.orderEntryAttempts} · **Card captures:** ${s.captureAttempts}`);
    if (s.paymentIntentId) lines.push(`**PaymentIntent:** ${s.paymentIntentId}`);
    if (s.lastError) lines.push(`**Last error:** ${s.lastError.step} · ${s.lastError.code} · ${s.lastError.message}`);
    if (s.outcome) lines.push(`**Outcome:** ${s.outcome.outcome}`);
    setCurrentDetails(lines.join('\n\n'));
  }
}
