/**
 * Twilio's `IdempotencyKey` on Payments create and update: a request with a key already seen
 * (for the same call and resource) gets the first answer again, and its side effects (a new
 * session, a capture prompt, tokenization, callbacks) happen once. Only successful answers are
 * kept: a request that failed validation changed nothing, so its retry is judged afresh.
 */

export interface SavedResponse {
  status: number;
  body: unknown;
}

/** Keys kept; the oldest are forgotten past this. */
const MAX_KEYS = 10_000;

export class IdempotencyKeys {
  private readonly saved = new Map<string, SavedResponse>();

  private static scope(resource: string, key: string): string {
    return `${resource}\u0000${key}`;
  }

  /** The saved answer for this key on this resource (e.g. `CA…/Payments`, `CA…/Payments/PK…`). */
  replay(resource: string, key: string): SavedResponse | undefined {
    return this.saved.get(IdempotencyKeys.scope(resource, key));
  }

  save(resource: string, key: string, response: SavedResponse): void {
    this.saved.set(IdempotencyKeys.scope(resource, key), response);
    if (this.saved.size > MAX_KEYS) {
      const oldest = this.saved.keys().next().value;
      if (oldest !== undefined) this.saved.delete(oldest);
    }
  }
}
