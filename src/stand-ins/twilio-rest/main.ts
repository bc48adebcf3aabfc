/**
 * `npm run twilio-stand-in`: runs the Twilio REST stand-in alone (`npm start` runs it in
 * paycall's process). Environment (and .env):
 *   TWILIO_STAND_IN_PORT (default 12112), TWILIO_STAND_IN_HOST (default 127.0.0.1),
 *   TWILIO_AUTH_TOKEN, else the dev token `npm start` keeps in $DATA_DIR/twilio-dev-auth-token,
 *   TWILIO_ACCOUNT_SID (optional: accept only this account),
 *   STRIPE_SANDBOX_URL, else http://127.0.0.1:$STRIPE_SANDBOX_PORT (default 12111), to tokenize,
 *   PORT and PUBLIC_BASE_URL: StatusCallbacks to PUBLIC_BASE_URL go to http://localhost:$PORT.
 * Stops cleanly on SIGINT/SIGTERM.
 */
import { createLogger } from '../../logging/logger.js';
import { AuthTokenError, resolveAuthToken } from '../phone-simulator/signing.js';
import { DEFAULT_TWILIO_STAND_IN_PORT, startTwilioStandIn } from './server.js';

const logger = createLogger('twilio-stand-in');

function portFromEnv(name: string, fallback: number): number {
  const value = process.env[name];
  if (value === undefined || value === '') return fallback;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`${name} must be a TCP port number, got ${JSON.stringify(value)}`);
  return port;
}

let authToken: string;
try {
  authToken = resolveAuthToken();
} catch (err) {
  if (!(err instanceof AuthTokenError)) throw err;
  console.error(`twilio-stand-in: ${err.message}`);
  process.exit(2);
}

const appPort = portFromEnv('PORT', 3000);
const appUrl = `http://localhost:${appPort}`;
const standIn = await startTwilioStandIn({
  port: portFromEnv('TWILIO_STAND_IN_PORT', DEFAULT_TWILIO_STAND_IN_PORT),
  host: process.env.TWILIO_STAND_IN_HOST || '127.0.0.1',
  authToken,
  ...(process.env.TWILIO_ACCOUNT_SID ? { accountSid: process.env.TWILIO_ACCOUNT_SID } : {}),
  stripeUrl: process.env.STRIPE_SANDBOX_URL || `http://127.0.0.1:${portFromEnv('STRIPE_SANDBOX_PORT', 12111)}`,
  publicBaseUrl: (process.env.PUBLIC_BASE_URL || appUrl).replace(/\/+$/, ''),
  appUrl,
  logger,
});

console.log(`Twilio REST stand-in listening on ${standIn.url}`);
console.log(`  twilio client: const client = twilio(accountSid, authToken); client.api.baseUrl = '${standIn.url}';`);
console.log(`  phone simulator: npm run call -- --twilio-url ${standIn.url}   (default: this port)`);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'twilio stand-in stopping');
    standIn.close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'twilio stand-in did not stop cleanly');
        process.exit(1);
      },
    );
  });
}
