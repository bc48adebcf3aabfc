/** When and how paycall tells a Temporal Cloud user to add search attributes with tcld. */
import { describe, expect, it } from 'vitest';
import {
  cloudRegistrationInstructions,
  isTemporalCloudAddress,
  tcldAddSearchAttributesCommand,
} from '../../src/temporal/search-attributes-cloud.js';

const attributes = [
  { name: 'PaycallStage', type: 'KEYWORD' },
  { name: 'PaycallAmount', type: 'INT' },
];

describe('isTemporalCloudAddress', () => {
  it('knows the namespace (mTLS) and regional (API key) endpoints, and nothing else', () => {
    expect(isTemporalCloudAddress('payments.a1b2c.tmprl.cloud:7233')).toBe(true);
    expect(isTemporalCloudAddress('us-east-1.aws.api.temporal.io:7233')).toBe(true);
    expect(isTemporalCloudAddress('temporal.internal:7233')).toBe(false);
    expect(isTemporalCloudAddress('tmprl.cloud.example.com:7233')).toBe(false);
    expect(isTemporalCloudAddress('127.0.0.1:7233')).toBe(false);
  });
});

describe('tcldAddSearchAttributesCommand', () => {
  it('is one tcld command with a --search-attribute "Name=Type" per attribute, in tcld type names', () => {
    expect(tcldAddSearchAttributesCommand('payments.a1b2c', attributes)).toBe(
      'tcld namespace search-attributes add --namespace payments.a1b2c --search-attribute "PaycallStage=Keyword" --search-attribute "PaycallAmount=Int"',
    );
    expect(tcldAddSearchAttributesCommand('n.a', [{ name: 'Tags', type: 'KEYWORD_LIST' }, { name: 'At', type: 'DATETIME' }])).toBe(
      'tcld namespace search-attributes add --namespace n.a --search-attribute "Tags=KeywordList" --search-attribute "At=Datetime"',
    );
  });

  it('refuses a type tcld does not have', () => {
    expect(() => tcldAddSearchAttributesCommand('n.a', [{ name: 'X', type: 'BLOB' }])).toThrow('search attribute type BLOB has no tcld equivalent');
  });
});

describe('cloudRegistrationInstructions', () => {
  it('on a Cloud address: why, and the tcld command', () => {
    expect(
      cloudRegistrationInstructions({ address: 'payments.a1b2c.tmprl.cloud:7233', namespace: 'payments.a1b2c', missing: attributes, reason: 'cloud-address' }),
    ).toBe(
      [
        'payments.a1b2c.tmprl.cloud:7233 is Temporal Cloud, which refuses search attribute registration through OperatorService.',
        'Add PaycallStage, PaycallAmount to namespace payments.a1b2c with tcld (after `tcld login`):',
        '  tcld namespace search-attributes add --namespace payments.a1b2c --search-attribute "PaycallStage=Keyword" --search-attribute "PaycallAmount=Int"',
        'or in the Temporal Cloud UI: Namespaces → the namespace → Custom Search Attributes.',
      ].join('\n'),
    );
  });

  it('when another address refuses: tcld, and the self-hosted admin command too', () => {
    const text = cloudRegistrationInstructions({ address: 'temporal.internal:7233', namespace: 'payments', missing: attributes.slice(1), reason: 'refused' });
    expect(text.split('\n')).toEqual([
      'temporal.internal:7233 refused search attribute registration through OperatorService (as Temporal Cloud does).',
      'Add PaycallAmount to namespace payments with tcld (after `tcld login`):',
      '  tcld namespace search-attributes add --namespace payments --search-attribute "PaycallAmount=Int"',
      'or in the Temporal Cloud UI: Namespaces → the namespace → Custom Search Attributes.',
      'On a self-hosted server, an administrator can run instead:',
      '  temporal operator search-attribute create --namespace payments --name PaycallAmount --type Int',
    ]);
  });

  it('says so when nothing is missing', () => {
    expect(cloudRegistrationInstructions({ address: 'a.b.tmprl.cloud:7233', namespace: 'a.b', missing: [], reason: 'cloud-address' })).toBe(
      'all search attributes already exist on a.b.tmprl.cloud:7233/a.b',
    );
  });
});
