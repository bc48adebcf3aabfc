/**
 * <Pay> and its <Prompt>s: the attributes with Twilio's defaults (the emulator, pay-emulator.ts,
 * decides what it can run), and each <Prompt>'s `for`, `errorType`, `attempt` and `cardType`
 * lists. <Parameter> children (Generic Pay Connector settings) are accepted and ignored.
 */
import type { Element } from '@xmldom/xmldom';
import { parseAudioChildren } from './twiml-audio.js';
import { attr, bool, elementChildren, int, method, opt } from './twiml-elements.js';
import { TwimlParseError, type PayPromptFor, type PayVerb, type PromptElement } from './twiml-verbs.js';

const payPromptFors: readonly string[] = [
  'payment-card-number',
  'expiration-date',
  'security-code',
  'postal-code',
  'bank-routing-number',
  'bank-account-number',
  'payment-processing',
];

export function parsePay(el: Element): PayVerb {
  const prompts: PromptElement[] = [];
  for (const child of elementChildren(el, 'Pay')) {
    if (child.nodeName === 'Parameter') continue; // Generic Pay Connector parameters: nothing to emulate
    if (child.nodeName !== 'Prompt') {
      throw new TwimlParseError('invalid-nesting', `<${child.nodeName}> is not allowed inside <Pay>`);
    }
    prompts.push(parsePrompt(child));
  }
  const postalCodeAttr = attr(el, 'postalCode') ?? 'true';
  const minPostal = attr(el, 'minPostalCodeLength');
  const maxAttempts = int(el, 'maxAttempts', 1, 1);
  if (maxAttempts > 3) throw new TwimlParseError('invalid-attribute', `<Pay maxAttempts="${maxAttempts}"> (1 to 3)`);
  return {
    verb: 'Pay',
    ...opt('action', attr(el, 'action')),
    ...opt('statusCallback', attr(el, 'statusCallback')),
    statusCallbackMethod: method(el, 'statusCallbackMethod'),
    input: attr(el, 'input') ?? 'dtmf',
    paymentMethod: attr(el, 'paymentMethod') ?? 'credit-card',
    paymentConnector: attr(el, 'paymentConnector') ?? 'Default',
    tokenType: attr(el, 'tokenType') ?? 'reusable',
    ...opt('chargeAmount', attr(el, 'chargeAmount')),
    currency: attr(el, 'currency') ?? 'usd',
    language: attr(el, 'language') ?? 'en-US',
    ...opt('description', attr(el, 'description')),
    timeout: int(el, 'timeout', 5, 1),
    maxAttempts,
    securityCode: bool(el, 'securityCode', true),
    postalCode: postalCodeAttr === 'true' ? true : postalCodeAttr === 'false' ? false : postalCodeAttr,
    ...(minPostal === undefined ? {} : { minPostalCodeLength: int(el, 'minPostalCodeLength', 1, 1) }),
    validCardTypes: (attr(el, 'validCardTypes') ?? 'visa mastercard amex').split(/\s+/).filter(Boolean),
    prompts,
  };
}

function parsePrompt(el: Element): PromptElement {
  const forValue = attr(el, 'for');
  if (!forValue || !payPromptFors.includes(forValue)) {
    throw new TwimlParseError('invalid-attribute', `<Prompt for="${forValue ?? ''}">`);
  }
  const children = parseAudioChildren(el, 'Prompt');
  const list = (name: string) => attr(el, name)?.split(/\s+/).filter(Boolean);
  const errorType = list('errorType');
  const cardType = list('cardType');
  const attemptList = list('attempt');
  let attempt: number[] | undefined;
  if (attemptList) {
    attempt = attemptList.map((a) => {
      const n = Number(a);
      if (!Number.isInteger(n) || n < 1) throw new TwimlParseError('invalid-attribute', `<Prompt attempt="${a}">`);
      return n;
    });
  }
  return {
    for: forValue as PayPromptFor,
    ...opt('errorType', errorType),
    ...opt('attempt', attempt),
    ...opt('cardType', cardType),
    requireMatchingInputs: bool(el, 'requireMatchingInputs', false),
    children,
  };
}
