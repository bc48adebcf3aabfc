/** The interactive caller, fed from a stream instead of a terminal. */
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InteractiveCaller } from '../../../src/stand-ins/phone-simulator/interactive.js';
import { placeCall } from '../../../src/stand-ins/phone-simulator/place-call.js';
import { AUTH_TOKEN, startFakeApp, type FakeApp } from './helpers.js';

let app: FakeApp;
beforeEach(async () => {
  app = await startFakeApp();
  app.route('/twilio/status', () => undefined);
  app.route('/twilio/pay-status', () => undefined);
});
afterEach(async () => {
  await app.close();
});

describe('interactive caller', () => {
  it('prints what the caller hears and reads digits per Gather and per <Pay> field', async () => {
    app.twiml('/twilio/voice', (r) => void r.gather({ action: '/twilio/gather', numDigits: 5 }).say('Order number?'));
    app.twiml('/twilio/gather', (r) => {
      r.pay({ action: '/twilio/pay', chargeAmount: '0', tokenType: 'payment-method', postalCode: 'false', maxAttempts: 3 });
    });
    app.twiml('/twilio/pay', (r) => {
      r.say('Paid.');
      r.hangup();
    });
    const input = new PassThrough();
    const output = new PassThrough();
    let screen = '';
    output.on('data', (d: Buffer) => (screen += d.toString()));
    input.write('73021\n4242 4242 4242 4241\n4242424242424242\n\n1234\n123\n');
    const record = await placeCall({
      url: app.url,
      publicUrl: app.publicUrl,
      authToken: AUTH_TOKEN,
      caller: new InteractiveCaller({ input, output }),
      tokenize: async () => ({ ok: true, paymentMethodId: 'pm_interactive' }),
    });
    expect(record.ended.how).toBe('hangup');
    expect(app.to('/twilio/gather')[0]!.params.Digits).toBe('73021');
    expect(app.to('/twilio/pay')[0]!.params).toMatchObject({ Result: 'success', PaymentToken: 'pm_interactive', ExpirationDate: '1234' });
    expect(screen).toContain('[Say en-US] Order number?');
    expect(screen).toContain('keys (5 digits, end with #) > ');
    expect(screen).toContain('card number > ');
    expect(screen).toContain('✗ invalid-card-number (fails the Luhn check)');
    expect(screen).toContain('card number (attempt 2) > ');
    expect(screen).toContain('(no input, waited 5s)');
    expect(screen).toContain('Paid.');
  });

  it('h hangs up; end of input hangs up too', async () => {
    app.twiml('/twilio/voice', (r) => void r.gather({ action: '/twilio/gather' }).say('Order number?'));
    const input = new PassThrough();
    input.end('h\n');
    const record = await placeCall({ url: app.url, publicUrl: app.publicUrl, authToken: AUTH_TOKEN, caller: new InteractiveCaller({ input, output: new PassThrough() }) });
    expect(record.ended).toEqual({ how: 'caller-hangup', during: 'gather' });

    const closed = new PassThrough();
    closed.end();
    const again = await placeCall({ url: app.url, publicUrl: app.publicUrl, authToken: AUTH_TOKEN, caller: new InteractiveCaller({ input: closed, output: new PassThrough() }) });
    expect(again.ended.how).toBe('caller-hangup');
  });
});
