/** The SMS receipt through the real `twilio` client, against a local Messages endpoint. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import twilio from 'twilio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReceiptActivities } from '../../src/activities/receipts.js';

const accountSid = `AC${'1'.repeat(32)}`;
const received: { url: string; auth: string; body: URLSearchParams }[] = [];
let server: http.Server;
let baseUrl: string;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      received.push({ url: req.url ?? '', auth: req.headers.authorization ?? '', body: new URLSearchParams(body) });
      res.writeHead(201, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ sid: 'SM' + '2'.repeat(32), status: 'queued' }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('sendReceipt', () => {
  it('texts the confirmation code via Twilio Messages', async () => {
    const client = twilio(accountSid, 'secret-token');
    client.api.baseUrl = baseUrl;
    const { sendReceipt } = createReceiptActivities({ twilio: client, from: '+15005550006' });
    const result = await sendReceipt({ callSid: 'CA1', to: '+15005550009', orderId: '73021', amount: 1999, currency: 'usd', confirmationCode: '481523', locale: 'en-US' });
    expect(result).toEqual({ sent: true, messageSid: 'SM' + '2'.repeat(32) });
    const request = received.at(-1)!;
    expect(request.url).toBe(`/2010-04-01/Accounts/${accountSid}/Messages.json`);
    expect(request.auth).toBe(`Basic ${Buffer.from(`${accountSid}:secret-token`).toString('base64')}`);
    expect(request.body.get('To')).toBe('+15005550009');
    expect(request.body.get('From')).toBe('+15005550006');
    expect(request.body.get('Body')).toBe('paycall: payment of 19.99 USD for order 73021 received. Confirmation code 481523.');
  });

  it('is skipped, saying why, when SMS is not configured', async () => {
    const { sendReceipt } = createReceiptActivities({});
    const result = await sendReceipt({ callSid: 'CA1', to: '+15005550009', orderId: '1', amount: 100, currency: 'jpy', confirmationCode: '1', locale: 'ja-JP' });
    expect(result.sent).toBe(false);
    expect(result.skippedBecause).toMatch(/TWILIO_SMS_FROM/);
  });
});
