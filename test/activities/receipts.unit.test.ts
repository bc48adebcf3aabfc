/** The SMS receipt through the real `twilio` client, against the Twilio REST stand-in's Messages endpoint. */
import twilio from 'twilio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReceiptActivities } from '../../src/activities/receipts.js';
import { createLogger } from '../../src/logging/logger.js';
import { startTwilioStandIn, type TwilioStandIn } from '../../src/stand-ins/twilio-rest/server.js';

const accountSid = `AC${'1'.repeat(32)}`;
let standIn: TwilioStandIn;

beforeAll(async () => {
  standIn = await startTwilioStandIn({ authToken: 'secret-token', accountSid, logger: createLogger('twilio-stand-in', 'silent') });
});
afterAll(() => standIn.close());

describe('sendReceipt', () => {
  it('texts the confirmation code via Twilio Messages', async () => {
    const client = twilio(accountSid, 'secret-token');
    client.api.baseUrl = standIn.url;
    const { sendReceipt } = createReceiptActivities({ twilio: client, from: '+15005550006' });
    const result = await sendReceipt({ callSid: 'CA1', to: '+15005550009', orderId: '73021', amount: 1999, currency: 'usd', confirmationCode: '481523', locale: 'en-US' });
    const sent = standIn.messages.at(-1)!;
    expect(result).toEqual({ sent: true, messageSid: sent.sid });
    expect(sent.sid).toMatch(/^SM[0-9a-f]{32}$/);
    // The stand-in accepts only this account with this token (HTTP Basic), as Twilio does.
    expect(sent.accountSid).toBe(accountSid);
    expect(sent.to).toBe('+15005550009');
    expect(sent.from).toBe('+15005550006');
    expect(sent.body).toBe('paycall: payment of $19.99 for order 73021 received. Confirmation code 481523.');
  });

  it('texts a Japanese caller in Japanese, with the amount as Japanese readers write it', async () => {
    const client = twilio(accountSid, 'secret-token');
    client.api.baseUrl = standIn.url;
    const { sendReceipt } = createReceiptActivities({ twilio: client, from: '+15005550006' });
    await sendReceipt({ callSid: 'CA2', to: '+819012345678', orderId: '8801', amount: 6480, currency: 'jpy', confirmationCode: '275319', locale: 'ja-JP' });
    expect(standIn.messages.at(-1)!.body).toBe('paycall: ご注文 8801 のお支払い 6,480円 を承りました。確認番号 275319');
  });

  it('is skipped, saying why, when SMS is not configured', async () => {
    const { sendReceipt } = createReceiptActivities({});
    const result = await sendReceipt({ callSid: 'CA1', to: '+15005550009', orderId: '1', amount: 100, currency: 'jpy', confirmationCode: '1', locale: 'ja-JP' });
    expect(result.sent).toBe(false);
    expect(result.skippedBecause).toMatch(/TWILIO_SMS_FROM/);
  });
});
