/**
 * Events: what happened, as Stripe records it. Every state change the sandbox makes (a charge, a
 * refund, a dispute, …) emits `Event` objects here; they are stored with the state, listed and
 * retrieved through `GET /v1/events` and `GET /v1/events/:id`, and handed to the webhook
 * dispatcher (webhook-delivery.ts), which delivers them to the endpoints that want them.
 *
 * `data.object` is a snapshot taken when the event is emitted (the contents of an event never
 * change); `data.previous_attributes` is present only on `*.updated` events, as Stripe documents.
 * List filters as stripe-node sends them: `type` (a `*` wildcard allowed, e.g.
 * `charge.dispute.*`), `types[]`, `created` (exact or `created[gt|gte|lt|lte]`),
 * `delivery_success`, and the usual `limit` / `starting_after` / `ending_before`.
 */
import { invalidRequest, resourceMissing } from './errors.js';
import type { EventObject, EventRequest } from './event-objects.js';
import type { FormObject } from './form.js';
import { newId, nowSeconds, sandboxApiVersion } from './objects.js';
import { paginate, readPage } from './pagination.js';
import { checkAllowed, optArray, optBool, optString, type ParamSpec } from './params.js';
import { own, snapshot, type Route } from './routes.js';
import type { Store } from './store.js';

/** Receives every new event once it is stored (the webhook dispatcher). */
export type EventListener = (event: EventObject) => void;

export class EventLog {
  private listener: EventListener | undefined;

  constructor(private readonly store: Store) {}

  /** Sets who hears about new events (one listener: the dispatcher). */
  listen(listener: EventListener): void {
    this.listener = listener;
  }

  /**
   * Records an event about `object` (copied now) caused by `request`. `previousAttributes` are
   * kept only for `*.updated` types. The caller saves the store, as for any mutation.
   */
  emit(type: string, object: unknown, request: EventRequest, previousAttributes?: Record<string, unknown>): EventObject {
    const data: EventObject['data'] = { object: snapshot(object) };
    if (type.endsWith('.updated') && previousAttributes !== undefined) data.previous_attributes = snapshot(previousAttributes);
    const event: EventObject = {
      id: newId('evt'),
      object: 'event',
      api_version: sandboxApiVersion,
      created: nowSeconds(),
      data,
      livemode: false,
      pending_webhooks: 0,
      request: { ...request },
      type,
    };
    this.store.state.events[event.id] = { seq: this.store.nextSeq(), object: event };
    this.listener?.(event);
    return event;
  }
}

const createdSpec: Record<string, ParamSpec> = { gt: 'scalar', gte: 'scalar', lt: 'scalar', lte: 'scalar' };

type CreatedFilter = (created: number) => boolean;

/** `created=<ts>` or `created[gt|gte|lt|lte]=<ts>`, checked and turned into a predicate. */
function readCreated(params: FormObject): CreatedFilter {
  const value = Object.hasOwn(params, 'created') ? params.created : undefined;
  if (value === undefined) return () => true;
  const int = (raw: string, param: string): number => {
    if (!/^\d+$/.test(raw)) throw invalidRequest(`Invalid integer: ${raw}`, { code: 'parameter_invalid_integer', param });
    return Number(raw);
  };
  if (typeof value === 'string') {
    const exact = int(value, 'created');
    return (created) => created === exact;
  }
  if (Array.isArray(value)) throw invalidRequest('Invalid object', { param: 'created' });
  checkAllowed(value, createdSpec, 'created');
  const bound = (key: string): number | undefined => {
    const raw = optString(value, key);
    return raw === undefined ? undefined : int(raw, `created[${key}]`);
  };
  const [gt, gte, lt, lte] = [bound('gt'), bound('gte'), bound('lt'), bound('lte')];
  return (created) =>
    (gt === undefined || created > gt) &&
    (gte === undefined || created >= gte) &&
    (lt === undefined || created < lt) &&
    (lte === undefined || created <= lte);
}

/** `type` with Stripe's `*` wildcard: `charge.dispute.*` matches `charge.dispute.created`. */
function typeMatcher(pattern: string): (type: string) => boolean {
  if (!pattern.includes('*')) return (type) => type === pattern;
  const regex = new RegExp(`^${pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  return (type) => regex.test(type);
}

export function eventRoutes(store: Store): Route[] {
  return [
    {
      method: 'GET',
      pattern: /^\/v1\/events\/([^/]+)$/,
      prepare(params, [id = '']) {
        checkAllowed(params, { expand: 'array' });
        return {
          run() {
            const stored = own(store.state.events, id);
            if (!stored) throw resourceMissing('event', id, 'id');
            return stored.object;
          },
        };
      },
    },
    {
      method: 'GET',
      pattern: /^\/v1\/events$/,
      prepare(params) {
        const { created: _created, ...rest } = params;
        checkAllowed(rest, {
          limit: 'scalar',
          starting_after: 'scalar',
          ending_before: 'scalar',
          type: 'scalar',
          types: 'array',
          delivery_success: 'scalar',
          expand: 'array',
        });
        const page = readPage(params);
        const createdOk = readCreated(params);
        const type = optString(params, 'type');
        const types = optArray(params, 'types');
        if (type !== undefined && types !== undefined) {
          throw invalidRequest('You may only specify one of these parameters: type, types.', { param: 'types' });
        }
        if (types !== undefined && types.length > 20) {
          throw invalidRequest('Invalid types: you may pass at most 20 event types.', { param: 'types' });
        }
        const typeOk = type !== undefined ? typeMatcher(type) : types !== undefined ? (t: string) => types.includes(t) : () => true;
        const deliverySuccess = optBool(params, 'delivery_success');
        return {
          run() {
            const items = Object.values(store.state.events).filter(
              ({ object: e }) =>
                typeOk(e.type) &&
                createdOk(e.created) &&
                (deliverySuccess === undefined || (e.pending_webhooks === 0) === deliverySuccess),
            );
            return paginate(items, page, '/v1/events', (missing, param) => resourceMissing('event', missing, param, 400));
          },
        };
      },
    },
  ];
}

/**
 * `previous_attributes` for an `*.updated` event: the top-level attributes of `before` whose
 * value differs in `after` (a changed nested object is given whole, as Stripe does for arrays).
 * Attributes that did not exist before are given as null.
 */
export function changedAttributes(before: object, after: object): Record<string, unknown> {
  const old = before as Record<string, unknown>;
  const now = after as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of new Set([...Object.keys(old), ...Object.keys(now)])) {
    if (JSON.stringify(old[key]) !== JSON.stringify(now[key])) out[key] = old[key] === undefined ? null : old[key];
  }
  return out;
}
