/**
 * Which accounts Stripe has enabled for MOTO (mail order / telephone order) payments. Stripe
 * turns MOTO on per account, after checking PCI compliance; on any other account it does not
 * know `payment_method_options[card][moto]` and answers 400 `parameter_unknown`, "Received
 * unknown parameter: payment_method_options[card][moto]" (shared/reference/stripe.md §1). The
 * sandbox treats each secret key as an account. Default: every account has MOTO, so tests that
 * are not about it need not say so; `none` (or a list of keys) plays an account without it.
 * Programmatic as `sandbox.moto`, over HTTP as `/_sandbox/moto`. Not saved with the state.
 */
import { z } from 'zod';

/** `all` accounts, `none`, or the secret keys that have MOTO. */
export type MotoSetting = 'all' | 'none' | readonly string[];

export const motoSettingSchema = z.object({
  accounts: z.union([z.literal('all'), z.literal('none'), z.array(z.string().startsWith('sk_test_'))]),
}).strict();

export class MotoAccounts {
  private setting: MotoSetting;

  constructor(setting: MotoSetting = 'all') {
    this.setting = setting;
  }

  /** Whether Stripe would accept `payment_method_options[card][moto]` from this key's account. */
  enabledFor(apiKey: string): boolean {
    if (this.setting === 'all') return true;
    if (this.setting === 'none') return false;
    return this.setting.includes(apiKey);
  }

  get(): { accounts: MotoSetting } {
    return { accounts: this.setting };
  }

  set(setting: MotoSetting): { accounts: MotoSetting } {
    this.setting = Array.isArray(setting) ? [...setting] : setting;
    return this.get();
  }

  reset(): { accounts: MotoSetting } {
    return this.set('all');
  }
}
