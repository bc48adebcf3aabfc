/**
 * TwiML (voice) → typed verbs. Strict like Twilio: a document that is not well-formed XML,
 * whose root is not <Response>, that contains an unknown verb or a verb nested where Twilio
 * does not allow it fails as a whole (Twilio error 12100, the caller hears the
 * application-error message). Valid Twilio verbs this simulator does not emulate parse as
 * `Unsupported` so the session can report them by name.
 */
import { DOMParser, type Element } from '@xmldom/xmldom';

export type HttpMethod = 'GET' | 'POST';

export interface SayVerb {
  verb: 'Say';
  text: string;
  language?: string;
  voice?: string;
  loop: number;
}
export interface PlayVerb {
  verb: 'Play';
  url: string;
  loop: number;
  digits?: string;
}
export interface PauseVerb {
  verb: 'Pause';
  /** Seconds. */
  length: number;
}
export type AudioVerb = SayVerb | PlayVerb | PauseVerb;

export interface GatherVerb {
  verb: 'Gather';
  action?: string;
  method: HttpMethod;
  numDigits?: number;
  /** '' means no finish key. */
  finishOnKey: string;
  /** Seconds of silence before Gather gives up (or submits what it has). */
  timeout: number;
  actionOnEmptyResult: boolean;
  input: string[];
  language?: string;
  children: AudioVerb[];
}

export type PayPromptFor =
  | 'payment-card-number'
  | 'expiration-date'
  | 'security-code'
  | 'postal-code'
  | 'bank-routing-number'
  | 'bank-account-number'
  | 'payment-processing';
const payPromptFors: readonly string[] = [
  'payment-card-number',
  'expiration-date',
  'security-code',
  'postal-code',
  'bank-routing-number',
  'bank-account-number',
  'payment-processing',
];

export interface PromptElement {
  for: PayPromptFor;
  errorType?: string[];
  attempt?: number[];
  cardType?: string[];
  requireMatchingInputs: boolean;
  children: AudioVerb[];
}

export interface PayVerb {
  verb: 'Pay';
  action?: string;
  statusCallback?: string;
  statusCallbackMethod: HttpMethod;
  input: string;
  paymentMethod: string;
  paymentConnector: string;
  tokenType: string;
  chargeAmount?: string;
  currency: string;
  language: string;
  description?: string;
  /** Seconds to wait for the next digit. */
  timeout: number;
  maxAttempts: number;
  securityCode: boolean;
  /** true/false, or a literal postal code passed to the gateway (then not asked). */
  postalCode: boolean | string;
  minPostalCodeLength?: number;
  validCardTypes: string[];
  prompts: PromptElement[];
}

export interface RedirectVerb {
  verb: 'Redirect';
  url: string;
  method: HttpMethod;
}
export interface HangupVerb {
  verb: 'Hangup';
}
export interface RejectVerb {
  verb: 'Reject';
  reason: 'rejected' | 'busy';
}
export interface DialVerb {
  verb: 'Dial';
  /** Where the call goes: a number, or `client:…`, `sip:…`, `queue:…`, `conference:…`. */
  to: string[];
  /** Requested with `DialCallStatus` when the dialled leg ends; without it the document goes on. */
  action?: string;
  /** For `action`; Twilio's default is POST. */
  method?: HttpMethod;
  /** Seconds to ring (the simulator's operator answers at once). */
  timeout?: number;
  /** Longest the dialled call may last, seconds (Twilio's default 14400). */
  timeLimit?: number;
  callerId?: string;
}
export interface EnqueueVerb {
  verb: 'Enqueue';
  queue: string;
}
/** A real Twilio verb that this simulator does not emulate (Record, Connect, …). */
export interface UnsupportedVerb {
  verb: 'Unsupported';
  name: string;
}

export type Verb =
  | SayVerb
  | PlayVerb
  | PauseVerb
  | GatherVerb
  | PayVerb
  | RedirectVerb
  | HangupVerb
  | RejectVerb
  | DialVerb
  | EnqueueVerb
  | UnsupportedVerb;

export type TwimlErrorCode = 'not-xml' | 'not-twiml' | 'unknown-verb' | 'invalid-nesting' | 'invalid-attribute';

export class TwimlParseError extends Error {
  override name = 'TwimlParseError';
  constructor(
    readonly code: TwimlErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** Verbs Twilio knows that the simulator reports as unsupported instead of emulating. */
const unsupportedVerbs = new Set(['Record', 'Connect', 'Leave', 'Refer', 'Start', 'Stop', 'Echo', 'Sms', 'Message', 'Queue']);

export function parseTwiml(xml: string): Verb[] {
  if (!xml.trim()) throw new TwimlParseError('not-xml', 'empty document');
  let root: Element | null;
  try {
    const doc = new DOMParser({
      onError: (level, message) => {
        if (level !== 'warning') throw new Error(message);
      },
    }).parseFromString(xml, 'text/xml');
    root = doc.documentElement;
  } catch (err) {
    const message = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw new TwimlParseError('not-xml', `not well-formed XML: ${message}`);
  }
  if (!root || root.nodeName !== 'Response') {
    throw new TwimlParseError('not-twiml', `root element is <${root?.nodeName ?? '?'}>, not <Response>`);
  }
  return elementChildren(root, 'Response').map(parseVerb);
}

function parseVerb(el: Element): Verb {
  const name = el.nodeName;
  switch (name) {
    case 'Say':
    case 'Play':
    case 'Pause':
      return parseAudio(el);
    case 'Gather':
      return parseGather(el);
    case 'Pay':
      return parsePay(el);
    case 'Redirect': {
      noChildren(el);
      const url = text(el);
      if (!url) throw new TwimlParseError('invalid-attribute', '<Redirect> has no URL');
      return { verb: 'Redirect', url, method: method(el, 'method') };
    }
    case 'Hangup':
      noChildren(el);
      return { verb: 'Hangup' };
    case 'Reject': {
      noChildren(el);
      const reason = attr(el, 'reason') ?? 'rejected';
      if (reason !== 'rejected' && reason !== 'busy') {
        throw new TwimlParseError('invalid-attribute', `<Reject reason="${reason}">`);
      }
      return { verb: 'Reject', reason };
    }
    case 'Dial':
      return parseDial(el);
    case 'Enqueue': {
      noChildren(el);
      return { verb: 'Enqueue', queue: text(el) };
    }
    default:
      if (unsupportedVerbs.has(name)) return { verb: 'Unsupported', name };
      throw new TwimlParseError('unknown-verb', `unknown verb <${name}>`);
  }
}

function parseAudio(el: Element): AudioVerb {
  noChildren(el);
  switch (el.nodeName) {
    case 'Say':
      return {
        verb: 'Say',
        text: text(el),
        ...opt('language', attr(el, 'language')),
        ...opt('voice', attr(el, 'voice')),
        loop: int(el, 'loop', 1, 0),
      };
    case 'Play':
      return { verb: 'Play', url: text(el), loop: int(el, 'loop', 1, 0), ...opt('digits', attr(el, 'digits')) };
    default:
      return { verb: 'Pause', length: int(el, 'length', 1, 0) };
  }
}

function parseGather(el: Element): GatherVerb {
  const children = elementChildren(el, 'Gather').map((child) => {
    if (!['Say', 'Play', 'Pause'].includes(child.nodeName)) {
      throw new TwimlParseError('invalid-nesting', `<${child.nodeName}> is not allowed inside <Gather>`);
    }
    return parseAudio(child);
  });
  const numDigits = attr(el, 'numDigits');
  return {
    verb: 'Gather',
    ...opt('action', attr(el, 'action')),
    method: method(el, 'method'),
    ...(numDigits === undefined ? {} : { numDigits: int(el, 'numDigits', 1, 1) }),
    finishOnKey: attr(el, 'finishOnKey') ?? '#',
    timeout: int(el, 'timeout', 5, 0),
    actionOnEmptyResult: bool(el, 'actionOnEmptyResult', false),
    input: (attr(el, 'input') ?? 'dtmf').split(/\s+/).filter(Boolean),
    ...opt('language', attr(el, 'language')),
    children,
  };
}

function parsePay(el: Element): PayVerb {
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
  const children = elementChildren(el, 'Prompt').map((child) => {
    if (!['Say', 'Play', 'Pause'].includes(child.nodeName)) {
      throw new TwimlParseError('invalid-nesting', `<${child.nodeName}> is not allowed inside <Prompt>`);
    }
    return parseAudio(child);
  });
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

function parseDial(el: Element): DialVerb {
  const attributes = {
    ...opt('action', attr(el, 'action')),
    ...(attr(el, 'method') === undefined ? {} : { method: method(el, 'method') }),
    ...(attr(el, 'timeout') === undefined ? {} : { timeout: int(el, 'timeout', 30, 1) }),
    ...(attr(el, 'timeLimit') === undefined ? {} : { timeLimit: int(el, 'timeLimit', 14400, 1) }),
    ...opt('callerId', attr(el, 'callerId')),
  };
  const hasElements = Array.from({ length: el.childNodes.length }, (_, i) => el.childNodes.item(i)).some(
    (n) => n?.nodeType === ELEMENT_NODE,
  );
  const nouns = hasElements ? elementChildren(el, 'Dial') : [];
  if (nouns.length === 0) {
    const number = text(el);
    if (!number) throw new TwimlParseError('invalid-attribute', '<Dial> has nothing to dial');
    return { verb: 'Dial', to: [number], ...attributes };
  }
  const to = nouns.map((noun) => {
    switch (noun.nodeName) {
      case 'Number':
        return text(noun);
      case 'Client':
        return `client:${text(noun)}`;
      case 'Sip':
        return text(noun);
      case 'Queue':
        return `queue:${text(noun)}`;
      case 'Conference':
        return `conference:${text(noun)}`;
      case 'Sim':
        return `sim:${text(noun)}`;
      case 'Application':
        return `application:${text(noun)}`;
      default:
        throw new TwimlParseError('invalid-nesting', `<${noun.nodeName}> is not allowed inside <Dial>`);
    }
  });
  return { verb: 'Dial', to, ...attributes };
}

// ---- DOM helpers ----

const ELEMENT_NODE = 1;
const TEXT_NODE = 3;
const CDATA_NODE = 4;

/** Element children; any non-whitespace text between them is an error. */
function elementChildren(el: Element, where: string): Element[] {
  const out: Element[] = [];
  for (let node = el.firstChild; node; node = node.nextSibling) {
    if (node.nodeType === ELEMENT_NODE) out.push(node as Element);
    else if ((node.nodeType === TEXT_NODE || node.nodeType === CDATA_NODE) && (node.nodeValue ?? '').trim()) {
      throw new TwimlParseError('invalid-nesting', `stray text inside <${where}>: "${(node.nodeValue ?? '').trim().slice(0, 40)}"`);
    }
  }
  return out;
}

function noChildren(el: Element): void {
  for (let node = el.firstChild; node; node = node.nextSibling) {
    if (node.nodeType === ELEMENT_NODE) {
      throw new TwimlParseError('invalid-nesting', `<${node.nodeName}> is not allowed inside <${el.nodeName}>`);
    }
  }
}

function text(el: Element): string {
  return (el.textContent ?? '').replace(/\s+/g, ' ').trim();
}

function attr(el: Element, name: string): string | undefined {
  return el.hasAttribute(name) ? (el.getAttribute(name) ?? '') : undefined;
}

function int(el: Element, name: string, fallback: number, min: number): number {
  const raw = attr(el, name);
  if (raw === undefined) return fallback;
  const n = Number(raw.trim());
  if (!/^\d+$/.test(raw.trim()) || n < min) {
    throw new TwimlParseError('invalid-attribute', `<${el.nodeName} ${name}="${raw}">: expected an integer ≥ ${min}`);
  }
  return n;
}

function bool(el: Element, name: string, fallback: boolean): boolean {
  const raw = attr(el, name);
  if (raw === undefined) return fallback;
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  throw new TwimlParseError('invalid-attribute', `<${el.nodeName} ${name}="${raw}">: expected true or false`);
}

function method(el: Element, name: string): HttpMethod {
  const raw = attr(el, name);
  if (raw === undefined) return 'POST';
  const upper = raw.toUpperCase();
  if (upper !== 'GET' && upper !== 'POST') {
    throw new TwimlParseError('invalid-attribute', `<${el.nodeName} ${name}="${raw}">: expected GET or POST`);
  }
  return upper;
}

function opt<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
