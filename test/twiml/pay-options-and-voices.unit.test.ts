/**
 * The configured `<Pay>` options reach the TwiML, and every spoken element (`<Say>`, the
 * `<Say>` in `<Gather>` and in each `<Prompt>`) carries its language's voice.
 */
import { DOMParser, type Element } from '@xmldom/xmldom';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import type { Instruction } from '../../src/contract/instructions.js';
import { renderGoodbye, renderHold, renderTurn } from '../../src/twiml/render.js';
import { capturePayment, gatherDigits, legacyPayOptions, say } from '../../src/workflows/instructions.js';

const voices = { 'en-US': 'Polly.Joanna-Neural', 'ja-JP': 'Polly.Mizuki' };
const options = { publicBaseUrl: 'https://paycall.example.com', paymentConnector: 'Stripe_Dev', voices };

function root(xml: string): Element {
  return new DOMParser().parseFromString(xml, 'text/xml').documentElement as unknown as Element;
}
function renderAll(...instructions: Instruction[]): Element {
  return root(renderTurn({ turn: 3, instructions, final: false }, options));
}
const elements = (el: Element, tag: string) => Array.from(el.getElementsByTagName(tag)) as unknown as Element[];

describe('<Pay> carries the configured options', () => {
  it('card types, security code, postal code, timeout and tries from PAY_*', () => {
    const { payOptions } = loadConfig({ PAY_VALID_CARD_TYPES: 'jcb visa diners-club', PAY_POSTAL_CODE: 'true', PAY_TIMEOUT: '7', PAY_MAX_ATTEMPTS: '2' });
    const pay = elements(renderAll(capturePayment({ currency: 'jpy', description: 'お茶', locale: 'ja-JP', options: payOptions })), 'Pay')[0]!;
    expect(pay.getAttribute('validCardTypes')).toBe('jcb visa diners-club');
    expect(pay.getAttribute('postalCode')).toBe('true');
    expect(pay.getAttribute('securityCode')).toBe('true');
    expect(pay.getAttribute('timeout')).toBe('7');
    expect(pay.getAttribute('maxAttempts')).toBe('2');
    const prompts = elements(pay, 'Prompt');
    // The security-code prompt names only accepted brands, all with 3-digit codes here.
    expect(prompts.filter((p) => p.getAttribute('for') === 'security-code' && p.getAttribute('cardType')).map((p) => p.getAttribute('cardType'))).toEqual(['jcb visa diners-club']);
    const postal = prompts.filter((p) => p.getAttribute('for') === 'postal-code');
    expect(postal.map((p) => p.getAttribute('errorType') ?? '')).toEqual(['', 'invalid-postal-code', 'timeout']);
    expect(postal[0]!.textContent).toBe('請求先の郵便番号を入力し、最後にシャープを押してください。');
  });

  it('the default list takes JCB and Diners Club; amex keeps its 4-digit prompt', () => {
    const pay = elements(renderAll(capturePayment({ currency: 'usd', description: 'Tea', locale: 'en-US', options: loadConfig({}).payOptions })), 'Pay')[0]!;
    expect(pay.getAttribute('validCardTypes')).toBe('visa mastercard amex jcb diners-club');
    expect(pay.getAttribute('postalCode')).toBe('false');
    const byType = elements(pay, 'Prompt').filter((p) => p.getAttribute('cardType'));
    expect(byType.map((p) => [p.getAttribute('cardType'), p.textContent])).toEqual([
      ['visa mastercard jcb diners-club', 'Please enter the 3 digit security code.'],
      ['amex', 'Please enter the 4 digit security code.'],
    ]);
    expect(elements(pay, 'Prompt').some((p) => p.getAttribute('for') === 'postal-code')).toBe(false);
  });

  it('without the security code, no security-code prompt', () => {
    const pay = elements(renderAll(capturePayment({ currency: 'usd', description: 'Tea', locale: 'en-US', options: { ...legacyPayOptions, securityCode: false } })), 'Pay')[0]!;
    expect(pay.getAttribute('securityCode')).toBe('false');
    expect(elements(pay, 'Prompt').some((p) => p.getAttribute('for') === 'security-code')).toBe(false);
  });

  it('a call whose input has no options (an older call) gets the constants it was started with', () => {
    const instruction = capturePayment({ currency: 'usd', description: 'Tea', locale: 'en-US' });
    expect(instruction).toMatchObject({ validCardTypes: ['visa', 'mastercard', 'amex'], securityCode: true, postalCode: false, timeoutSeconds: 10, maxAttempts: 3 });
    expect(instruction.prompts.filter((p) => p.cardType).map((p) => p.cardType)).toEqual([['visa', 'mastercard'], ['amex']]);
  });
});

describe('voices', () => {
  it('every <Say> of a Japanese turn, inside <Gather> and <Prompt> too, has the Japanese voice', () => {
    const turn = renderAll(
      say('お電話ありがとうございます。', 'ja-JP'),
      gatherDigits('ご注文番号を入力してください。', 'ja-JP', { finishOnKey: '#' }),
      capturePayment({ currency: 'jpy', description: 'お茶', locale: 'ja-JP', options: { ...legacyPayOptions, postalCode: true } }),
    );
    const says = elements(turn, 'Say');
    expect(says.length).toBeGreaterThan(15);
    for (const el of says) {
      expect(el.getAttribute('voice')).toBe('Polly.Mizuki');
      expect(el.getAttribute('language')).toBe('ja-JP');
    }
  });

  it('English turns, holds and goodbyes use the English voice; defaults are documented voices', () => {
    expect(elements(renderAll(say('Hello', 'en-US')), 'Say')[0]!.getAttribute('voice')).toBe('Polly.Joanna-Neural');
    expect(elements(root(renderHold({ text: '少々お待ちください。', locale: 'ja-JP', continueUrl: 'https://x/c', pauseSeconds: 1, voices })), 'Say')[0]!.getAttribute('voice')).toBe('Polly.Mizuki');
    expect(elements(root(renderGoodbye('失礼いたします。', 'ja-JP')), 'Say')[0]!.getAttribute('voice')).toBe('Polly.Takumi-Neural');
    expect(elements(root(renderGoodbye('Goodbye.', 'en-US')), 'Say')[0]!.getAttribute('voice')).toBe('Polly.Joanna-Neural');
  });
});
