/**
 * How the web layer talks to call workflows: every caller event is an Update that returns
 * the next Turn, under a short deadline so a webhook always answers Twilio in time.
 * The first event of a call is Update-With-Start; later ones only reach a running call.
 */
import {
  WithStartWorkflowOperation,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
  isGrpcServiceError,
  type Client,
  type Connection,
} from '@temporalio/client';
import { status as grpcStatus } from '@grpc/grpc-js';
import {
  callStatusSignal,
  callWorkflowId,
  callerEventUpdate,
  payProgressSignal,
  type CallInput,
  type CallStatusEvent,
  type CallerEvent,
  type PayProgress,
} from '../contract/call.js';
import type { Turn } from '../contract/instructions.js';
import { operatorCommandUpdate, paymentStatusSignal, type OperatorCommand, type OperatorCommandResult, type PaymentStatusEvent } from '../contract/operator.js';
import { PaycallStage } from '../contract/search-attributes.js';
import { callWorkflow } from '../workflows/call-workflow.js';
import { openingTurn } from '../workflows/instructions.js';

/**
 * `FAILED_PRECONDITION … workflow task …`: the Update raced a workflow task that failed or
 * closed the call (`unexpected workflow task failure`), or the call's workflow task keeps
 * failing, e.g. its workers were killed holding it (`… due to Workflow Task in failed state`).
 * Update-With-Start puts the reason in the message and a generic text in `details`.
 */
function isWorkflowTaskRace(err: unknown): boolean {
  const cause = (err as { cause?: unknown })?.cause;
  return [err, cause].some((e) => isGrpcServiceError(e) && e.code === grpcStatus.FAILED_PRECONDITION && /workflow task/i.test(`${e.details} ${e.message}`));
}

const workflowTaskRetryPauseMs = 200;
/** How long a report-only callback (call status, payment progress) keeps trying an unreachable Temporal. */
const signalBudgetMs = 12_000;
const signalRetryPauseMs = 500;

/** The workflow did not answer inside the deadline: put the caller on hold and come back. */
export class CallBusyError extends Error {
  constructor(cause: unknown) {
    super('The call workflow did not answer before the webhook deadline', { cause });
    this.name = 'CallBusyError';
  }
}

/** There is no running workflow for this call (never started, or already finished). */
export class CallNotRunningError extends Error {
  constructor(readonly callSid: string, cause?: unknown) {
    super(`No running call workflow for ${callSid}`, { cause });
    this.name = 'CallNotRunningError';
  }
}

/** The workflow refused the event (its validator, or a failed handler). */
export class CallEventRejectedError extends Error {
  constructor(message: string, cause?: unknown) {
    super(message, { cause });
    this.name = 'CallEventRejectedError';
  }
}

export interface CallGatewayOptions {
  taskQueue: string;
  /** How long one webhook may wait for the workflow (Twilio allows 15 s; keep it short). */
  deadlineMs: number;
  /** Told of every call that missed its deadline or found Temporal unavailable (paycall_update_deadline_misses_total). */
  onDeadlineMiss?: (operation: 'caller-event' | 'operator-command' | 'signal') => void;
}

export class CallGateway {
  constructor(
    private readonly client: Client,
    private readonly options: CallGatewayOptions,
  ) {}

  /** Delivers a caller event and returns the call's next turn. `updateId` makes redelivery harmless. */
  async deliver(input: CallInput, event: CallerEvent, updateId: string): Promise<Turn> {
    const deadline = Date.now() + this.options.deadlineMs;
    for (;;) {
      try {
        return await this.deliverOnce(input, event, updateId, deadline);
      } catch (err) {
        // An Update that raced the call's last workflow task can fail with that task; the same
        // Update id again is harmless: it gets the call's final turn, or finds the call ended.
        // The call is alive either way (an ended call is NOT_FOUND or already started), so when
        // time runs out the caller is held, and /twilio/continue tries again.
        if (isWorkflowTaskRace(err)) {
          if (Date.now() < deadline - workflowTaskRetryPauseMs - 100) {
            await new Promise((resolve) => setTimeout(resolve, workflowTaskRetryPauseMs));
            continue;
          }
          throw this.observed('caller-event', new CallBusyError(err));
        }
        throw this.observed('caller-event', this.translate(err, input.callSid));
      }
    }
  }

  /**
   * A new call: starts its workflow and answers with the opening turn without waiting for a
   * workflow task. The opening turn depends on nothing but the call's input, and the workflow
   * emits the same one (src/workflows/instructions.ts), so once the start is recorded the
   * answer is the workflow's own. When the call already exists (a repeated first webhook),
   * `deliver` with a start event asks the workflow itself; so does /twilio/continue after a
   * hold, when the start's outcome was unknown.
   */
  async startCall(input: CallInput, updateId: string): Promise<Turn> {
    const deadline = Date.now() + this.options.deadlineMs;
    try {
      await this.client.withDeadline(deadline, () => this.client.workflow.start(callWorkflow, { ...this.startOptions(input), workflowIdConflictPolicy: 'FAIL' }));
      return openingTurn(input.locale);
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) return this.deliver(input, { kind: 'start' }, updateId);
      throw this.observed('caller-event', this.translate(err, input.callSid));
    }
  }

  private startOptions(input: CallInput) {
    return {
      workflowId: callWorkflowId(input.callSid),
      taskQueue: this.options.taskQueue,
      args: [input] as [CallInput],
      // A call id runs once: replaying an ended call's first webhook (its idempotency token is not signed) starts nothing.
      workflowIdReusePolicy: 'REJECT_DUPLICATE' as const,
      // A workflow task held by a worker that died is given to another after this (the default is 10 s).
      workflowTaskTimeout: '4 seconds',
      // The first stage, so the call does not upsert it (src/workflows/call-progress.ts).
      typedSearchAttributes: [{ key: PaycallStage, value: 'order-entry' }],
    };
  }

  private deliverOnce(input: CallInput, event: CallerEvent, updateId: string, deadline: number): Promise<Turn> {
    const workflowId = callWorkflowId(input.callSid);
    return this.client.withDeadline(deadline, () => {
      if (event.kind === 'start') {
        const startWorkflowOperation = new WithStartWorkflowOperation(callWorkflow, { ...this.startOptions(input), workflowIdConflictPolicy: 'USE_EXISTING' });
        return this.client.workflow.executeUpdateWithStart(callerEventUpdate, { args: [event], updateId, startWorkflowOperation });
      }
      return this.client.workflow.getHandle(workflowId).executeUpdate(callerEventUpdate, { args: [event], updateId });
    });
  }

  async reportCallStatus(callSid: string, status: CallStatusEvent): Promise<void> {
    await this.signal(callSid, () => this.client.workflow.getHandle(callWorkflowId(callSid)).signal(callStatusSignal, status));
  }

  async reportPaymentStatus(callSid: string, status: PaymentStatusEvent): Promise<void> {
    await this.signal(callSid, () => this.client.workflow.getHandle(callWorkflowId(callSid)).signal(paymentStatusSignal, status));
  }

  /** An operator's command to a call on the line: the workflow's validator refuses what it cannot do now. */
  async sendOperatorCommand(callSid: string, command: OperatorCommand): Promise<OperatorCommandResult> {
    try {
      return await this.client.withDeadline(Date.now() + this.options.deadlineMs, () =>
        this.client.workflow.getHandle(callWorkflowId(callSid)).executeUpdate(operatorCommandUpdate, { args: [command] }),
      );
    } catch (err) {
      throw this.observed('operator-command', this.translate(err, callSid));
    }
  }

  async reportPayProgress(callSid: string, progress: PayProgress): Promise<void> {
    await this.signal(callSid, () => this.client.workflow.getHandle(callWorkflowId(callSid)).signal(payProgressSignal, progress));
  }

  /** True when the Temporal frontend answers a health check. */
  async isTemporalReachable(): Promise<boolean> {
    try {
      await this.client.withDeadline(Date.now() + 2000, () => (this.client.connection as Connection).healthService.check({}));
      return true;
    } catch {
      return false;
    }
  }

  /**
   * A callback that only reports (a hang-up, `<Pay>` or Payments progress) has no caller to
   * hold, and Twilio does not retry it: while Temporal is unreachable (restarting, a
   * failover) it is re-sent for up to `signalBudgetMs`, inside Twilio's 15 s webhook timeout.
   * A hang-up lost here would leave the call waiting for its deadline. Re-sending is safe:
   * the workflow applies each report idempotently.
   */
  private async signal(callSid: string, send: () => Promise<void>): Promise<void> {
    const giveUpAt = Date.now() + signalBudgetMs;
    for (;;) {
      try {
        await this.client.withDeadline(Math.min(Date.now() + this.options.deadlineMs, giveUpAt), send);
        return;
      } catch (err) {
        const failure = this.translate(err, callSid);
        if (failure instanceof CallBusyError && Date.now() + signalRetryPauseMs < giveUpAt) {
          await new Promise((resolve) => setTimeout(resolve, signalRetryPauseMs));
          continue;
        }
        throw this.observed('signal', failure);
      }
    }
  }

  private observed(operation: 'caller-event' | 'operator-command' | 'signal', failure: Error): Error {
    if (failure instanceof CallBusyError) this.options.onDeadlineMiss?.(operation);
    return failure;
  }

  private translate(err: unknown, callSid: string): Error {
    if (err instanceof WorkflowUpdateRPCTimeoutOrCancelledError) return new CallBusyError(err);
    if (err instanceof WorkflowNotFoundError || err instanceof WorkflowExecutionAlreadyStartedError) return new CallNotRunningError(callSid, err);
    if (err instanceof WorkflowUpdateFailedError) return new CallEventRejectedError(err.cause?.message ?? err.message, err);
    if (isGrpcServiceError(err)) {
      if (err.code === grpcStatus.DEADLINE_EXCEEDED || err.code === grpcStatus.CANCELLED || err.code === grpcStatus.UNAVAILABLE) {
        return new CallBusyError(err);
      }
      if (err.code === grpcStatus.NOT_FOUND || err.code === grpcStatus.FAILED_PRECONDITION) return new CallNotRunningError(callSid, err);
    }
    // The client wraps some gRPC errors (ServiceError with the status as its cause).
    const cause = (err as { cause?: unknown })?.cause;
    if (isGrpcServiceError(cause)) {
      if (cause.code === grpcStatus.DEADLINE_EXCEEDED || cause.code === grpcStatus.UNAVAILABLE) return new CallBusyError(err);
      if (cause.code === grpcStatus.NOT_FOUND || cause.code === grpcStatus.FAILED_PRECONDITION) return new CallNotRunningError(callSid, err);
    }
    return err instanceof Error ? err : new Error(String(err));
  }
}
