/**
 * The audio verbs, <Say>, <Play> and <Pause>: alone in a document, or the only verbs allowed
 * inside <Gather> and <Prompt>.
 */
import type { Element } from '@xmldom/xmldom';
import { attr, elementChildren, int, noChildren, opt, text } from './twiml-elements.js';
import { TwimlParseError, type AudioVerb } from './twiml-verbs.js';

export function parseAudio(el: Element): AudioVerb {
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

/** The children of <Gather> or <Prompt>: audio verbs only. */
export function parseAudioChildren(el: Element, where: 'Gather' | 'Prompt'): AudioVerb[] {
  return elementChildren(el, where).map((child) => {
    if (!['Say', 'Play', 'Pause'].includes(child.nodeName)) {
      throw new TwimlParseError('invalid-nesting', `<${child.nodeName}> is not allowed inside <${where}>`);
    }
    return parseAudio(child);
  });
}
