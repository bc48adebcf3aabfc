/**
 * Turn-taking between the call workflow and the web layer. The workflow emits a Turn (a
 * TwiML document's worth of instructions) and waits for the caller's answer; the
 * `callerEvent` Update delivers that answer and returns the next Turn once the workflow
 * has produced it. A duplicate or late event (an older turn number) changes nothing and
 * gets the current turn back.
 */
import { CancellationScope, condition, sleep } from '@temporalio/workflow';
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
 * Calls that began before the one call deadline keep a timer per turn.
 */
const answerTimeout = '10 minutes';

/**
 * The one deadline of a call's self-service turns: Twilio calls back on every `<Gather>` and
 * `<Pay>` while the caller is there, and reports a hang-up, so a timer per turn only ever
 * fires when Twilio's callbacks are lost. One timer for the call covers that case at the cost
 * of one history event, where a timer per turn cost two (started and cancelled) each.
 */
export const callDeadline = '30 minutes';

export class Conversation {
  private current: Turn = { turn: 0, instructions: [], final: false };
  private awaitingAnswer = false;
  private answer: CallerEvent | undefined;
  private deliveredTurn = 0;
  /** Set when the call deadline has passed (only for calls that have one). */
  private deadlinePassed = false;
  private hasDeadline = false;
  hungUp = false;

  /**
   * Starts the call's one deadline: from then on a turn waits without a timer of its own
   * (unless it is given one, like a `<Dial>` to an operator).
   */
  startDeadline(): void {
    this.hasDeadline = true;
    // Outside any cancellation scope a turn might cancel; a call that ends leaves it pending (no event).
    void CancellationScope.nonCancellable(() => sleep(callDeadline)).then(() => {
      this.deadlinePassed = true;
    });
  }

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
  async ask(instructions: Instruction[], timeout?: string): Promise<Answer> {
    this.emit(instructions, false);
    this.answer = undefined;
    this.awaitingAnswer = true;
    const answered = await this.waitForAnswer(timeout);
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
    if (event.kind === 'start') return;
    // The opening turn (a <Gather>) can be answered before the workflow has emitted it: the web layer answered the incoming call with it.
    if (this.current.turn === 0 && event.turn === 1 && event.kind !== 'digits') throw new Error(`turn 1 expects digits, got ${event.kind}`);
    if (event.turn !== this.current.turn) return;
    const last = this.current.instructions.at(-1)?.kind;
    const expected = last === 'pay' ? 'pay-result' : last === 'connect-operator' ? 'dial-ended' : 'digits';
    if (event.kind !== expected) throw new Error(`turn ${event.turn} expects ${expected}, got ${event.kind}`);
  }

  /** Update handler body: deliver the event (if it answers the current turn), return the next turn. */
  async handle(event: CallerEvent): Promise<Turn> {
    const answersTurn = event.kind === 'start' ? 0 : event.turn;
    // An answer to the opening turn may be handled before the workflow has emitted it (lean calls: the web layer answered the call).
    if (answersTurn === 1 && this.current.turn === 0) await condition(() => this.current.turn >= 1 || this.current.final);
    if (event.kind !== 'start' && this.awaitingAnswer && answersTurn === this.current.turn && !this.answer) {
      this.answer = event;
    }
    await condition(() => this.current.final || (this.awaitingAnswer && !this.answer && this.current.turn > answersTurn));
    this.deliveredTurn = Math.max(this.deliveredTurn, this.current.turn);
    return this.current;
  }

  /** True when an answer came (or the caller hung up), false when the turn's time ran out. */
  private async waitForAnswer(timeout: string | undefined): Promise<boolean> {
    const answeredOrGone = () => this.answer !== undefined || this.hungUp;
    if (timeout !== undefined || !this.hasDeadline) return condition(answeredOrGone, timeout ?? answerTimeout);
    await condition(() => answeredOrGone() || this.deadlinePassed);
    return answeredOrGone();
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
