/**
 * Parameter checking in Stripe's style: an allow-list per endpoint (anything else is 400
 * `parameter_unknown` naming the full bracketed path), and typed readers whose failures carry
 * Stripe's messages. All of this runs before the idempotency layer, so these errors are never
 * saved under an Idempotency-Key (as Stripe documents for validation failures).
 */
import { invalidRequest, parameterMissing, parameterUnknown } from './errors.js';
import type { FormObject, FormValue } from './form.js';

/** `'scalar'` a string value, `'metadata'` a string→string map, `'array'` a list of scalars. */
export type ParamSpec = 'scalar' | 'metadata' | 'array' | { readonly [key: string]: ParamSpec };

function pathOf(prefix: string, key: string): string {
  return prefix === '' ? key : `${prefix}[${key}]`;
}

/** Throws `parameter_unknown` for the first parameter the spec does not allow. */
export function checkAllowed(params: FormObject, spec: { readonly [key: string]: ParamSpec }, prefix = ''): void {
  for (const key of Object.keys(params)) {
    const path = pathOf(prefix, key);
    const rule = Object.hasOwn(spec, key) ? spec[key] : undefined;
    if (rule === undefined) throw parameterUnknown(path);
    checkValue(params[key] as FormValue, rule, path);
  }
}

function checkValue(value: FormValue, rule: ParamSpec, path: string): void {
  if (rule === 'scalar') {
    if (typeof value !== 'string') throw invalidRequest(`Invalid string: ${path} must be a string.`, { param: path });
    return;
  }
  if (rule === 'array') {
    if (typeof value === 'string' && value === '') return;
    if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
      throw invalidRequest(`Invalid array: ${path} must be a list of strings.`, { param: path });
    }
    return;
  }
  if (rule === 'metadata') {
    if (value === '') return; // `metadata=` clears all keys
    if (typeof value !== 'object' || Array.isArray(value)) throw invalidRequest('Invalid object', { param: path });
    const keys = Object.keys(value);
    if (keys.length > 50) throw invalidRequest('Invalid metadata: metadata can have at most 50 keys.', { param: path });
    for (const key of keys) {
      const v = value[key];
      const keyPath = pathOf(path, key);
      if (typeof v !== 'string') throw invalidRequest(`Invalid string: ${keyPath} must be a string.`, { param: keyPath });
      if (key.length > 40) throw invalidRequest(`Invalid metadata: key ${key.slice(0, 40)}… is longer than 40 characters.`, { param: keyPath });
      if (v.length > 500) throw invalidRequest(`Invalid metadata: value for ${key} is longer than 500 characters.`, { param: keyPath });
    }
    return;
  }
  if (typeof value !== 'object' || Array.isArray(value)) throw invalidRequest('Invalid object', { param: path });
  checkAllowed(value, rule, path);
}

/** Reads one scalar by bracketed path segments (after `checkAllowed`, scalars are strings). */
export function get(params: FormObject, ...path: string[]): string | undefined {
  let node: FormValue | undefined = params;
  for (const key of path) {
    if (node === undefined || typeof node === 'string' || Array.isArray(node)) return undefined;
    node = Object.hasOwn(node, key) ? node[key] : undefined;
  }
  return typeof node === 'string' ? node : undefined;
}

function display(path: string[]): string {
  return path.length === 0 ? '' : path[0] + path.slice(1).map((p) => `[${p}]`).join('');
}

export function optString(params: FormObject, ...path: string[]): string | undefined {
  return get(params, ...path);
}

export function reqString(params: FormObject, ...path: string[]): string {
  const v = get(params, ...path);
  if (v === undefined || v === '') throw parameterMissing(display(path));
  return v;
}

export function optInt(params: FormObject, ...path: string[]): number | undefined {
  const v = get(params, ...path);
  if (v === undefined) return undefined;
  if (!/^-?\d+$/.test(v) || !Number.isSafeInteger(Number(v))) {
    throw invalidRequest(`Invalid integer: ${v}`, { code: 'parameter_invalid_integer', param: display(path) });
  }
  return Number(v);
}

export function reqInt(params: FormObject, ...path: string[]): number {
  const v = optInt(params, ...path);
  if (v === undefined) throw parameterMissing(display(path));
  return v;
}

export function optPositiveInt(params: FormObject, ...path: string[]): number | undefined {
  const v = optInt(params, ...path);
  if (v !== undefined && v < 1) {
    throw invalidRequest('Invalid positive integer', { code: 'parameter_invalid_integer', param: display(path) });
  }
  return v;
}

export function optBool(params: FormObject, ...path: string[]): boolean | undefined {
  const v = get(params, ...path);
  if (v === undefined) return undefined;
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw invalidRequest(`Invalid boolean: ${v}`, { param: display(path) });
}

export function optEnum<T extends string>(params: FormObject, allowed: readonly T[], ...path: string[]): T | undefined {
  const v = get(params, ...path);
  if (v === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(v)) {
    throw invalidRequest(`Invalid ${display(path)}: must be one of ${allowed.join(', ')}`, { param: display(path) });
  }
  return v as T;
}

export function optArray(params: FormObject, key: string): string[] | undefined {
  const v = Object.hasOwn(params, key) ? params[key] : undefined;
  if (v === undefined) return undefined;
  if (v === '') return [];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : undefined;
}

/** Metadata as given (empty-string values mean "unset this key", as in Stripe). */
export function optMetadata(params: FormObject): Record<string, string> | '' | undefined {
  const v = Object.hasOwn(params, 'metadata') ? params.metadata : undefined;
  if (v === undefined) return undefined;
  if (v === '') return '';
  const out = Object.create(null) as Record<string, string>;
  if (typeof v === 'object' && !Array.isArray(v)) {
    for (const key of Object.keys(v)) {
      const value = v[key];
      if (typeof value === 'string') out[key] = value;
    }
  }
  return out;
}

/** Applies a metadata update to a current metadata object (Stripe's merge semantics). */
export function mergeMetadata(current: Record<string, string>, update: Record<string, string> | '' | undefined): Record<string, string> {
  if (update === undefined) return current;
  if (update === '') return {};
  // Prototype-less, so a key such as `__proto__` is stored as data.
  const out = Object.assign(Object.create(null) as Record<string, string>, current);
  for (const [key, value] of Object.entries(update)) {
    if (value === '') delete out[key];
    else out[key] = value;
  }
  return out;
}

export function optCurrency(params: FormObject, key = 'currency'): string | undefined {
  const v = get(params, key);
  if (v === undefined) return undefined;
  if (!/^[a-zA-Z]{3}$/.test(v)) throw invalidRequest(`Invalid currency: ${v.toLowerCase()}`, { param: key });
  return v.toLowerCase();
}
