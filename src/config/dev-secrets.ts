/**
 * Secrets a laptop run needs but nobody configured: the token Twilio signs webhooks with
 * (the phone simulator reads the same file), the operator API token and the secret the
 * local Stripe sandbox signs its webhooks with (STRIPE_WEBHOOK_SECRET). When the variable
 * is unset, paycall makes a random one once and keeps it under DATA_DIR. In production
 * both come from the environment.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

export const devSecretFiles = {
  twilioAuthToken: 'twilio-dev-auth-token',
  operatorToken: 'operator-dev-token',
  /** The key of the codec link `npm start` gives its dev server's Web UI (CODEC_UI_KEY). */
  codecUiKey: 'codec-ui-dev-key',
  stripeWebhookSecret: 'stripe-webhook-dev-secret',
} as const;

export interface ResolvedSecret {
  token: string;
  source: 'environment' | 'dev-file' | 'generated';
  file?: string;
}

export async function resolveDevSecret(configured: string | undefined, dataDir: string, fileName: string, prefix = ''): Promise<ResolvedSecret> {
  if (configured) return { token: configured, source: 'environment' };
  const file = path.join(dataDir, fileName);
  try {
    const token = (await readFile(file, 'utf8')).trim();
    if (token) return { token, source: 'dev-file', file };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const token = `${prefix}${randomBytes(16).toString('hex')}`;
  await mkdir(dataDir, { recursive: true });
  await writeFile(file, `${token}\n`, { mode: 0o600 });
  return { token, source: 'generated', file };
}

export function resolveTwilioAuthToken(configured: string | undefined, dataDir: string): Promise<ResolvedSecret> {
  return resolveDevSecret(configured, dataDir, devSecretFiles.twilioAuthToken);
}

/** Stripe's endpoint secrets look like `whsec_…`; the sandbox insists on it. */
export function resolveStripeWebhookSecret(configured: string | undefined, dataDir: string): Promise<ResolvedSecret> {
  return resolveDevSecret(configured, dataDir, devSecretFiles.stripeWebhookSecret, 'whsec_');
}
