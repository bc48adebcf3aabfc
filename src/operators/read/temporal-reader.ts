/**
 * The operator tools' reads from Temporal: visibility pages, describe, a closed workflow's
 * result. Temporal being down is one clear OperatorError (503), never a stack trace.
 */
import { WorkflowFailedError, WorkflowNotFoundError, isGrpcServiceError, type Client, type WorkflowExecutionDescription, type WorkflowExecutionInfo } from '@temporalio/client';
import { executionInfoFromRaw } from '@temporalio/client/lib/helpers.js';
import { status as grpcStatus } from '@grpc/grpc-js';
import { OperatorError } from '../errors.js';

/** What list and describe both give (describe adds pending activities in `raw`). */
export type ExecutionInfo = Omit<WorkflowExecutionInfo, 'raw'> & { raw?: unknown };

/** A closed workflow's result, or why it has none. */
export type WorkflowResult<T> = { kind: 'result'; value: T } | { kind: 'failed'; message: string } | { kind: 'running' } | { kind: 'unreadable' };

export class TemporalReader {
  constructor(
    readonly client: Client,
    readonly namespace: string,
  ) {}

  async page(query: string, pageSize: number, pageToken?: Uint8Array): Promise<{ infos: ExecutionInfo[]; nextPageToken?: Uint8Array }> {
    const response = await this.guard(() =>
      this.client.workflowService.listWorkflowExecutions({ namespace: this.namespace, query, pageSize, ...(pageToken ? { nextPageToken: pageToken } : {}) }),
    );
    const infos = await Promise.all((response.executions ?? []).map((raw) => this.decodeInfo(raw)));
    const next = response.nextPageToken && response.nextPageToken.length > 0 ? response.nextPageToken : undefined;
    return { infos, ...(next ? { nextPageToken: next } : {}) };
  }

  async all(query: string): Promise<ExecutionInfo[]> {
    const infos: ExecutionInfo[] = [];
    let token: Uint8Array | undefined;
    do {
      const page = await this.page(query, 200, token);
      infos.push(...page.infos);
      token = page.nextPageToken;
    } while (token);
    return infos;
  }

  async describeOrUndefined(workflowId: string, runId?: string): Promise<WorkflowExecutionDescription | undefined> {
    try {
      return await this.guard(() => this.client.workflow.getHandle(workflowId, runId).describe());
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return undefined;
      throw err;
    }
  }

  /** Reads only the close event (cheap), through the client's codecs. */
  async resultOf<T>(info: ExecutionInfo): Promise<WorkflowResult<T>> {
    if (info.status.name === 'RUNNING') return { kind: 'running' };
    try {
      return { kind: 'result', value: (await this.guard(() => this.client.workflow.getHandle(info.workflowId, info.runId).result())) as T };
    } catch (err) {
      if (err instanceof WorkflowFailedError) return { kind: 'failed', message: err.cause?.message ?? err.message };
      if (err instanceof OperatorError) throw err;
      return { kind: 'unreadable' };
    }
  }

  async guard<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      const cause = (err as { cause?: unknown })?.cause;
      const code = isGrpcServiceError(err) ? err.code : isGrpcServiceError(cause) ? cause.code : undefined;
      if (code === grpcStatus.UNAVAILABLE || code === grpcStatus.DEADLINE_EXCEEDED) {
        throw new OperatorError('temporal-unavailable', 'Temporal is not reachable right now; try again in a moment.');
      }
      throw err;
    }
  }

  private decodeInfo(raw: Parameters<typeof executionInfoFromRaw>[0]): Promise<WorkflowExecutionInfo> {
    return executionInfoFromRaw(raw, this.client.workflow.options.loadedDataConverter, raw, this.namespace);
  }
}
