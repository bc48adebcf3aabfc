/**
 * Stripe's request encoding: `application/x-www-form-urlencoded` with bracketed nested keys
 * (`metadata[call_sid]=CA1`, `payment_method_options[card][moto]=true`,
 * `allowed_payment_method_types[0]=card` or `allowed_payment_method_types[]=card`). The same
 * syntax is used for GET query strings.
 *
 * Objects are built without a prototype so hostile keys (`__proto__`) are plain data.
 */
import { createHash } from 'node:crypto';
import { invalidRequest } from './errors.js';

export type FormValue = string | FormValue[] | FormObject;
export interface FormObject {
  [key: string]: FormValue;
}

/** Object whose keys are array indexes while the tree is being built. */
const arrayMarker = Symbol('array');
type Building = { [key: string]: Building | string } & { [arrayMarker]?: true };

function newNode(): Building {
  return Object.create(null) as Building;
}

function decode(component: string): string {
  try {
    return decodeURIComponent(component.replace(/\+/g, ' '));
  } catch {
    throw invalidRequest(`Invalid URL encoding in request: ${component.slice(0, 40)}`);
  }
}

/** `a[b][c]` → `['a', 'b', 'c']`; `a[]` → `['a', '']`. A malformed key stays one segment. */
export function keySegments(key: string): string[] {
  const match = /^([^[\]]+)((?:\[[^[\]]*\])*)$/.exec(key);
  if (!match || match[1] === undefined) return [key];
  const segments = [match[1]];
  const rest = match[2] ?? '';
  for (const m of rest.matchAll(/\[([^[\]]*)\]/g)) segments.push(m[1] ?? '');
  return segments;
}

export function parseForm(raw: string): FormObject {
  const root = newNode();
  if (raw.trim() === '') return finish(root) as FormObject;
  for (const pair of raw.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const key = decode(eq === -1 ? pair : pair.slice(0, eq));
    const value = eq === -1 ? '' : decode(pair.slice(eq + 1));
    if (key === '') continue;
    const segments = keySegments(key);
    let node = root;
    for (let i = 0; i < segments.length; i++) {
      let segment = segments[i] ?? '';
      const isLast = i === segments.length - 1;
      if (segment === '' && i > 0) {
        // `a[]`: append at the next index.
        node[arrayMarker] = true;
        segment = String(Object.keys(node).length);
      } else if (i > 0 && /^\d+$/.test(segment)) {
        node[arrayMarker] = true;
      }
      const path = segments.slice(0, i + 1).join('][');
      if (isLast) {
        if (typeof node[segment] === 'object') throw conflicting(path);
        node[segment] = value;
      } else {
        const existing = node[segment];
        if (typeof existing === 'string') throw conflicting(path);
        if (existing === undefined) {
          const child = newNode();
          node[segment] = child;
          node = child;
        } else {
          node = existing;
        }
      }
    }
  }
  return finish(root) as FormObject;
}

function conflicting(path: string): Error {
  const name = path.replace('][', '[') + (path.includes('][') ? ']' : '');
  return invalidRequest(`Invalid request: conflicting values for parameter ${name}.`);
}

function finish(node: Building): FormValue {
  const keys = Object.keys(node);
  if (node[arrayMarker] === true && keys.every((k) => /^\d+$/.test(k))) {
    return keys
      .map(Number)
      .sort((a, b) => a - b)
      .map((k) => {
        const child = node[String(k)];
        return typeof child === 'string' ? child : finish(child as Building);
      });
  }
  const out = Object.create(null) as FormObject;
  for (const key of keys) {
    const child = node[key];
    out[key] = typeof child === 'string' ? child : finish(child as Building);
  }
  return out;
}

/** JSON with sorted object keys, so equal parameter sets serialize identically. */
export function canonicalJson(value: FormValue | undefined): string {
  if (value === undefined) return 'null';
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const keys = Object.keys(value).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(',')}}`;
}

export function fingerprint(value: FormObject): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex');
}
