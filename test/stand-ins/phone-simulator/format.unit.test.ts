/** The simulator's printout names the voice each <Say> and <Pay> prompt is spoken in. */
import { describe, expect, it } from 'vitest';
import { formatEntry } from '../../../src/stand-ins/phone-simulator/format.js';

describe('formatEntry', () => {
  it('prints the language and the voice', () => {
    expect(formatEntry({ verb: 'Say', text: 'ようこそ。', language: 'ja-JP', voice: 'Polly.Takumi-Neural' })).toBe('[Say ja-JP Polly.Takumi-Neural] ようこそ。');
    expect(formatEntry({ verb: 'Say', event: 'prompt', for: 'postal-code', attempt: 1, text: '郵便番号', language: 'ja-JP', voice: 'Polly.Mizuki', within: 'Pay' })).toBe(
      '  [Pay postal code #1 ja-JP Polly.Mizuki] 郵便番号',
    );
  });

  it('without a voice (Twilio picks its default), the language alone', () => {
    expect(formatEntry({ verb: 'Say', text: 'Hello', language: 'en-US' })).toBe('[Say en-US] Hello');
  });
});
