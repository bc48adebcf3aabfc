/**
 * Turn-taking between the call workflow and the web layer. The workflow emits a Turn (a
 * TwiML document's worth of instructions) and waits for the caller's answer; the
 * `callerEvent` Update delivers that answer and returns the next Turn once the workflow
 * has produced it. A duplicate or late event (an older turn number) changes nothing and
 * gets the current turn back.
 */
import { condition } from '@temporalio/workflow';
import type { CallerEvent } from '../contract/call.js';
import type { Instruction, Turn } from '../contract/instructions.js';

/** An answer to a turn, or why none came. */
export type Answer =
  | { kind: 'digits'; digits: string }
  | { kind: 'pay-result'; event: Extract<CallerEvent, { kind: 'pay-result' }> }
  | { kind: 'hung-up' }
  | { kind: 'silence' };

/** How long a turn may wait for Twilio's callback before the call is treated as gone. */
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

  /** Emits a turn and waits for the caller's answer to it. */
  async ask(instructions: Instruction[]): Promise<Answer> {
    this.emit(instructions, false);
    this.answer = undefined;
    this.awaitingAnswer = true;
    const answered = await condition(() => this.answer !== undefined || this.hungUp, answerTimeout);
    this.awaitingAnswer = false;
    const event = this.takeAnswer();
    if (this.hungUp && !event) return { kind: 'hung-up' };
    if (!answered || !event) return { kind: 'silence' };
    if (event.kind === 'digits') return { kind: 'digits', digits: event.digits };
    if (event.kind === 'pay-result') return { kind: 'pay-result', event };
    return { kind: 'silence' };
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
