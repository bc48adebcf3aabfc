/**
 * Reading TwiML elements as strictly as Twilio does: element children with no stray text,
 * no children where a verb takes none, attributes as integers, booleans or HTTP methods
 * (anything else is a TwimlParseError 'invalid-attribute'), and whitespace-collapsed text.
 */
import type { Element } from '@xmldom/xmldom';
import { TwimlParseError, type HttpMethod } from './twiml-verbs.js';

export const ELEMENT_NODE = 1;
const TEXT_NODE = 3;
const CDATA_NODE = 4;

/** Element children; any non-whitespace text between them is an error. */
export function elementChildren(el: Element, where: string): Element[] {
  const out: Element[] = [];
  for (let node = el.firstChild; node; node = node.nextSibling) {
    if (node.nodeType === ELEMENT_NODE) out.push(node as Element);
    else if ((node.nodeType === TEXT_NODE || node.nodeType === CDATA_NODE) && (node.nodeValue ?? '').trim()) {
      throw new TwimlParseError('invalid-nesting', `stray text inside <${where}>: "${(node.nodeValue ?? '').trim().slice(0, 40)}"`);
    }
  }
  return out;
}

export function noChildren(el: Element): void {
  for (let node = el.firstChild; node; node = node.nextSibling) {
    if (node.nodeType === ELEMENT_NODE) {
      throw new TwimlParseError('invalid-nesting', `<${node.nodeName}> is not allowed inside <${el.nodeName}>`);
    }
  }
}

export function text(el: Element): string {
  return (el.textContent ?? '').replace(/\s+/g, ' ').trim();
}

export function attr(el: Element, name: string): string | undefined {
  return el.hasAttribute(name) ? (el.getAttribute(name) ?? '') : undefined;
}

export function int(el: Element, name: string, fallback: number, min: number): number {
  const raw = attr(el, name);
  if (raw === undefined) return fallback;
  const n = Number(raw.trim());
  if (!/^\d+$/.test(raw.trim()) || n < min) {
    throw new TwimlParseError('invalid-attribute', `<${el.nodeName} ${name}="${raw}">: expected an integer ≥ ${min}`);
  }
  return n;
}

export function bool(el: Element, name: string, fallback: boolean): boolean {
  const raw = attr(el, name);
  if (raw === undefined) return fallback;
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  throw new TwimlParseError('invalid-attribute', `<${el.nodeName} ${name}="${raw}">: expected true or false`);
}

export function method(el: Element, name: string): HttpMethod {
  const raw = attr(el, name);
  if (raw === undefined) return 'POST';
  const upper = raw.toUpperCase();
  if (upper !== 'GET' && upper !== 'POST') {
    throw new TwimlParseError('invalid-attribute', `<${el.nodeName} ${name}="${raw}">: expected GET or POST`);
  }
  return upper;
}

export function opt<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
