/**
 * A simulated caller the test paces: it answers from scenario steps like the phone
 * simulator's ScriptedCaller, but each time the operator asks for a card field it holds the
 * answer until the test says "key it now". The test can then look at the console while a
 * field is being asked for, then let the caller key the next entry.
 */
import { ScriptedCaller, type AgentCapturePrompt, type Caller, type PayFieldReply, type ScenarioStep } from '../../../src/stand-ins/phone-simulator/index.js';

export interface HeldAsk {
  field: AgentCapturePrompt['field'];
  attempt: number;
  /** The caller keys the script's next entry for this field. */
  key(): void;
}

export class PacedCaller implements Caller {
  private readonly script: ScriptedCaller;
  private readonly held: HeldAsk[] = [];
  private readonly waiters: ((ask: HeldAsk) => void)[] = [];
  private holding = true;

  constructor(steps: readonly ScenarioStep[]) {
    this.script = new ScriptedCaller(steps);
  }

  gather: Caller['gather'] = () => this.script.gather();
  payBegin: Caller['payBegin'] = () => this.script.payBegin();
  payField: Caller['payField'] = (prompt) => this.script.payField(prompt);
  hangUpDuringPayProcessing: Caller['hangUpDuringPayProcessing'] = () => this.script.hangUpDuringPayProcessing();
  dialConnected: NonNullable<Caller['dialConnected']> = () => this.script.dialConnected();

  async agentCapture(prompt: AgentCapturePrompt): Promise<PayFieldReply> {
    if (this.holding)
      await new Promise<void>((release) => {
        const ask: HeldAsk = { field: prompt.field, attempt: prompt.attempt, key: release };
        const waiter = this.waiters.shift();
        if (waiter) waiter(ask);
        else this.held.push(ask);
      });
    return this.script.agentCapture(prompt);
  }

  /** From now on the caller keys each entry as soon as asked (held asks are keyed now). */
  letGo(): void {
    this.holding = false;
    for (const ask of this.held.splice(0)) ask.key();
  }

  /** The next field the operator asks for (already asked, or the next one), held until `key()`. */
  nextAsk(timeoutMs = 30_000): Promise<HeldAsk> {
    const ask = this.held.shift();
    if (ask) return Promise.resolve(ask);
    return new Promise<HeldAsk>((resolve, reject) => {
      const waiter = (next: HeldAsk): void => {
        clearTimeout(timer);
        resolve(next);
      };
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        reject(new Error('the operator asked for no card field in time'));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }
}
