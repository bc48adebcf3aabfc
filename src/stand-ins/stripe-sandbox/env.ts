/**
 * The sandbox's webhook and "later" settings from the environment, for `npm run stripe-sandbox`
 * and for `startStripeSandbox` callers that leave them unset (such as `npm start`):
 *
 * | env | default | |
 * | `STRIPE_SANDBOX_WEBHOOK_URL` | — | an endpoint to deliver every event to |
 * | `STRIPE_SANDBOX_WEBHOOK_SECRET` | `STRIPE_WEBHOOK_SECRET`, else generated | its `whsec_…` signing secret |
 * | `STRIPE_SANDBOX_WEBHOOK_EVENTS` | `*` | comma-separated event types it receives |
 * | `STRIPE_SANDBOX_ASYNC_DELAY_MS` | `2000` | "some time later" for refunds/disputes; `manual`: only on control calls |
 * | `STRIPE_SANDBOX_WEBHOOK_RETRY_DELAYS_MS` | `1000,5000,25000` | delays before each retry |
 * | `STRIPE_SANDBOX_WEBHOOK_TIMEOUT_MS` | `10000` | how long to wait for an endpoint |
 *
 * Falling back to `STRIPE_WEBHOOK_SECRET` (the secret paycall verifies with) lets one `.env`
 * configure both sides.
 */
import { z } from 'zod';
import type { WebhookEndpointConfig } from './webhook-endpoints.js';

const blankToUndefined = (value: unknown): unknown => (typeof value === 'string' && value.trim() === '' ? undefined : value);

const msList = z
  .string()
  .regex(/^\s*\d+(\s*,\s*\d+)*\s*$/, 'must be comma-separated milliseconds, e.g. 1000,5000,25000')
  .transform((value) => value.split(',').map((part) => Number(part.trim())));

const envSchema = z.object({
  STRIPE_SANDBOX_WEBHOOK_URL: z.preprocess(blankToUndefined, z.url({ protocol: /^https?$/ }).optional()),
  STRIPE_SANDBOX_WEBHOOK_SECRET: z.preprocess(blankToUndefined, z.string().startsWith('whsec_').optional()),
  STRIPE_WEBHOOK_SECRET: z.preprocess(blankToUndefined, z.string().optional()),
  STRIPE_SANDBOX_WEBHOOK_EVENTS: z.preprocess(blankToUndefined, z.string().optional()),
  STRIPE_SANDBOX_ASYNC_DELAY_MS: z.preprocess(
    blankToUndefined,
    z.union([z.literal('manual'), z.coerce.number().int().min(0).max(86_400_000)]).optional(),
  ),
  STRIPE_SANDBOX_WEBHOOK_RETRY_DELAYS_MS: z.preprocess(blankToUndefined, msList.optional()),
  STRIPE_SANDBOX_WEBHOOK_TIMEOUT_MS: z.preprocess(blankToUndefined, z.coerce.number().int().min(1).max(600_000).optional()),
});

export interface SandboxEnvSettings {
  webhookEndpoints: WebhookEndpointConfig[];
  /** null: transitions run only on control calls. */
  asyncDelayMs: number | null;
  webhookRetryDelaysMs?: number[];
  webhookTimeoutMs?: number;
}

export const defaultAsyncDelayMs = 2000;

/** Reads the settings above; throws with the variable's name on a bad value. */
export function sandboxSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): SandboxEnvSettings {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) throw new Error(`Stripe sandbox environment: ${z.prettifyError(parsed.error)}`);
  const e = parsed.data;
  const settings: SandboxEnvSettings = {
    webhookEndpoints: [],
    asyncDelayMs: e.STRIPE_SANDBOX_ASYNC_DELAY_MS === 'manual' ? null : (e.STRIPE_SANDBOX_ASYNC_DELAY_MS ?? defaultAsyncDelayMs),
  };
  if (e.STRIPE_SANDBOX_WEBHOOK_URL !== undefined) {
    const endpoint: WebhookEndpointConfig = { url: e.STRIPE_SANDBOX_WEBHOOK_URL };
    const secret = e.STRIPE_SANDBOX_WEBHOOK_SECRET ?? e.STRIPE_WEBHOOK_SECRET;
    if (secret !== undefined) {
      if (!secret.startsWith('whsec_')) throw new Error('Stripe sandbox environment: STRIPE_WEBHOOK_SECRET must start with whsec_');
      endpoint.secret = secret;
    }
    if (e.STRIPE_SANDBOX_WEBHOOK_EVENTS !== undefined) {
      endpoint.enabledEvents = e.STRIPE_SANDBOX_WEBHOOK_EVENTS.split(',').map((type) => type.trim()).filter((type) => type !== '');
    }
    settings.webhookEndpoints.push(endpoint);
  }
  if (e.STRIPE_SANDBOX_WEBHOOK_RETRY_DELAYS_MS !== undefined) settings.webhookRetryDelaysMs = e.STRIPE_SANDBOX_WEBHOOK_RETRY_DELAYS_MS;
  if (e.STRIPE_SANDBOX_WEBHOOK_TIMEOUT_MS !== undefined) settings.webhookTimeoutMs = e.STRIPE_SANDBOX_WEBHOOK_TIMEOUT_MS;
  return settings;
}
