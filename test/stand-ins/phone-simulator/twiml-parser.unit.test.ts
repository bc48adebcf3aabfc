import twilio from 'twilio';
import { describe, expect, it } from 'vitest';
import { TwimlParseError, parseTwiml } from '../../../src/stand-ins/phone-simulator/twiml-parser.js';

const VoiceResponse = twilio.twiml.VoiceResponse;

function parseError(xml: string): TwimlParseError {
  try {
    parseTwiml(xml);
  } catch (err) {
    if (err instanceof TwimlParseError) return err;
    throw err;
  }
  throw new Error('expected a parse error');
}

describe('TwiML parser', () => {
  it('parses the verbs twilio-node renders, with defaults', () => {
    const r = new VoiceResponse();
    r.say({ language: 'ja-JP' }, 'こんにちは');
    r.play({ loop: 2 }, 'https://example.test/a.mp3');
    r.pause({ length: 3 });
    const g = r.gather({ action: '/twilio/gather?turn=1', numDigits: 5, timeout: 7, actionOnEmptyResult: true });
    g.say('Enter your order number');
    r.redirect({ method: 'GET' }, '/twilio/continue?a=1&b=2');
    r.dial('+15551234567');
    r.enqueue('support');
    r.reject({ reason: 'busy' });
    r.hangup();
    expect(parseTwiml(r.toString())).toEqual([
      { verb: 'Say', text: 'こんにちは', language: 'ja-JP', loop: 1 },
      { verb: 'Play', url: 'https://example.test/a.mp3', loop: 2 },
      { verb: 'Pause', length: 3 },
      {
        verb: 'Gather',
        action: '/twilio/gather?turn=1',
        method: 'POST',
        numDigits: 5,
        finishOnKey: '#',
        timeout: 7,
        actionOnEmptyResult: true,
        input: ['dtmf'],
        children: [{ verb: 'Say', text: 'Enter your order number', loop: 1 }],
      },
      { verb: 'Redirect', url: '/twilio/continue?a=1&b=2', method: 'GET' },
      { verb: 'Dial', to: ['+15551234567'] },
      { verb: 'Enqueue', queue: 'support' },
      { verb: 'Reject', reason: 'busy' },
      { verb: 'Hangup' },
    ]);
  });

  it('parses <Pay> with its prompts', () => {
    const r = new VoiceResponse();
    const pay = r.pay({
      action: '/twilio/pay',
      statusCallback: '/twilio/pay-status',
      chargeAmount: '0',
      tokenType: 'payment-method',
      validCardTypes: ['visa', 'amex'],
      maxAttempts: 3,
      postalCode: 'false',
      securityCode: true,
      timeout: 10,
      paymentConnector: 'Stripe_Dev',
    });
    pay.prompt({ for: 'payment-card-number', errorType: ['invalid-card-number', 'timeout'], attempt: [2, 3] }).say('Again');
    pay.prompt({ for: 'security-code', cardType: ['amex'] }).say('Four digits');
    const [verb] = parseTwiml(r.toString());
    expect(verb).toMatchObject({
      verb: 'Pay',
      action: '/twilio/pay',
      statusCallback: '/twilio/pay-status',
      chargeAmount: '0',
      tokenType: 'payment-method',
      validCardTypes: ['visa', 'amex'],
      maxAttempts: 3,
      postalCode: false,
      securityCode: true,
      timeout: 10,
      paymentConnector: 'Stripe_Dev',
      currency: 'usd',
      prompts: [
        {
          for: 'payment-card-number',
          errorType: ['invalid-card-number', 'timeout'],
          attempt: [2, 3],
          children: [{ verb: 'Say', text: 'Again', loop: 1 }],
        },
        { for: 'security-code', cardType: ['amex'], children: [{ verb: 'Say', text: 'Four digits', loop: 1 }] },
      ],
    });
    expect(parseTwiml('<Response><Pay postalCode="94107"/></Response>')[0]).toMatchObject({ postalCode: '94107', maxAttempts: 1 });
  });

  it('rejects what Twilio rejects, naming the problem', () => {
    expect(parseError('').code).toBe('not-xml');
    expect(parseError('<Response><Say>hi</Response>').code).toBe('not-xml');
    expect(parseError('<Html><Say>hi</Say></Html>').code).toBe('not-twiml');
    expect(parseError('<Response><Speak>hi</Speak></Response>')).toMatchObject({ code: 'unknown-verb', message: 'unknown verb <Speak>' });
    expect(parseError('<Response><Gather><Hangup/></Gather></Response>').code).toBe('invalid-nesting');
    expect(parseError('<Response>hello<Hangup/></Response>').code).toBe('invalid-nesting');
    expect(parseError('<Response><Gather numDigits="five"/></Response>').code).toBe('invalid-attribute');
    expect(parseError('<Response><Pay maxAttempts="4"/></Response>').code).toBe('invalid-attribute');
    expect(parseError('<Response><Redirect method="PUT">/x</Redirect></Response>').code).toBe('invalid-attribute');
  });

  it('keeps real Twilio verbs it does not emulate as Unsupported', () => {
    expect(parseTwiml('<Response><Record/></Response>')).toEqual([{ verb: 'Unsupported', name: 'Record' }]);
  });
});
