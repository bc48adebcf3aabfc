/**
 * The token Twilio signs webhooks with. In production: TWILIO_AUTH_TOKEN. Locally, with
 * none configured, paycall makes a random dev token once and keeps it in
 * `<DATA_DIR>/twilio-dev-auth-token`, where the phone simulator finds it.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

export const devAuthTokenFileName = 'twilio-dev-auth-token';

export interface ResolvedAuthToken {
  token: string;
  source: 'environment' | 'dev-file' | 'generated';
  file?: string;
}

export async function resolveTwilioAuthToken(configured: string | undefined, dataDir: string): Promise<ResolvedAuthToken> {
  if (configured) return { token: configured, source: 'environment' };
  const file = path.join(dataDir, devAuthTokenFileName);
  try {
    const token = (await readFile(file, 'utf8')).trim();
    if (token) return { token, source: 'dev-file', file };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const token = randomBytes(16).toString('hex');
  await mkdir(dataDir, { recursive: true });
  await writeFile(file, `${token}\n`, { mode: 0o600 });
  return { token, source: 'generated', file };
}
