/**
 * The stateless baseline IVR as its own process (started by the benchmark): the Stripe
 * sandbox beside it, as `npm start` runs paycall's, and the webhooks on the given port.
 */
import { sandboxSecretKey } from '../../../src/worker/activity-deps.js';
import { createStripeClient } from '../../../src/stripe/stripe-client.js';
import { loadOrders, readSettings, referenceApp, serve, startSandbox } from './reference-server.js';
import { mountStatelessIvr } from './stateless-ivr.js';

const settings = readSettings();
const sandbox = await startSandbox(settings);
const stripe = createStripeClient({ secretKey: sandboxSecretKey, apiBase: sandbox.url });
const orders = await loadOrders(settings.ordersFile);
const app = referenceApp(settings, (router) =>
  mountStatelessIvr(router, { stripe, orders, publicBaseUrl: settings.publicBaseUrl, paymentConnector: 'Default' }),
);
await serve(app, settings, [() => sandbox.close()]);
