/**
 * Webhook fault injection (runtime-only, like faults.ts), so a receiver can prove it dedupes by
 * event id, tolerates any order and survives retries. Counts are of deliveries (one event to
 * one endpoint), consumed as deliveries happen:
 *
 * - `duplicateNext: N` — the next N deliveries that succeed are sent once more right away (the
 *   same event, freshly signed): a receiver sees the event id twice.
 * - `reorderNext: N` (0, or 2 and more) — the next N new deliveries are held back and then sent
 *   newest first, once N have gathered or `reorderWindowMs` after the first was held.
 * - `failNext: N` — the next N delivery attempts fail: with `failMode: 'lost_response'` (the
 *   default) the request is sent but its answer is treated as lost (a timeout), so the receiver
 *   sees the event again on the retry; with `'connection'` nothing is sent (a refused
 *   connection). Either way the retry schedule runs.
 */
import { z } from 'zod';

export interface WebhookFaultSettings {
  duplicateNext: number;
  reorderNext: number;
  reorderWindowMs: number;
  failNext: number;
  failMode: 'lost_response' | 'connection';
}

export const webhookFaultPatchSchema = z
  .object({
    duplicateNext: z.number().int().min(0).optional(),
    reorderNext: z
      .number()
      .int()
      .min(0)
      .refine((n) => n !== 1, 'reorderNext must be 0 or at least 2 (one delivery has no order to change)')
      .optional(),
    reorderWindowMs: z.number().int().min(1).max(600_000).optional(),
    failNext: z.number().int().min(0).optional(),
    failMode: z.enum(['lost_response', 'connection']).optional(),
  })
  .strict();

export type WebhookFaultPatch = z.infer<typeof webhookFaultPatchSchema>;

function defaults(): WebhookFaultSettings {
  return { duplicateNext: 0, reorderNext: 0, reorderWindowMs: 1000, failNext: 0, failMode: 'lost_response' };
}

export class WebhookFaults {
  private settings: WebhookFaultSettings = defaults();
  /** How many deliveries the reorder batch in progress still wants (0: none in progress). */
  private batchRemaining = 0;

  get(): WebhookFaultSettings {
    return { ...this.settings };
  }

  /** Merges `patch` into the current settings and returns the result. Throws on invalid values. */
  set(patch: WebhookFaultPatch): WebhookFaultSettings {
    const valid = webhookFaultPatchSchema.parse(patch);
    this.settings = { ...this.settings, ...Object.fromEntries(Object.entries(valid).filter(([, v]) => v !== undefined)) };
    return this.get();
  }

  reset(): WebhookFaultSettings {
    this.settings = defaults();
    this.batchRemaining = 0;
    return this.get();
  }

  /** Consumes one injected attempt failure, if any: how it fails. */
  takeFailure(): WebhookFaultSettings['failMode'] | undefined {
    if (this.settings.failNext <= 0) return undefined;
    this.settings.failNext -= 1;
    return this.settings.failMode;
  }

  /** Consumes one duplicate, if any. */
  takeDuplicate(): boolean {
    if (this.settings.duplicateNext <= 0) return false;
    this.settings.duplicateNext -= 1;
    return true;
  }

  /**
   * For a new delivery: whether to hold it for reordering, and whether it completes the batch
   * (`release`). A batch starts with the first held delivery and takes `reorderNext` of them.
   */
  takeReorder(): { hold: boolean; release: boolean } {
    if (this.batchRemaining === 0) {
      if (this.settings.reorderNext < 2) return { hold: false, release: false };
      this.batchRemaining = this.settings.reorderNext;
      this.settings.reorderNext = 0;
    }
    this.batchRemaining -= 1;
    return { hold: true, release: this.batchRemaining === 0 };
  }

  /** Ends the batch in progress early (its window passed). */
  endReorderBatch(): void {
    this.batchRemaining = 0;
  }

  reorderWindowMs(): number {
    return this.settings.reorderWindowMs;
  }
}
