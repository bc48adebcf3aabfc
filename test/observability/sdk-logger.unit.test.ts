/**
 * The SDK-to-pino adapter's field mapping: ids named as paycall names them, errors as pino's
 * `err`, and card-like numbers, phone numbers and tokens taken out of every field, nested or
 * not. Levels follow the pino logger's.
 */
import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logging/logger.js';
import { PinoSdkLogger, sdkLogFields } from '../../src/observability/sdk-logger.js';

describe('sdkLogFields', () => {
  it('names the run id runId, derives callSid from a call workflow id, and scrubs nested values', () => {
    const fields = sdkLogFields({
      workflowId: 'call-CA0123456789abcdef0123456789abcdef',
      workflowRunId: 'run-1',
      taskToken: 'Cg…',
      details: { receiptTo: '+15005550006', digits: ['4111111111111111'], raw: new Uint8Array(4), authToken: 'x' },
    });
    expect(fields).toEqual({
      workflowId: 'call-CA0123456789abcdef0123456789abcdef',
      runId: 'run-1',
      callSid: 'CA0123456789abcdef0123456789abcdef',
      taskToken: '[redacted]',
      details: { receiptTo: '+•••••••0006', digits: ['[number removed]'], raw: '[4 bytes]', authToken: '[redacted]' },
    });
    expect(sdkLogFields({ workflowId: 'refund-pi_123-full' })).not.toHaveProperty('callSid');
  });

  it("turns an error into pino's err with its failure type, scrubbed", () => {
    const failure = ApplicationFailure.create({ type: 'CardDeclined', nonRetryable: true, message: 'card 4242424242424242 declined' });
    const { err } = sdkLogFields({ error: failure }) as { err: Record<string, unknown> };
    expect(err).toMatchObject({ type: 'ApplicationFailure', message: 'card [number removed] declined', failureType: 'CardDeclined', nonRetryable: true });
    expect(String(err.stack)).not.toContain('4242424242424242');
  });
});

describe('PinoSdkLogger', () => {
  it('writes JSON at the SDK level mapped to pino, dropping what the level filters', () => {
    const lines: string[] = [];
    const logger = new PinoSdkLogger(createLogger('sdk', 'info', { write: (line: string) => void lines.push(line) }));
    logger.debug('hidden');
    logger.warn('Activity failed for +15005550006', { sdkComponent: 'worker' });
    logger.log('ERROR', 'boom');
    expect(lines.map((line) => JSON.parse(line))).toMatchObject([
      { level: 40, msg: 'Activity failed for +•••••••0006', sdkComponent: 'worker' },
      { level: 50, msg: 'boom' },
    ]);
  });
});
