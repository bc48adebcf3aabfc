import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { keysToSteps, loadScenario, parseScenario, ScenarioError } from '../../../src/stand-ins/phone-simulator/scenario.js';

function problem(value: unknown): string {
  try {
    parseScenario(value, 'x.json');
  } catch (err) {
    if (err instanceof ScenarioError) return err.message;
    throw err;
  }
  throw new Error('expected a ScenarioError');
}

describe('scenarios', () => {
  it('accepts every step kind and normalises card entries', () => {
    const s = parseScenario({
      name: 'all',
      to: '+815012345678',
      steps: [
        { gather: '73021#' },
        { gather: '' },
        { pay: { cardNumber: ['4242 4242 4242 4241', '4242-4242-4242-4242'], expiry: '1234', securityCode: '123' } },
        { pay: { star: true } },
        { hangupDuring: 'pay-processing' },
        { pause: 2000 },
        { hangup: 'now' },
      ],
    });
    expect(s.steps[2]).toEqual({
      pay: { cardNumber: ['4242424242424241', '4242424242424242'], expiry: '1234', securityCode: '123' },
    });
  });

  it('names the step and field in errors', () => {
    expect(problem({ name: 'x', steps: [{ gather: '12a' }] })).toContain('steps[0].gather: only keypad keys');
    expect(problem({ name: 'x', steps: [{ gather: '1' }, { pay: { expiry: 1234 } }] })).toContain('steps[1].pay.expiry');
    expect(problem({ name: 'x', steps: [{ dance: true }] })).toContain('steps[0]: expected exactly one of "gather", "pay"');
    expect(problem({ name: 'x', steps: [{ hangup: 'later' }] })).toContain('steps[0].hangup');
    expect(problem({ name: 'x', steps: [{ pay: { cardNumber: '4242', cvv: '1' } }] })).toContain('steps[0].pay');
    expect(problem({ steps: [] })).toContain('name');
    expect(problem({ name: 'x', to: '0312345678', steps: [] })).toContain('to: an E.164 number');
  });

  it('turns --keys into steps', () => {
    expect(keysToSteps('73021#,,1,pay=4242424242424242/1234/123/94107,pay=*,hangup-during-pay,hangup')).toEqual([
      { gather: '73021#' },
      { gather: '' },
      { gather: '1' },
      { pay: { cardNumber: '4242424242424242', expiry: '1234', securityCode: '123', postalCode: '94107' } },
      { pay: { star: true } },
      { hangupDuring: 'pay-processing' },
      { hangup: 'now' },
    ]);
    expect(() => keysToSteps('1,abc')).toThrow(/--keys entry 2 "abc"/);
  });

  it('--keys takes named Stripe test cards with a valid expiry and CVC', () => {
    expect(keysToSteps('pay=visa,pay=amex,pay=declined/0130/999')).toEqual([
      { pay: { cardNumber: '4242424242424242', expiry: '1234', securityCode: '123' } },
      { pay: { cardNumber: '378282246310005', expiry: '1234', securityCode: '1234' } },
      { pay: { cardNumber: '4000000000000002', expiry: '0130', securityCode: '999' } },
    ]);
    expect(() => keysToSteps('pay=platinum')).toThrow();
  });

  it("--keys knows Stripe's JCB and Diners Club test cards (pay=jcb, pay=diners, pay=diners-14), with a postal code too", () => {
    expect(keysToSteps('pay=jcb,pay=diners,pay=diners-14,pay=jcb/1234/123/1000001')).toEqual([
      { pay: { cardNumber: '3566002020360505', expiry: '1234', securityCode: '123' } },
      { pay: { cardNumber: '3056930009020004', expiry: '1234', securityCode: '123' } },
      { pay: { cardNumber: '36227206271667', expiry: '1234', securityCode: '123' } },
      { pay: { cardNumber: '3566002020360505', expiry: '1234', securityCode: '123', postalCode: '1000001' } },
    ]);
  });

  it('every example scenario under scenarios/ is valid', async () => {
    const dir = path.resolve('scenarios');
    const files = readdirSync(dir).filter((f) => f.endsWith('.json') && !f.includes('mix'));
    expect(files.length).toBeGreaterThanOrEqual(6);
    for (const f of files) await expect(loadScenario(path.join(dir, f))).resolves.toMatchObject({ name: expect.any(String) });
  });
});
