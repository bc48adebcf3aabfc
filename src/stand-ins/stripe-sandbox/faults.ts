/**
 * Fault injection. Settings are runtime-only (not persisted) and apply to /v1 requests:
 *
 * - `failNext: N` — the next N /v1 requests answer `failStatus` (default 500) with a Stripe
 *   `api_error` body (429 gets Stripe's rate-limit body) without doing anything: nothing is
 *   executed and nothing is saved under the Idempotency-Key, so a retry with the same key runs.
 * - `latencyMs` — every /v1 response is delayed by this much (an idempotent request holds its
 *   key during the delay, so a concurrent duplicate gets 409).
 * - `dropAfterChargeNext: N` — the next N PaymentIntent confirmations (create with
 *   `confirm=true`, or `/confirm`) run and their response is saved under the Idempotency-Key,
 *   then the connection is destroyed instead of answered. A retry with the same key replays the
 *   saved response.
 */
import { z } from 'zod';

export interface FaultSettings {
  failNext: number;
  failStatus: number;
  latencyMs: number;
  dropAfterChargeNext: number;
}

export const faultPatchSchema = z
  .object({
    failNext: z.number().int().min(0).optional(),
    failStatus: z.number().int().min(400).max(599).optional(),
    latencyMs: z.number().int().min(0).max(120_000).optional(),
    dropAfterChargeNext: z.number().int().min(0).optional(),
  })
  .strict();

export type FaultPatch = z.infer<typeof faultPatchSchema>;

function defaults(): FaultSettings {
  return { failNext: 0, failStatus: 500, latencyMs: 0, dropAfterChargeNext: 0 };
}

export class Faults {
  private settings: FaultSettings = defaults();

  /** Current settings (a copy). */
  get(): FaultSettings {
    return { ...this.settings };
  }

  /** Merges `patch` into the current settings and returns the result. Throws on invalid values. */
  set(patch: FaultPatch): FaultSettings {
    const valid = faultPatchSchema.parse(patch);
    for (const [key, value] of Object.entries(valid) as Array<[keyof FaultSettings, number | undefined]>) {
      if (value !== undefined) this.settings[key] = value;
    }
    return this.get();
  }

  reset(): FaultSettings {
    this.settings = defaults();
    return this.get();
  }

  /** Consumes one injected failure, if any: the status to answer with. */
  takeFailure(): number | undefined {
    if (this.settings.failNext <= 0) return undefined;
    this.settings.failNext -= 1;
    return this.settings.failStatus;
  }

  /** Consumes one "drop after charge", if any. */
  takeDrop(): boolean {
    if (this.settings.dropAfterChargeNext <= 0) return false;
    this.settings.dropAfterChargeNext -= 1;
    return true;
  }

  latencyMs(): number {
    return this.settings.latencyMs;
  }
}
