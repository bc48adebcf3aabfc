import { createHmac } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import twilio from 'twilio';
import { describe, expect, it } from 'vitest';
import { WebhookClient } from '../../../src/stand-ins/phone-simulator/http-client.js';
import {
  AuthTokenError,
  newCallSid,
  resolveAuthToken,
  signRequest,
  signingUrl,
} from '../../../src/stand-ins/phone-simulator/signing.js';

describe('signing', () => {
  it('signs like Twilio: HMAC-SHA1 over URL + sorted params, valid for twilio.validateRequest', () => {
    const params = { CallSid: 'CA1', Digits: '1234', AccountSid: 'AC1' };
    const url = 'https://paycall.example.test/twilio/gather?turn=3';
    const sig = signRequest('secret', url, params);
    expect(twilio.validateRequest('secret', sig, url, params)).toBe(true);
    expect(twilio.validateRequest('other', sig, url, params)).toBe(false);
    // By hand, to pin the algorithm.
    const data = `${url}AccountSidAC1CallSidCA1Digits1234`;
    expect(sig).toBe(createHmac('sha1', 'secret').update(data).digest('base64'));
  });

  it('signs https URLs without port, userinfo or fragment', () => {
    expect(signingUrl('https://u:p@paycall.example.test:8443/x?y=1#rc=2')).toBe('https://paycall.example.test/x?y=1');
    expect(signingUrl('http://localhost:3000/twilio/voice')).toBe('http://localhost:3000/twilio/voice');
  });

  it('finds the auth token in the environment, then in DATA_DIR, else says what to do', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'phone-sim-token-'));
    expect(resolveAuthToken({ TWILIO_AUTH_TOKEN: 'from-env' }, dir)).toBe('from-env');
    expect(() => resolveAuthToken({}, dir)).toThrow(AuthTokenError);
    expect(() => resolveAuthToken({}, dir)).toThrow(/TWILIO_AUTH_TOKEN/);
    writeFileSync(path.join(dir, 'twilio-dev-auth-token'), 'from-file\n');
    expect(resolveAuthToken({ DATA_DIR: dir }, '/')).toBe('from-file');
  });

  it('makes CallSids of the right shape', () => {
    expect(newCallSid()).toMatch(/^CA[0-9a-f]{32}$/);
    expect(newCallSid()).not.toBe(newCallSid());
  });

  it('maps public URLs to the actual server, and leaves foreign URLs alone', () => {
    const c = new WebhookClient({ baseUrl: 'http://127.0.0.1:3000', publicBaseUrl: 'https://abc.example.test/base', authToken: 't' });
    expect(c.publicUrl('/twilio/voice')).toBe('https://abc.example.test/base/twilio/voice');
    expect(c.actualUrl('https://abc.example.test/base/twilio/gather?turn=2')).toBe('http://127.0.0.1:3000/twilio/gather?turn=2');
    expect(c.actualUrl('https://other.example.test/x')).toBe('https://other.example.test/x');
  });
});
