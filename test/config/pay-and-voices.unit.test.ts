/** PAY_* and VOICE_*: defaults, parsing, and one clear line per bad value at start-up. */
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/config.js';
import { voiceProblem } from '../../src/i18n/voices.js';

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected the configuration to be refused');
}

describe('<Pay> options', () => {
  it('defaults: JCB and Diners Club besides Visa, Mastercard and Amex; security code on, postal code off; 10 s; 3 tries', () => {
    expect(loadConfig({}).payOptions).toEqual({
      validCardTypes: ['visa', 'mastercard', 'amex', 'jcb', 'diners-club'],
      securityCode: true,
      postalCode: false,
      timeoutSeconds: 10,
      maxAttempts: 3,
    });
  });

  it('reads each variable (card types space- or comma-separated, each once)', () => {
    const config = loadConfig({ PAY_VALID_CARD_TYPES: 'jcb, visa  jcb', PAY_SECURITY_CODE: 'false', PAY_POSTAL_CODE: '1', PAY_TIMEOUT: '15', PAY_MAX_ATTEMPTS: '1' });
    expect(config.payOptions).toEqual({ validCardTypes: ['jcb', 'visa'], securityCode: false, postalCode: true, timeoutSeconds: 15, maxAttempts: 1 });
  });

  it('refuses values Twilio or paycall cannot use, one line each naming the variable', () => {
    expect(problems({ PAY_VALID_CARD_TYPES: 'visa diners', PAY_POSTAL_CODE: 'yes', PAY_SECURITY_CODE: 'on', PAY_TIMEOUT: '0', PAY_MAX_ATTEMPTS: '5' })).toEqual([
      'PAY_VALID_CARD_TYPES: "diners" is not a card type <Pay> knows; use visa, mastercard, amex, maestro, discover, optima, jcb, diners-club, enroute',
      'PAY_POSTAL_CODE: must be true or false',
      'PAY_SECURITY_CODE: must be true or false',
      'PAY_TIMEOUT: must be at least 1 second',
      'PAY_MAX_ATTEMPTS: must be 1, 2 or 3 (Twilio <Pay> maxAttempts)',
    ]);
    expect(problems({ PAY_VALID_CARD_TYPES: ',', PAY_TIMEOUT: '31', PAY_MAX_ATTEMPTS: '2.5' })).toEqual([
      'PAY_VALID_CARD_TYPES: must list at least one card type; use visa, mastercard, amex, maestro, discover, optima, jcb, diners-club, enroute',
      'PAY_TIMEOUT: must be at most 30 seconds (a silent caller would otherwise outlast the 10 minutes paycall waits for <Pay> to end)',
      'PAY_MAX_ATTEMPTS: must be 1, 2 or 3',
    ]);
  });
});

describe('voices', () => {
  it('default to documented Twilio voices for each language', () => {
    expect(loadConfig({}).voices).toEqual({ 'en-US': 'Polly.Joanna-Neural', 'ja-JP': 'Polly.Takumi-Neural' });
    expect(loadConfig({ VOICE_JA_JP: 'Polly.Mizuki', VOICE_EN_US: 'Google.en-US-Neural2-F' }).voices).toEqual({ 'en-US': 'Google.en-US-Neural2-F', 'ja-JP': 'Polly.Mizuki' });
    for (const voice of ['Polly.Takumi', 'Polly.Kazuha-Neural', 'Polly.Tomoko-Neural', 'Google.ja-JP-Standard-A', 'Google.ja-JP-Chirp3-HD-Aoede']) {
      expect(voiceProblem('ja-JP', voice), voice).toBeUndefined();
    }
  });

  it('refuse a voice that does not speak the language, or is not a Twilio voice', () => {
    expect(problems({ VOICE_JA_JP: 'Polly.Joanna-Neural', VOICE_EN_US: 'Google.ja-JP-Neural2-B' })).toEqual([
      'VOICE_EN_US: Google.ja-JP-Neural2-B speaks ja-JP, not en-US',
      'VOICE_JA_JP: Polly.Joanna-Neural is not one of Twilio\'s ja-JP Amazon Polly voices (Polly.Kazuha-Neural, Polly.Mizuki, Polly.Takumi, Polly.Takumi-Neural, Polly.Tomoko-Neural)',
    ]);
    // Mizuki has no neural engine on Twilio.
    expect(voiceProblem('ja-JP', 'Polly.Mizuki-Neural')).toMatch(/is not one of Twilio's ja-JP Amazon Polly voices/);
    expect(problems({ VOICE_JA_JP: 'alice' })).toEqual([
      'VOICE_JA_JP: must be a Twilio voice for ja-JP: Polly.<Name> (e.g. Polly.Takumi-Neural) or Google.ja-JP-<voice> (e.g. Google.ja-JP-Standard-A)',
    ]);
  });
});
