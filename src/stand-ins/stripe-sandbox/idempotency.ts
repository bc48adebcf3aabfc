/**
 * Idempotent requests as Stripe documents them (https://docs.stripe.com/api/idempotent_requests):
 *
 * - Keyed by (API key, `Idempotency-Key` header); only POSTs; keys up to 255 characters.
 * - Once an endpoint has started executing, its response (status and body, errors included:
 *   402 declines, 400s from the endpoint, 500s) is saved; the same key replays it byte for byte
 *   with `Idempotent-Replayed: true`.
 * - The same key on a different endpoint or with different parameters → 400 `idempotency_error`.
 * - A request arriving while the first one with its key is still executing → 409
 *   `idempotency_key_in_use`.
 * - Nothing is saved for requests that fail before executing (401, parameter validation,
 *   injected faults) or for 409 conflicts, so those are safe to retry with the same key.
 * - Saved keys older than 24 hours are pruned; the key then runs as a new request.
 *
 * Saved records persist with the rest of the state; the in-flight set is in memory only.
 */
import { createHash } from 'node:crypto';
import { idempotencyError, idempotencyKeyInUse, invalidRequest } from './errors.js';
import { idempotencyTtlMs, type IdempotencyRecord, type Store } from './store.js';

export const maxKeyLength = 255;

export type Lookup = { kind: 'replay'; record: IdempotencyRecord } | { kind: 'new' };

export class Idempotency {
  private readonly inFlight = new Set<string>();

  constructor(private readonly store: Store) {}

  /** The storage scope of a key: a hash of the API key (never the key itself) plus the header value. */
  static scope(apiKey: string, idempotencyKey: string): string {
    const account = createHash('sha256').update(apiKey).digest('hex').slice(0, 16);
    return `${account}:${idempotencyKey}`;
  }

  static validateKey(idempotencyKey: string): void {
    if (idempotencyKey.length > maxKeyLength) {
      throw invalidRequest(
        `Invalid Idempotency-Key: keys must be at most ${maxKeyLength} characters long (got ${idempotencyKey.length}).`,
      );
    }
  }

  /**
   * Looks the key up before executing. Returns the saved response to replay, or `new` after
   * marking the key in flight (the caller must then `complete` or `release` it). Throws 409
   * while another request holds the key, 400 `idempotency_error` on a mismatch.
   */
  begin(scope: string, idempotencyKey: string, method: string, path: string, fingerprint: string): Lookup {
    if (this.inFlight.has(scope)) throw idempotencyKeyInUse();
    const state = this.store.state.idempotency;
    const record = Object.hasOwn(state, scope) ? state[scope] : undefined;
    if (record !== undefined && Date.now() - record.createdAt < idempotencyTtlMs) {
      if (record.method !== method || record.path !== path) {
        throw idempotencyError(
          `Keys for idempotent requests can only be used for the same endpoint they were first used for ('${record.method} ${record.path}' vs '${method} ${path}'). Try using a key other than '${idempotencyKey}' if you meant to execute a different request.`,
        );
      }
      if (record.fingerprint !== fingerprint) {
        throw idempotencyError(
          `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${idempotencyKey}' if you meant to execute a different request.`,
        );
      }
      return { kind: 'replay', record };
    }
    this.inFlight.add(scope);
    return { kind: 'new' };
  }

  /** Saves the response of an executed request (the caller persists the store) and frees the key. */
  complete(scope: string, record: Omit<IdempotencyRecord, 'createdAt'>): void {
    this.store.pruneIdempotency();
    this.store.state.idempotency[scope] = { ...record, createdAt: Date.now() };
    this.inFlight.delete(scope);
  }

  /** Frees the key without saving anything (the request never executed). */
  release(scope: string): void {
    this.inFlight.delete(scope);
  }
}
