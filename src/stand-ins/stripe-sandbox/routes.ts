/**
 * How an endpoint plugs into the dispatcher (server.ts). `prepare` validates the parameters and
 * throws Stripe-shaped 400s before anything runs (never saved under an Idempotency-Key); `run`
 * executes against the store and returns the response object, or throws a Stripe-shaped error
 * that is saved like a success would be.
 */
import type { EventRequest } from './event-objects.js';
import type { EventLog } from './events.js';
import type { FormObject } from './form.js';
import type { Lifecycle } from './lifecycle.js';
import type { MotoAccounts } from './moto-accounts.js';
import type { Store } from './store.js';

/** What endpoints with side effects work with: the state, the event log, the "later" scheduler, the accounts' MOTO. */
export interface SandboxContext {
  store: Store;
  events: EventLog;
  lifecycle: Lifecycle;
  moto: MotoAccounts;
}

/** Who is asking: the request's secret key (the sandbox's "account"). */
export interface RequestFacts {
  apiKey: string;
}

export interface Execution {
  /** Set by `run` when a charge was attempted (success or decline): the drop-after-charge fault applies. */
  charged: boolean;
  /** The request being executed, for the `request` field of the events it causes. */
  request: EventRequest;
}

export interface Prepared {
  run(exec: Execution): unknown;
}

export interface Route {
  method: 'GET' | 'POST' | 'DELETE';
  /** Matched against the whole path; capture groups are the path parameters. */
  pattern: RegExp;
  prepare(params: FormObject, pathParams: string[], request: RequestFacts): Prepared;
}

export function own<T>(map: Record<string, T>, key: string): T | undefined {
  return Object.hasOwn(map, key) ? map[key] : undefined;
}

/** JSON deep copy, for objects embedded in an error body or a list. */
export function snapshot<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
