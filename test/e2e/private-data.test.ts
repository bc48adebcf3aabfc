/**
 * With SMS receipts on, the caller's number travels in the workflow input. With
 * PAYLOAD_ENCRYPTION_KEY set it is stored encrypted: the raw history on the Temporal server
 * never holds it in the clear, yet the call works and the receipt goes out.
 */
import { randomBytes } from 'node:crypto';
import { defaultPayloadConverter } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callWorkflowId, type CallInput } from '../../src/contract/call.js';
import { paycallSearchAttributes } from '../../src/contract/search-attributes.js';
import { EncryptionCodec } from '../../src/temporal/encryption-codec.js';
import { createLogger } from '../../src/logging/logger.js';
import { startTwilioStandIn, type TwilioStandIn } from '../../src/stand-ins/twilio-rest/server.js';
import { e2eAuthToken, startLocalStack, type LocalStack } from './local-stack.js';

const key = randomBytes(32);
const callerNumber = '+15005550009';
let stack: LocalStack;
let twilioStandIn: TwilioStandIn;

beforeAll(async () => {
  twilioStandIn = await startTwilioStandIn({ authToken: e2eAuthToken, logger: createLogger('twilio-stand-in', 'silent') });
  stack = await startLocalStack({
    PAYLOAD_ENCRYPTION_KEY: key.toString('base64'),
    PAYLOAD_ENCRYPTION_KEY_ID: 'test-key',
    TWILIO_ACCOUNT_SID: `AC${'2'.repeat(32)}`,
    TWILIO_SMS_FROM: '+15005550006',
    TWILIO_API_BASE: twilioStandIn.url,
  });
});
afterAll(async () => {
  await stack?.close();
  await twilioStandIn?.close();
});

describe('caller numbers and payload encryption', () => {
  it('a paid call sends the SMS receipt, and the raw history holds the number only encrypted', async () => {
    const record = await stack.call({ from: callerNumber, steps: [{ gather: '80020#' }, { gather: '1' }, { pay: { cardNumber: '4242424242424242', expiry: '1234', securityCode: '123' } }] });
    const outcome = await stack.outcome(record.callSid);
    expect(outcome.outcome).toBe('paid');

    const sms = twilioStandIn.messages.find((m) => m.to === callerNumber);
    expect(sms?.body).toContain(outcome.confirmationCode);

    const workflowId = callWorkflowId(record.callSid);
    const raw = await stack.client.workflowService.getWorkflowExecutionHistory({ namespace: stack.config.TEMPORAL_NAMESPACE, execution: { workflowId } });
    const bytes = Buffer.from(temporal.api.history.v1.History.encode(raw.history!).finish());
    expect(bytes.includes(Buffer.from(callerNumber))).toBe(false);
    expect(bytes.includes(Buffer.from('5005550009'))).toBe(false);

    // The number is there, encrypted: the codec recovers it from the start event's input.
    const started = raw.history!.events!.find((e) => e.workflowExecutionStartedEventAttributes)!;
    const [payload] = started.workflowExecutionStartedEventAttributes!.input!.payloads!;
    expect(new TextDecoder().decode(payload!.metadata!.encoding!)).toBe('binary/encrypted');
    const [decoded] = await new EncryptionCodec({ 'test-key': key }, 'test-key').decode([payload!]);
    expect(defaultPayloadConverter.fromPayload<CallInput>(decoded!)).toMatchObject({ callSid: record.callSid, receiptTo: callerNumber });

    // Search attributes are never encrypted: they must hold no phone number.
    const description = await stack.client.workflow.getHandle(workflowId).describe();
    for (const attribute of paycallSearchAttributes) {
      expect(String(description.typedSearchAttributes.get(attribute as never) ?? '')).not.toContain('5005550009');
    }
  });

  it('a wrong key cannot read the payloads', async () => {
    const record = await stack.call({ from: callerNumber, steps: [{ hangup: 'now' }] });
    await stack.outcome(record.callSid);
    const raw = await stack.client.workflowService.getWorkflowExecutionHistory({
      namespace: stack.config.TEMPORAL_NAMESPACE,
      execution: { workflowId: callWorkflowId(record.callSid) },
    });
    const started = raw.history!.events!.find((e) => e.workflowExecutionStartedEventAttributes)!;
    const [payload] = started.workflowExecutionStartedEventAttributes!.input!.payloads!;
    await expect(new EncryptionCodec({ 'test-key': randomBytes(32) }, 'test-key').decode([payload!])).rejects.toThrow();
  });
});
