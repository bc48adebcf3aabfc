/**
 * The gateway under a call whose workflow task keeps dying with its workers (found by the
 * chaos run): after two workflow-task timeouts the server refuses Updates with
 * FAILED_PRECONDITION "… Workflow Task in failed state". The call is alive, so the caller
 * must be held (CallBusyError, then /twilio/continue retries), never told goodbye as if the
 * call had ended (CallNotRunningError). A "doomed worker" here takes the call's workflow
 * tasks straight from the task queue and never answers them, as a SIGKILLed worker does.
 */
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { CallBusyError, CallGateway, CallNotRunningError } from '../../src/calls/call-gateway.js';
import { callerEventUpdate, type CallInput } from '../../src/contract/call.js';
import { connectTestTemporal, uniqueCallSid, uniqueTaskQueue, type TestTemporal } from '../helpers/temporal.js';

describe('CallGateway while the call’s workflow task keeps failing', () => {
  let temporal: TestTemporal;
  beforeAll(async () => {
    temporal = await connectTestTemporal();
  });
  afterAll(async () => {
    await temporal?.close();
  });

  it('holds the caller (CallBusyError) instead of ending the call', async () => {
    const taskQueue = uniqueTaskQueue('doomed');
    const gateway = new CallGateway(temporal.client, { taskQueue, deadlineMs: 2000 });
    const input: CallInput = { callSid: uniqueCallSid(), locale: 'en-US' };
    const { connection, namespace } = temporal;

    // Takes workflow tasks and drops them; each one times out after 10 s (the default).
    let taken = 0;
    let polling = true;
    const doomedWorker = (async () => {
      while (polling && taken < 3) {
        const task = await connection
          .withDeadline(Date.now() + 15_000, () => connection.workflowService.pollWorkflowTaskQueue({ namespace, taskQueue: { name: taskQueue }, identity: 'doomed-worker' }))
          .catch(() => undefined);
        if (task?.taskToken?.length) taken++;
      }
    })();

    const outcomes: string[] = [];
    let refusedSince: number | undefined;
    try {
      // As Twilio and the hold loop do: the same first webhook, again and again, until the
      // call's third workflow task has been taken and dropped, and a while after.
      const until = Date.now() + 60_000;
      while (Date.now() < until && !(refusedSince && Date.now() - refusedSince > 6000)) {
        if (taken >= 3) refusedSince ??= Date.now();
        try {
          await gateway.deliver(input, { kind: 'start' }, 'voice:doomed-token');
          outcomes.push('answered');
        } catch (err) {
          if (err instanceof CallNotRunningError) outcomes.push('told-call-ended');
          else if (err instanceof CallBusyError) outcomes.push('held');
          else throw err;
        }
      }
    } finally {
      polling = false;
      await doomedWorker;
    }
    const handle = temporal.client.workflow.getHandle(`call-${input.callSid}`);
    onTestFinished(() => handle.terminate('test over').then(() => undefined, () => undefined));
    expect(taken).toBeGreaterThanOrEqual(3);

    // The server was indeed refusing Updates for the failing workflow task ...
    const refusal = await temporal.client
      .withDeadline(Date.now() + 3000, () => handle.executeUpdate(callerEventUpdate, { args: [{ kind: 'start' }], updateId: 'voice:doomed-token' }))
      .then(
        () => 'answered',
        (err: unknown) => String((err as { cause?: Error }).cause?.message ?? err),
      );
    expect(refusal).toMatch(/FAILED_PRECONDITION.*workflow task in failed state/i);
    // ... and the gateway held the caller throughout, never ending the call.
    expect(outcomes).not.toContain('told-call-ended');
    expect(outcomes).toContain('held');
    // The workflow is alive throughout.
    expect((await handle.describe()).status.name).toBe('RUNNING');
  }, 90_000);
});
