import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, localeForNumber } from '../../src/config/config.js';

describe('config', () => {
  it('has working defaults for a laptop', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ PORT: 3000, DATA_DIR: '.data', TEMPORAL_TASK_QUEUE: 'paycall', STRIPE_SANDBOX_PORT: 12111, STRIPE_MOTO: false, LOCALE: 'en-US' });
    expect(config.publicBaseUrl).toBe('http://localhost:3000');
    expect(config.TEMPORAL_ADDRESS).toBeUndefined();
  });

  it('derives the public URL from PORT and trims a trailing slash from PUBLIC_BASE_URL', () => {
    expect(loadConfig({ PORT: '4000' }).publicBaseUrl).toBe('http://localhost:4000');
    expect(loadConfig({ PUBLIC_BASE_URL: 'https://pay.example.com/' }).publicBaseUrl).toBe('https://pay.example.com');
  });

  it('names every bad variable in one error', () => {
    const err = (() => {
      try {
        loadConfig({ PORT: 'eighty', STRIPE_SECRET_KEY: 'pk_live_oops', LOCALE: 'fr-FR', PUBLIC_BASE_URL: 'not a url', LOCALE_BY_NUMBER: '{bad' });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ConfigError);
    const message = (err as Error).message;
    for (const name of ['PORT', 'STRIPE_SECRET_KEY', 'LOCALE', 'PUBLIC_BASE_URL', 'LOCALE_BY_NUMBER']) expect(message).toContain(name);
    expect(message).not.toContain('pk_live_oops');
  });

  it('takes a 32-byte base64 payload key and refuses any other, without echoing it', () => {
    const key = Buffer.alloc(32, 7).toString('base64');
    expect(loadConfig({ PAYLOAD_ENCRYPTION_KEY: key }).PAYLOAD_ENCRYPTION_KEY?.length).toBe(32);
    const short = Buffer.alloc(16, 7).toString('base64');
    expect(() => loadConfig({ PAYLOAD_ENCRYPTION_KEY: short })).toThrow(/PAYLOAD_ENCRYPTION_KEY: must be base64 of exactly 32 bytes/);
    try {
      loadConfig({ PAYLOAD_ENCRYPTION_KEY: short });
    } catch (err) {
      expect((err as Error).message).not.toContain(short);
    }
  });

  it('chooses the locale by the dialled number, longest prefix first', () => {
    const config = loadConfig({ LOCALE_BY_NUMBER: '{"+81":"ja-JP","+813":"en-US"}' });
    expect(localeForNumber(config, '+81501234567')).toBe('ja-JP');
    expect(localeForNumber(config, '+81312345678')).toBe('en-US');
    expect(localeForNumber(config, '+15005550001')).toBe('en-US');
    expect(localeForNumber(loadConfig({ LOCALE: 'ja-JP' }), undefined)).toBe('ja-JP');
  });
});
