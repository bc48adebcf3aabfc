/**
 * Calls connected to an operator right now, and the commands an operator gives them
 * (agent-assisted payments). Reads come from visibility (`PaycallStage = with-operator`,
 * running) and each call's `state` query; commands are the workflow's `operatorCommand`
 * Update, which refuses what the call cannot do now. Only masked card facts pass.
 */
import type { Client } from '@temporalio/client';
import { CallBusyError, CallEventRejectedError, CallNotRunningError, type CallGateway } from '../calls/call-gateway.js';
import { callWorkflowId, callWorkflowType, stateQuery, type CallState } from '../contract/call.js';
import type { OperatorCommand, OperatorCommandResult } from '../contract/operator.js';
import { PaycallStage } from '../contract/search-attributes.js';
import { formatMoney } from '../money/format.js';
import { OperatorError } from './errors.js';
import type { TemporalReader } from './read/temporal-reader.js';

export interface LiveCallView {
  callSid: string;
  workflowId: string;
  startedAt: string;
  orderId?: string;
  amountText?: string;
  /** The step log and the operator line, from the `state` query; null when no worker answered. */
  state: CallState | null;
}

export class LiveCalls {
  constructor(
    private readonly client: Client,
    private readonly reader: TemporalReader,
    private readonly gateway: CallGateway,
  ) {}

  /** Running calls on an operator's line, newest first. */
  async list(): Promise<LiveCallView[]> {
    const page = await this.reader.page(`WorkflowType = '${callWorkflowType}' AND ExecutionStatus = 'Running' AND ${PaycallStage.name} = 'with-operator'`, 50);
    return Promise.all(page.infos.map(async (info) => this.view(info.workflowId, info.startTime)));
  }

  async one(callSid: string): Promise<LiveCallView> {
    const info = await this.reader.describeOrUndefined(callWorkflowId(callSid));
    if (!info) throw new OperatorError('not-found', `No call ${callSid}`);
    return this.view(info.workflowId, info.startTime);
  }

  async command(callSid: string, command: OperatorCommand): Promise<OperatorCommandResult> {
    try {
      return await this.gateway.sendOperatorCommand(callSid, command);
    } catch (err) {
      if (err instanceof CallEventRejectedError) throw new OperatorError('not-now', `The call cannot do that now: ${err.message}`);
      if (err instanceof CallNotRunningError) throw new OperatorError('call-ended', 'The call has ended.');
      if (err instanceof CallBusyError) throw new OperatorError('temporal-unavailable', 'The call did not answer in time; try again in a moment.');
      throw err;
    }
  }

  private async view(workflowId: string, startTime: Date): Promise<LiveCallView> {
    let state: CallState | null = null;
    try {
      state = await this.client.withDeadline(Date.now() + 1500, () => this.client.workflow.getHandle(workflowId).query(stateQuery));
    } catch {
      // no worker answered: shown as unknown
    }
    return {
      callSid: workflowId.replace(/^call-/, ''),
      workflowId,
      startedAt: startTime.toISOString(),
      ...(state?.orderId ? { orderId: state.orderId } : {}),
      ...(state?.amount !== undefined ? { amountText: formatMoney(state.amount, state.currency) } : {}),
      state,
    };
  }
}
