/**
 * Writes the call's step log (src/contract/steps.ts): `begin` opens an entry for the next
 * attempt of a step, and its handle closes it as ok, failed or info. Times are workflow
 * time (`new Date()` is deterministic in workflow code). Entries are plain data kept in an
 * array the `state` query and the workflow result share.
 */
import type { StepActivity, StepRecord } from '../contract/steps.js';
import type { CallStep } from '../contract/vocabulary.js';

/** Facts an entry may gain while it runs or when it closes. */
export type StepFacts = Partial<Omit<StepRecord, 'step' | 'attempt' | 'status' | 'startedAt' | 'endedAt'>>;

export interface StepFailure {
  code: string;
  message: string;
  errorType?: string;
  declineCode?: string;
}

export class StepHandle {
  constructor(readonly record: StepRecord) {}

  /** Adds facts to a running entry (what the caller keyed, the activity it is about to run). */
  note(facts: StepFacts): this {
    Object.assign(this.record, defined(facts));
    return this;
  }

  ok(facts: StepFacts = {}): void {
    this.close('ok', facts);
  }

  /** Not a failure, not a success: the caller asked to hear the amount again, say. */
  info(code: string, facts: StepFacts = {}): void {
    this.close('info', { code, ...facts });
  }

  fail(failure: StepFailure, facts: StepFacts = {}): void {
    this.close('failed', { ...facts, ...failure });
  }

  running(activity: StepActivity, facts: StepFacts = {}): this {
    return this.note({ activity, ...facts });
  }

  private close(status: StepRecord['status'], facts: StepFacts): void {
    Object.assign(this.record, defined(facts), { status, endedAt: new Date().toISOString() });
  }
}

/** Leaves out facts that are not there, so entries carry no `undefined` keys. */
function defined(facts: StepFacts): StepFacts {
  return Object.fromEntries(Object.entries(facts).filter(([, value]) => value !== undefined)) as StepFacts;
}

export class StepLog {
  constructor(private readonly entries: StepRecord[]) {}

  /** Opens the next attempt of `step` (or the given attempt number, e.g. a charge's capture attempt). */
  begin(step: CallStep, facts: StepFacts = {}, attempt?: number): StepHandle {
    const record: StepRecord = {
      step,
      attempt: attempt ?? this.entries.filter((e) => e.step === step).length + 1,
      status: 'running',
      startedAt: new Date().toISOString(),
      ...defined(facts),
    };
    this.entries.push(record);
    return new StepHandle(record);
  }
}
