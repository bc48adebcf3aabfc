/**
 * How an endpoint plugs into the dispatcher (server.ts). `prepare` validates the parameters and
 * throws Stripe-shaped 400s before anything runs (never saved under an Idempotency-Key); `run`
 * executes against the store and returns the response object, or throws a Stripe-shaped error
 * that is saved like a success would be.
 */
import type { FormObject } from './form.js';

export interface Execution {
  /** Set by `run` when a charge was attempted (success or decline): the drop-after-charge fault applies. */
  charged: boolean;
}

export interface Prepared {
  run(exec: Execution): unknown;
}

export interface Route {
  method: 'GET' | 'POST';
  /** Matched against the whole path; capture groups are the path parameters. */
  pattern: RegExp;
  prepare(params: FormObject, pathParams: string[]): Prepared;
}

export function own<T>(map: Record<string, T>, key: string): T | undefined {
  return Object.hasOwn(map, key) ? map[key] : undefined;
}

/** JSON deep copy, for objects embedded in an error body or a list. */
export function snapshot<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
