/**
 * Stripe's Event and WebhookEndpoint objects as the sandbox serves and delivers them, and the
 * sandbox's own record of webhook delivery attempts (Stripe shows these in the Dashboard; the
 * sandbox at `GET /_sandbox/webhooks/deliveries`).
 */

/** `Event.request`: the API request that caused the event; both null for automatic ones. */
export interface EventRequest {
  id: string | null;
  idempotency_key: string | null;
}

export const automaticRequest: EventRequest = { id: null, idempotency_key: null };

export interface EventObject {
  id: string;
  object: 'event';
  api_version: string;
  created: number;
  data: { object: unknown; previous_attributes?: Record<string, unknown> };
  livemode: false;
  /** Endpoints this event has not (yet) been delivered to successfully. */
  pending_webhooks: number;
  request: EventRequest;
  type: string;
}

export interface WebhookEndpointObject {
  id: string;
  object: 'webhook_endpoint';
  api_version: string | null;
  application: null;
  created: number;
  description: string | null;
  enabled_events: string[];
  livemode: false;
  metadata: Record<string, string>;
  /** Only in the response that created the endpoint, as Stripe does. */
  secret?: string;
  status: 'enabled' | 'disabled';
  url: string;
}

/** One delivery attempt of one event to one endpoint. */
export interface DeliveryAttempt {
  /** Epoch ms when the attempt started. */
  at: number;
  /** The endpoint's HTTP status, or null when there was none (connection failure, timeout). */
  status: number | null;
  error?: string;
  ms: number;
  /** Set when a webhook fault shaped this attempt. */
  injected?: 'lost_response' | 'connection' | 'duplicate';
}

/** The delivery of one event to one endpoint, across its attempts. */
export interface DeliveryRecord {
  event: string;
  type: string;
  endpoint: string;
  url: string;
  /** `pending` until a 2xx (`succeeded`) or the last retry failed (`failed`). */
  status: 'pending' | 'succeeded' | 'failed';
  attempts: DeliveryAttempt[];
  /** Epoch ms of the next scheduled attempt, null when none is scheduled. */
  nextAttemptAt: number | null;
}

/** Whether an endpoint's `enabled_events` selects an event type (`*` selects all). */
export function endpointWants(endpoint: WebhookEndpointObject, type: string): boolean {
  return endpoint.status === 'enabled' && (endpoint.enabled_events.includes('*') || endpoint.enabled_events.includes(type));
}
