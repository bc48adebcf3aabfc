/**
 * Turn-taking between the call workflow and the web layer. The workflow emits a Turn (a
 * TwiML document's worth of instructions) and waits for the caller's answer; the
 * `callerEvent` Update delivers that answer and returns the next Turn once the workflow
 * has produced it. A duplicate or late event (an older turn number) changes nothing and
 * gets the current turn back.
 */
import { condition } from '@temporalio/workflow';
import type { CallerEvent, WithheldDigits } from '../contract/call.js';
import type { Instruction, Turn } from '../contract/instructions.js';

/** An answer to a turn, or why none came. */
export type Answer =
  | { kind: 'digits'; digits: string; withheld?: WithheldDigits }
  | { kind: 'pay-result'; event: Extract<CallerEvent, { kind: 'pay-result' }> }
  | { kind: 'dial-ended'; dialCallStatus: string; durationSeconds?: number; callStatus?: string }
  /** The caller hung up, or Twilio stopped calling back (the call is gone). */
  | { kind: 'hung-up'; reason: 'caller-hung-up' | 'no-response' };

/**
 * How long a turn may wait for Twilio's callback before the call is treated as gone
 * (Gather and Pay always call back within a minute or two while the caller is there).
 */
const answerTimeout = '10 minutes';

export class Conversation {
  private current: Turn = { turn: 0, instructions: [], final: false };
  private awaitingAnswer = false;
  private answer: CallerEvent | undefined;
  private deliveredTurn = 0;
  hungUp = false;

  get finished(): boolean {
    return this.current.final;
  }

  get turn(): number {
    return this.current.turn;
  }

  /**
   * Emits a turn and waits for the caller's answer to it (a `<Dial>` to an operator waits
   * as long as the operator's call may last: `timeout`).
   */
  async ask(instructions: Instruction[], timeout: string = answerTimeout): Promise<Answer> {
    this.emit(instructions, false);
    this.answer = undefined;
    this.awaitingAnswer = true;
    const answered = await condition(() => this.answer !== undefined || this.hungUp, timeout);
    this.awaitingAnswer = false;
    const event = this.takeAnswer();
    if (this.hungUp && !event) return { kind: 'hung-up', reason: 'caller-hung-up' };
    if (!answered || !event || event.kind === 'start') return { kind: 'hung-up', reason: 'no-response' };
    if (event.kind === 'digits') return { kind: 'digits', digits: event.digits, ...(event.withheld ? { withheld: event.withheld } : {}) };
    if (event.kind === 'dial-ended') {
      return { kind: 'dial-ended', dialCallStatus: event.dialCallStatus, ...(event.durationSeconds !== undefined ? { durationSeconds: event.durationSeconds } : {}), ...(event.callStatus ? { callStatus: event.callStatus } : {}) };
    }
    return { kind: 'pay-result', event };
  }

  /**
   * Emits the last turn (ending in hangup or transfer) and waits, briefly, until the web
   * layer has fetched it or the caller has gone, so the workflow does not close under a
   * pending webhook.
   */
  async finish(instructions: Instruction[]): Promise<void> {
    if (this.current.final) return;
    const last = this.emit(instructions, true);
    await condition(() => this.deliveredTurn >= last.turn || this.hungUp, '2 minutes');
  }

  /**
   * Update validator: refuses an answer of the wrong kind for the turn it names (digits for
   * a `<Pay>`, a pay result for a `<Gather>`), before anything is written to history.
   */
  validate(event: CallerEvent): void {
    if (event.kind === 'start' || event.turn !== this.current.turn) return;
    const last = this.current.instructions.at(-1)?.kind;
    const expected = last === 'pay' ? 'pay-result' : last === 'connect-operator' ? 'dial-ended' : 'digits';
    if (event.kind !== expected) throw new Error(`turn ${event.turn} expects ${expected}, got ${event.kind}`);
  }

  /** Update handler body: deliver the event (if it answers the current turn), return the next turn. */
  async handle(event: CallerEvent): Promise<Turn> {
    const answersTurn = event.kind === 'start' ? 0 : event.turn;
    if (event.kind !== 'start' && this.awaitingAnswer && answersTurn === this.current.turn && !this.answer) {
      this.answer = event;
    }
    await condition(() => this.current.final || (this.awaitingAnswer && !this.answer && this.current.turn > answersTurn));
    this.deliveredTurn = Math.max(this.deliveredTurn, this.current.turn);
    return this.current;
  }

  private takeAnswer(): CallerEvent | undefined {
    const event = this.answer;
    this.answer = undefined;
    return event;
  }

  private emit(instructions: Instruction[], final: boolean): Turn {
    this.current = { turn: this.current.turn + 1, instructions, final };
    return this.current;
  }
}
