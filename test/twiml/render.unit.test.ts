/** Every instruction renders to well-formed TwiML with the attributes Twilio needs. */
import { DOMParser, type Element } from '@xmldom/xmldom';
import { describe, expect, it } from 'vitest';
import type { Instruction, Turn } from '../../src/contract/instructions.js';
import { renderGoodbye, renderHold, renderTurn } from '../../src/twiml/render.js';
import { capturePayment, gatherDigits, say } from '../../src/workflows/instructions.js';

const options = { publicBaseUrl: 'https://paycall.example.com', paymentConnector: 'Stripe_Dev' };

function parse(xml: string): Element {
  const errors: string[] = [];
  const doc = new DOMParser({ onError: (level, message) => void (level !== 'warning' && errors.push(message)) }).parseFromString(xml, 'text/xml');
  expect(errors).toEqual([]);
  const root = doc.documentElement!;
  expect(root.tagName).toBe('Response');
  return root as unknown as Element;
}

function render(...instructions: Instruction[]): Element {
  const turn: Turn = { turn: 7, instructions, final: false };
  return parse(renderTurn(turn, options));
}

const children = (el: Element) => Array.from(el.childNodes).filter((n): n is Element => n.nodeType === 1);

describe('renderTurn', () => {
  it('say carries its language', () => {
    const [el] = children(render(say('ようこそ', 'ja-JP')));
    expect(el?.tagName).toBe('Say');
    expect(el?.getAttribute('language')).toBe('ja-JP');
    expect(el?.textContent).toBe('ようこそ');
  });

  it('pause', () => {
    const [el] = children(render({ kind: 'pause', seconds: 2 }));
    expect(el?.tagName).toBe('Pause');
    expect(el?.getAttribute('length')).toBe('2');
  });

  it('gather posts to /twilio/gather for this turn, with its prompt nested', () => {
    const [el] = children(render(gatherDigits('Enter your order number', 'en-US', { finishOnKey: '#' })));
    expect(el?.tagName).toBe('Gather');
    expect(el?.getAttribute('action')).toBe('https://paycall.example.com/twilio/gather?turn=7');
    expect(el?.getAttribute('method')).toBe('POST');
    expect(el?.getAttribute('actionOnEmptyResult')).toBe('true');
    expect(el?.getAttribute('finishOnKey')).toBe('#');
    expect(el?.getAttribute('input')).toBe('dtmf');
    expect(children(el!)[0]?.textContent).toBe('Enter your order number');
  });

  it('a one-digit menu gather has numDigits=1', () => {
    const [el] = children(render(gatherDigits('Press 1', 'en-US', { numDigits: 1 })));
    expect(el?.getAttribute('numDigits')).toBe('1');
  });

  it('pay tokenizes only, with connector, callbacks and a prompt per field and error', () => {
    const [el] = children(render(capturePayment({ currency: 'JPY', description: 'コンサートチケット', locale: 'ja-JP' })));
    expect(el?.tagName).toBe('Pay');
    expect(el?.getAttribute('chargeAmount')).toBe('0');
    expect(el?.getAttribute('tokenType')).toBe('payment-method');
    expect(el?.getAttribute('paymentConnector')).toBe('Stripe_Dev');
    expect(el?.getAttribute('currency')).toBe('jpy');
    expect(el?.getAttribute('action')).toBe('https://paycall.example.com/twilio/pay?turn=7');
    expect(el?.getAttribute('statusCallback')).toBe('https://paycall.example.com/twilio/pay-status');
    expect(el?.getAttribute('validCardTypes')).toBe('visa mastercard amex');
    expect(el?.getAttribute('postalCode')).toBe('false');
    const prompts = children(el!);
    expect(prompts.every((p) => p.tagName === 'Prompt')).toBe(true);
    const fors = new Set(prompts.map((p) => p.getAttribute('for')));
    expect(fors).toEqual(new Set(['payment-card-number', 'expiration-date', 'security-code', 'payment-processing']));
    const invalidNumber = prompts.find((p) => p.getAttribute('errorType') === 'invalid-card-number');
    expect(children(invalidNumber!)[0]?.getAttribute('language')).toBe('ja-JP');
    const amexCvc = prompts.find((p) => p.getAttribute('cardType') === 'amex');
    expect(amexCvc?.textContent).toContain('4');
  });

  it('transfer dials the operator; hangup hangs up', () => {
    const els = children(render({ kind: 'transfer', to: '+15005550000' }, { kind: 'hangup' }));
    expect(els.map((e) => e.tagName)).toEqual(['Dial', 'Hangup']);
    expect(els[0]?.textContent).toBe('+15005550000');
  });

  it('escapes text so a description cannot break the document', () => {
    const [el] = children(render(say('Fish & chips <large>', 'en-US')));
    expect(el?.textContent).toBe('Fish & chips <large>');
  });
});

describe('hold and goodbye', () => {
  it('hold says, pauses and redirects to the continue URL', () => {
    const els = children(parse(renderHold({ text: 'One moment please.', locale: 'en-US', continueUrl: 'https://x/twilio/continue?u=1&e=2&h=1', pauseSeconds: 1 })));
    expect(els.map((e) => e.tagName)).toEqual(['Say', 'Pause', 'Redirect']);
    expect(els[2]?.textContent).toBe('https://x/twilio/continue?u=1&e=2&h=1');
    expect(els[2]?.getAttribute('method')).toBe('POST');
  });

  it('goodbye hangs up, with or without words', () => {
    expect(children(parse(renderGoodbye(undefined, 'en-US'))).map((e) => e.tagName)).toEqual(['Hangup']);
    expect(children(parse(renderGoodbye('Bye', 'ja-JP'))).map((e) => e.tagName)).toEqual(['Say', 'Hangup']);
  });
});
