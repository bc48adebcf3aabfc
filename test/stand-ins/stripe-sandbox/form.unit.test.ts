import { describe, expect, it } from 'vitest';
import { canonicalJson, fingerprint, keySegments, parseForm } from '../../../src/stand-ins/stripe-sandbox/form.js';

describe('form parsing', () => {
  it('splits bracketed keys', () => {
    expect(keySegments('amount')).toEqual(['amount']);
    expect(keySegments('payment_method_options[card][moto]')).toEqual(['payment_method_options', 'card', 'moto']);
    expect(keySegments('allowed_payment_method_types[]')).toEqual(['allowed_payment_method_types', '']);
    expect(keySegments('broken[key')).toEqual(['broken[key']);
  });

  it('builds nested objects and arrays', () => {
    const parsed = parseForm(
      'amount=1999&metadata[call_sid]=CA%201&payment_method_options[card][moto]=true&types[0]=card&types[1]=link&list[]=a&list[]=b&q=a+b',
    );
    expect(JSON.parse(JSON.stringify(parsed))).toEqual({
      amount: '1999',
      metadata: { call_sid: 'CA 1' },
      payment_method_options: { card: { moto: 'true' } },
      types: ['card', 'link'],
      list: ['a', 'b'],
      q: 'a b',
    });
  });

  it('refuses a key that is both a value and an object', () => {
    expect(() => parseForm('metadata=x&metadata[a]=b')).toThrow(/conflicting/);
  });

  it('fingerprints parameters independent of order', () => {
    expect(fingerprint(parseForm('a=1&b[c]=2&b[d]=3'))).toBe(fingerprint(parseForm('b[d]=3&a=1&b[c]=2')));
    expect(fingerprint(parseForm('a=1'))).not.toBe(fingerprint(parseForm('a=2')));
    expect(canonicalJson(parseForm('z=1&a=2'))).toBe('{"a":"2","z":"1"}');
  });
});
