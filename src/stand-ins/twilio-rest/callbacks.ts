/**
 * Payments StatusCallbacks as Twilio sends them: form POSTs signed with `X-Twilio-Signature`
 * (twilio-node's own `getExpectedTwilioSignature`, over the public URL), an
 * `I-Twilio-Idempotency-Token` each, one retry with the same token when the connection fails
 * (Twilio's default `rc=1`, `rp=ct`; an HTTP error is not retried). The phone simulator's
 * `WebhookClient` does all of that; this module adds the per-session ordering and the faults
 * tests need: deliver the next callback twice, or swap the next two.
 */
import { z } from 'zod';
import type { Logger } from '../../logging/logger.js';
import type { WebhookClient } from '../phone-simulator/http-client.js';
import { newIdempotencyToken } from '../phone-simulator/signing.js';

export const callbackFaultsPatchSchema = z.strictObject({
  /** Deliver each of the next N callbacks twice. */
  duplicateNext: z.number().int().min(0).max(100).optional(),
  /** Duplicates carry a fresh idempotency token (a content duplicate) instead of the same one (a retry). */
  duplicateWithFreshToken: z.boolean().optional(),
  /** Hold the next callback and deliver it after the one that follows it (N pairs). */
  reorderNext: z.number().int().min(0).max(100).optional(),
});
export type CallbackFaultsPatch = z.infer<typeof callbackFaultsPatchSchema>;

export interface CallbackFaultSettings {
  duplicateNext: number;
  duplicateWithFreshToken: boolean;
  reorderNext: number;
}

/** Fault injection for StatusCallbacks, shared by every session of one stand-in. */
export class CallbackFaults {
  private settings: CallbackFaultSettings = { duplicateNext: 0, duplicateWithFreshToken: false, reorderNext: 0 };

  get(): CallbackFaultSettings {
    return { ...this.settings };
  }

  set(patch: CallbackFaultsPatch): CallbackFaultSettings {
    this.settings = { ...this.settings, ...Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) };
    return this.get();
  }

  reset(): CallbackFaultSettings {
    this.settings = { duplicateNext: 0, duplicateWithFreshToken: false, reorderNext: 0 };
    return this.get();
  }

  /** The next callback is delivered twice (same idempotency token unless `freshToken`). */
  duplicateNextCallback(options: { freshToken?: boolean } = {}): void {
    this.set({ duplicateNext: this.settings.duplicateNext + 1, duplicateWithFreshToken: options.freshToken ?? false });
  }

  /** The next callback is held back and delivered right after the one that follows it. */
  reorderNextTwoCallbacks(): void {
    this.set({ reorderNext: this.settings.reorderNext + 1 });
  }

  takeDuplicate(): { freshToken: boolean } | undefined {
    if (this.settings.duplicateNext <= 0) return undefined;
    this.settings.duplicateNext--;
    return { freshToken: this.settings.duplicateWithFreshToken };
  }

  takeReorder(): boolean {
    if (this.settings.reorderNext <= 0) return false;
    this.settings.reorderNext--;
    return true;
  }
}

interface Delivery {
  url: string;
  params: Record<string, string>;
}

/**
 * One payment session's callbacks, delivered one at a time in the order they happened
 * (unless a reorder fault says otherwise). Real Twilio does not promise order; paycall must
 * cope with both, and the faults make the out-of-order case testable.
 */
export class CallbackQueue {
  private chain: Promise<void> = Promise.resolve();
  private held: Delivery | undefined;

  constructor(
    private readonly client: WebhookClient,
    private readonly faults: CallbackFaults,
    private readonly logger: Logger,
  ) {}

  enqueue(url: string, params: Record<string, string>): void {
    const delivery = { url, params };
    // setImmediate: the REST answer that caused the callback goes out first, as with Twilio.
    this.chain = this.chain.then(() => new Promise<void>((resolve) => setImmediate(resolve))).then(() => this.deliverInOrder(delivery));
  }

  /** Deliver a held (reordered) callback now; resolves when everything queued was delivered. */
  flush(): Promise<void> {
    this.chain = this.chain.then(async () => {
      const held = this.held;
      this.held = undefined;
      if (held) await this.deliver(held);
    });
    return this.chain;
  }

  private async deliverInOrder(delivery: Delivery): Promise<void> {
    if (this.held) {
      const held = this.held;
      this.held = undefined;
      await this.deliver(delivery);
      await this.deliver(held);
      return;
    }
    if (this.faults.takeReorder()) {
      this.held = delivery;
      return;
    }
    await this.deliver(delivery);
  }

  private async deliver(delivery: Delivery): Promise<void> {
    const token = newIdempotencyToken();
    // Decided before sending: a fault set once the previous callback arrived applies to this one.
    const duplicate = this.faults.takeDuplicate();
    const send = async (idempotencyToken: string) => {
      try {
        const result = await this.client.send({ kind: 'payment-status', method: 'POST', url: delivery.url, params: delivery.params, idempotencyToken });
        if (!result.ok) {
          this.logger.warn({ url: result.record.path, status: result.status, error: result.error }, 'payment status callback failed (not retried, as Twilio does)');
        }
      } catch (err) {
        this.logger.error({ err }, 'payment status callback could not be sent');
      }
    };
    await send(token);
    if (duplicate) await send(duplicate.freshToken ? newIdempotencyToken() : token);
  }
}
