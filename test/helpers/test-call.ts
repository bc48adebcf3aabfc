/** Drives one call workflow the way the web layer does, for workflow-level tests. */
import type { Client } from '@temporalio/client';
import { CallGateway } from '../../src/calls/call-gateway.js';
import { callWorkflowId, stateQuery, type CallInput, type CallOutcome, type CallState, type PayResult } from '../../src/contract/call.js';
import type { Instruction, Turn } from '../../src/contract/instructions.js';
import { operatorCommandUpdate, paymentStatusSignal, type OperatorCommand, type OperatorCommandResult, type PaymentStatusEvent } from '../../src/contract/operator.js';

let updateCounter = 0;

export class TestCall {
  private readonly gateway: CallGateway;
  current: Turn | undefined;
  /** Every turn the caller received, in order. */
  readonly turns: Turn[] = [];

  constructor(
    private readonly client: Client,
    taskQueue: string,
    readonly input: CallInput,
  ) {
    this.gateway = new CallGateway(client, { taskQueue, deadlineMs: 30_000 });
  }

  async start(): Promise<Turn> {
    return this.record(await this.gateway.deliver(this.input, { kind: 'start' }, this.nextUpdateId()));
  }

  async press(digits: string): Promise<Turn> {
    return this.record(await this.gateway.deliver(this.input, { kind: 'digits', turn: this.turnNumber(), digits }, this.nextUpdateId()));
  }

  async pay(pay: PayResult): Promise<Turn> {
    return this.record(await this.gateway.deliver(this.input, { kind: 'pay-result', turn: this.turnNumber(), pay }, this.nextUpdateId()));
  }

  /** Twilio requests the `<Dial>` action: the operator's leg ended. */
  async dialEnded(dialCallStatus = 'completed'): Promise<Turn> {
    return this.record(await this.gateway.deliver(this.input, { kind: 'dial-ended', turn: this.turnNumber(), dialCallStatus }, this.nextUpdateId()));
  }

  /** What the operator console sends (the Update the API issues). */
  operator(command: OperatorCommand): Promise<OperatorCommandResult> {
    return this.client.workflow.getHandle(callWorkflowId(this.input.callSid)).executeUpdate(operatorCommandUpdate, { args: [command] });
  }

  /** A Payments status callback from Twilio, as the web layer signals it. */
  paymentStatus(event: PaymentStatusEvent): Promise<void> {
    return this.client.workflow.getHandle(callWorkflowId(this.input.callSid)).signal(paymentStatusSignal, event);
  }

  async hangUp(): Promise<void> {
    await this.gateway.reportCallStatus(this.input.callSid, { callStatus: 'completed', callDuration: 30 });
  }

  outcome(): Promise<CallOutcome> {
    return this.client.workflow.getHandle(callWorkflowId(this.input.callSid)).result();
  }

  state(): Promise<CallState> {
    return this.client.workflow.getHandle(callWorkflowId(this.input.callSid)).query(stateQuery);
  }

  /** Everything said so far, as one string per turn. */
  heard(): string[] {
    return this.turns.map((turn) => turn.instructions.map(spoken).filter(Boolean).join(' '));
  }

  lastInstruction(): Instruction | undefined {
    return this.current?.instructions.at(-1);
  }

  private record(turn: Turn): Turn {
    this.current = turn;
    this.turns.push(turn);
    return turn;
  }

  private turnNumber(): number {
    if (!this.current) throw new Error('call not started');
    return this.current.turn;
  }

  private nextUpdateId(): string {
    return `test-update-${++updateCounter}-${this.input.callSid}`;
  }
}

function spoken(instruction: Instruction): string {
  if (instruction.kind === 'say') return instruction.text;
  if (instruction.kind === 'gather') return instruction.prompt;
  if (instruction.kind === 'pay') return '<pay>';
  if (instruction.kind === 'transfer') return `<transfer ${instruction.to}>`;
  if (instruction.kind === 'hangup') return '<hangup>';
  return '';
}
