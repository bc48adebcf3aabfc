/**
 * TwiML (voice) → typed verbs. Strict like Twilio: a document that is not well-formed XML,
 * whose root is not <Response>, that contains an unknown verb or a verb nested where Twilio
 * does not allow it fails as a whole (Twilio error 12100, the caller hears the
 * application-error message). Valid Twilio verbs this simulator does not emulate parse as
 * `Unsupported` so the session can report them by name. Here: the document and the verbs
 * other than <Pay> (twiml-pay.ts) and the audio verbs (twiml-audio.ts).
 */
import { DOMParser, type Element } from '@xmldom/xmldom';
import { parseAudio, parseAudioChildren } from './twiml-audio.js';
import { ELEMENT_NODE, attr, bool, elementChildren, int, method, noChildren, opt, text } from './twiml-elements.js';
import { parsePay } from './twiml-pay.js';
import { TwimlParseError, type DialVerb, type GatherVerb, type Verb } from './twiml-verbs.js';

// The verb types live in twiml-verbs.ts; importers of this module get them from here too.
export {
  TwimlParseError,
  type AudioVerb,
  type DialVerb,
  type EnqueueVerb,
  type GatherVerb,
  type HangupVerb,
  type HttpMethod,
  type PauseVerb,
  type PayPromptFor,
  type PayVerb,
  type PlayVerb,
  type PromptElement,
  type RedirectVerb,
  type RejectVerb,
  type SayVerb,
  type TwimlErrorCode,
  type UnsupportedVerb,
  type Verb,
} from './twiml-verbs.js';

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

function parseGather(el: Element): GatherVerb {
  const children = parseAudioChildren(el, 'Gather');
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
