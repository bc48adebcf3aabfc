/**
 * Webhook endpoints, as stripe-node's `webhookEndpoints` resource calls them:
 *   POST /v1/webhook_endpoints (`url`, `enabled_events[]` required; `api_version`, `description`,
 *   `metadata`, `connect`) → the endpoint with its `secret` (`whsec_…`), shown only here;
 *   GET /v1/webhook_endpoints/:id, POST /v1/webhook_endpoints/:id (`url`, `enabled_events`,
 *   `description`, `metadata`, `disabled`), GET /v1/webhook_endpoints (pagination),
 *   DELETE /v1/webhook_endpoints/:id → `{ id, object, deleted: true }`.
 *
 * Unlike Stripe, local `http://` URLs are accepted (that is what the sandbox is for). Endpoints
 * can also come from the sandbox's start options or env (`configureEndpoints`): those are
 * replaced on every start and keep their secret across restarts when none is given.
 */
import { randomBytes } from 'node:crypto';
import { invalidRequest, parameterMissing, resourceMissing } from './errors.js';
import type { WebhookEndpointObject } from './event-objects.js';
import type { FormObject } from './form.js';
import { newId, nowSeconds } from './objects.js';
import { paginate, readPage } from './pagination.js';
import { checkAllowed, mergeMetadata, optArray, optBool, optMetadata, optString, type ParamSpec } from './params.js';
import { own, snapshot, type Route } from './routes.js';
import type { Store, StoredWebhookEndpoint } from './store.js';

/** An endpoint the sandbox delivers to from the start (options, env). */
export interface WebhookEndpointConfig {
  url: string;
  /** `whsec_…`; generated (and kept across restarts for the same URL) when omitted. */
  secret?: string;
  /** Default `['*']`. */
  enabledEvents?: string[];
  apiVersion?: string;
  description?: string;
}

export function newWebhookSecret(): string {
  return `whsec_${randomBytes(24).toString('hex')}`;
}

function checkUrl(url: string, param = 'url'): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalidRequest(`Invalid URL: ${url}`, { code: 'url_invalid', param });
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw invalidRequest(`Invalid URL: ${url} (must be http or https)`, { code: 'url_invalid', param });
  }
  return url;
}

/** `*` or dotted lower-case event names; Stripe checks them against its list of event types. */
function checkEvents(events: string[], param = 'enabled_events'): string[] {
  if (events.length === 0) throw invalidRequest('Invalid enabled_events: must contain at least one event type or *.', { param });
  events.forEach((event, index) => {
    if (event !== '*' && !/^[a-z_]+(\.[a-z_]+)+$/.test(event)) {
      throw invalidRequest(`Invalid enabled_events[${index}]: ${event} is not an event type.`, { param: `${param}[${index}]` });
    }
  });
  return [...new Set(events)];
}

function withSecret(stored: StoredWebhookEndpoint): WebhookEndpointObject {
  return { ...snapshot(stored.object), secret: stored.secret };
}

/**
 * Adds (or, for a URL already configured, updates) an endpoint that is not part of the API's
 * history: from start options, env, or `sandbox.webhooks.addEndpoint`. It keeps its id and, when
 * no secret is given, its secret. Returns it with its secret. The caller saves the store.
 */
export function addConfiguredEndpoint(store: Store, config: WebhookEndpointConfig): WebhookEndpointObject {
  const url = checkUrl(config.url, 'webhook endpoint url');
  if (config.secret !== undefined && !config.secret.startsWith('whsec_')) {
    throw new Error(`The Stripe sandbox's webhook secret for ${url} must start with whsec_`);
  }
  const kept = Object.values(store.state.webhookEndpoints).find((e) => e.configured === true && e.object.url === url);
  const stored: StoredWebhookEndpoint = {
    seq: kept?.seq ?? store.nextSeq(),
    object: {
      id: kept?.object.id ?? newId('we'),
      object: 'webhook_endpoint',
      api_version: config.apiVersion ?? null,
      application: null,
      created: kept?.object.created ?? nowSeconds(),
      description: config.description ?? 'configured when the Stripe sandbox started',
      enabled_events: checkEvents(config.enabledEvents ?? ['*'], 'enabledEvents'),
      livemode: false,
      metadata: {},
      status: 'enabled',
      url,
    },
    secret: config.secret ?? kept?.secret ?? newWebhookSecret(),
    configured: true,
  };
  store.state.webhookEndpoints[stored.object.id] = stored;
  return withSecret(stored);
}

/** Makes `configs` the configured endpoints (dropping configured ones of a previous start with other URLs). */
export function configureEndpoints(store: Store, configs: WebhookEndpointConfig[]): WebhookEndpointObject[] {
  const urls = new Set(configs.map((c) => c.url));
  for (const stored of Object.values(store.state.webhookEndpoints)) {
    if (stored.configured === true && !urls.has(stored.object.url)) delete store.state.webhookEndpoints[stored.object.id];
  }
  return configs.map((config) => addConfiguredEndpoint(store, config));
}

/** Every endpoint with its secret, oldest first. */
export function endpointsWithSecrets(store: Store): WebhookEndpointObject[] {
  return Object.values(store.state.webhookEndpoints)
    .sort((a, b) => a.seq - b.seq)
    .map(withSecret);
}

const createSpec: Record<string, ParamSpec> = {
  url: 'scalar',
  enabled_events: 'array',
  api_version: 'scalar',
  description: 'scalar',
  metadata: 'metadata',
  connect: 'scalar',
  expand: 'array',
};

const updateSpec: Record<string, ParamSpec> = {
  url: 'scalar',
  enabled_events: 'array',
  description: 'scalar',
  metadata: 'metadata',
  disabled: 'scalar',
  expand: 'array',
};

function readEnabledEvents(params: FormObject, required: boolean): string[] | undefined {
  const events = optArray(params, 'enabled_events');
  if (events === undefined && required) throw parameterMissing('enabled_events');
  return events === undefined ? undefined : checkEvents(events);
}

export function webhookEndpointRoutes(store: Store): Route[] {
  const find = (id: string): StoredWebhookEndpoint => {
    const stored = own(store.state.webhookEndpoints, id);
    if (!stored) throw resourceMissing('webhook endpoint', id, 'id');
    return stored;
  };
  return [
    {
      method: 'POST',
      pattern: /^\/v1\/webhook_endpoints$/,
      prepare(params) {
        checkAllowed(params, createSpec);
        const url = optString(params, 'url');
        if (url === undefined || url === '') throw parameterMissing('url');
        checkUrl(url);
        const enabledEvents = readEnabledEvents(params, true) as string[];
        if (optBool(params, 'connect') === true) {
          throw invalidRequest('The Stripe sandbox has no connected accounts: connect must be false.', { param: 'connect' });
        }
        const apiVersion = optString(params, 'api_version');
        const description = optString(params, 'description');
        const metadata = mergeMetadata({}, optMetadata(params));
        return {
          run() {
            const stored: StoredWebhookEndpoint = {
              seq: store.nextSeq(),
              object: {
                id: newId('we'),
                object: 'webhook_endpoint',
                api_version: apiVersion ?? null,
                application: null,
                created: nowSeconds(),
                description: description === undefined || description === '' ? null : description,
                enabled_events: enabledEvents,
                livemode: false,
                metadata,
                status: 'enabled',
                url,
              },
              secret: newWebhookSecret(),
            };
            store.state.webhookEndpoints[stored.object.id] = stored;
            return withSecret(stored);
          },
        };
      },
    },
    {
      method: 'GET',
      pattern: /^\/v1\/webhook_endpoints\/([^/]+)$/,
      prepare(params, [id = '']) {
        checkAllowed(params, { expand: 'array' });
        return { run: () => find(id).object };
      },
    },
    {
      method: 'POST',
      pattern: /^\/v1\/webhook_endpoints\/([^/]+)$/,
      prepare(params, [id = '']) {
        checkAllowed(params, updateSpec);
        const url = optString(params, 'url');
        if (url !== undefined) checkUrl(url);
        const enabledEvents = readEnabledEvents(params, false);
        const description = optString(params, 'description');
        const metadata = optMetadata(params);
        const disabled = optBool(params, 'disabled');
        return {
          run() {
            const { object } = find(id);
            if (url !== undefined) object.url = url;
            if (enabledEvents !== undefined) object.enabled_events = enabledEvents;
            if (description !== undefined) object.description = description === '' ? null : description;
            object.metadata = mergeMetadata(object.metadata, metadata);
            if (disabled !== undefined) object.status = disabled ? 'disabled' : 'enabled';
            return object;
          },
        };
      },
    },
    {
      method: 'GET',
      pattern: /^\/v1\/webhook_endpoints$/,
      prepare(params) {
        checkAllowed(params, { limit: 'scalar', starting_after: 'scalar', ending_before: 'scalar', expand: 'array' });
        const page = readPage(params);
        return {
          run: () =>
            paginate(Object.values(store.state.webhookEndpoints), page, '/v1/webhook_endpoints', (missing, param) =>
              resourceMissing('webhook endpoint', missing, param, 400),
            ),
        };
      },
    },
    {
      method: 'DELETE',
      pattern: /^\/v1\/webhook_endpoints\/([^/]+)$/,
      prepare(params, [id = '']) {
        checkAllowed(params, {});
        return {
          run() {
            find(id);
            delete store.state.webhookEndpoints[id];
            return { id, object: 'webhook_endpoint', deleted: true };
          },
        };
      },
    },
  ];
}
