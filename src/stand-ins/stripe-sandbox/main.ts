/**
 * `npm run stripe-sandbox`: runs the Stripe sandbox alone.
 *   STRIPE_SANDBOX_PORT (default 12111, stripe-mock's port), STRIPE_SANDBOX_HOST (default
 *   127.0.0.1), DATA_DIR (default .data; state in $DATA_DIR/stripe-sandbox/state.json), and the
 *   webhook settings of env.ts (STRIPE_SANDBOX_WEBHOOK_URL, …).
 * Prints each configured webhook endpoint with its signing secret, as `stripe listen` does.
 * Stops cleanly (state written) on SIGINT/SIGTERM.
 */
import { createLogger } from '../../logging/logger.js';
import { startStripeSandbox } from './server.js';

const logger = createLogger('stripe-sandbox');

function portFromEnv(value: string | undefined): number {
  if (value === undefined || value === '') return 12111;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`STRIPE_SANDBOX_PORT must be a TCP port number, got ${JSON.stringify(value)}`);
  }
  return port;
}

const sandbox = await startStripeSandbox({
  port: portFromEnv(process.env.STRIPE_SANDBOX_PORT),
  host: process.env.STRIPE_SANDBOX_HOST || '127.0.0.1',
  dataDir: process.env.DATA_DIR || '.data',
  logger,
});

console.log(`Stripe sandbox listening on ${sandbox.url}`);
console.log(`  stripe client: new Stripe('sk_test_…', { host: '${sandbox.host}', port: ${sandbox.port}, protocol: 'http' })`);
for (const endpoint of sandbox.webhooks.endpoints()) {
  console.log(`  webhooks → ${endpoint.url} (${endpoint.enabled_events.join(', ')}), signing secret ${endpoint.secret}`);
}

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stripe sandbox stopping');
    sandbox.close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'stripe sandbox did not stop cleanly');
        process.exit(1);
      },
    );
  });
}
