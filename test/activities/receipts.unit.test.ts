/** The SMS receipt through the real `twilio` client, against a local Messages endpoint. */
import twilio from 'twilio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReceiptActivities } from '../../src/activities/receipts.js';
import { startMessagesStandIn, type MessagesStandIn } from '../helpers/twilio-messages-stand-in.js';

const accountSid = `AC${'1'.repeat(32)}`;
let messages: MessagesStandIn;

beforeAll(async () => {
  messages = await startMessagesStandIn();
});
afterAll(() => messages.close());

describe('sendReceipt', () => {
  it('texts the confirmation code via Twilio Messages', async () => {
    const client = twilio(accountSid, 'secret-token');
    client.api.baseUrl = messages.baseUrl;
    const { sendReceipt } = createReceiptActivities({ twilio: client, from: '+15005550006' });
    const result = await sendReceipt({ callSid: 'CA1', to: '+15005550009', orderId: '73021', amount: 1999, currency: 'usd', confirmationCode: '481523', locale: 'en-US' });
    expect(result).toEqual({ sent: true, messageSid: `SM${'1'.padStart(32, '0')}` });
    const request = messages.received.at(-1)!;
    expect(request.url).toBe(`/2010-04-01/Accounts/${accountSid}/Messages.json`);
    expect(request.authorization).toBe(`Basic ${Buffer.from(`${accountSid}:secret-token`).toString('base64')}`);
    expect(request.params.get('To')).toBe('+15005550009');
    expect(request.params.get('From')).toBe('+15005550006');
    expect(request.params.get('Body')).toBe('paycall: payment of 19.99 USD for order 73021 received. Confirmation code 481523.');
  });

  it('is skipped, saying why, when SMS is not configured', async () => {
    const { sendReceipt } = createReceiptActivities({});
    const result = await sendReceipt({ callSid: 'CA1', to: '+15005550009', orderId: '1', amount: 100, currency: 'jpy', confirmationCode: '1', locale: 'ja-JP' });
    expect(result.sent).toBe(false);
    expect(result.skippedBecause).toMatch(/TWILIO_SMS_FROM/);
  });
});
