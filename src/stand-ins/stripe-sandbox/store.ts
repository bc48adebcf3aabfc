/**
 * The sandbox's whole state: in-memory maps, written to `<dataDir>/stripe-sandbox/state.json`
 * after every mutation (write to a temp file, then rename: a crash leaves the old or the new
 * file, never half of one) and read back on start, so a restarted sandbox still knows its
 * PaymentIntents, refunds, disputes, idempotency keys, events, webhook endpoints, unfinished
 * webhook deliveries and scheduled "later" transitions. One process owns a data directory.
 *
 * Nothing card-secret is ever in here: PaymentMethods keep brand/last4/expiry and behaviour
 * tags; API keys appear only as SHA-256 hashes inside idempotency scopes. (Webhook endpoint
 * signing secrets are kept, as Stripe keeps them: they sign deliveries after a restart.)
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DeliveryRecord, EventObject, WebhookEndpointObject } from './event-objects.js';
import type { ChargeRecord, DisputeObject, PaymentIntentObject, PaymentMethodObject, RefundObject } from './objects.js';
import type { Aftermath, Behaviour } from './test-cards.js';

export interface StoredPaymentMethod {
  seq: number;
  behaviour: Behaviour;
  /** What happens after a successful charge (async refunds, disputes); absent for ordinary cards. */
  aftermath?: Aftermath;
  object: PaymentMethodObject;
}

export interface StoredPaymentIntent {
  seq: number;
  object: PaymentIntentObject;
}

export interface StoredCharge {
  seq: number;
  charge: ChargeRecord;
}

export interface StoredRefund {
  seq: number;
  object: RefundObject;
}

export interface StoredDispute {
  seq: number;
  object: DisputeObject;
}

export interface StoredEvent {
  seq: number;
  object: EventObject;
}

export interface StoredWebhookEndpoint {
  seq: number;
  /** The endpoint without its secret (which Stripe shows only on create). */
  object: WebhookEndpointObject;
  secret: string;
  /** Set for endpoints from the sandbox's start options or env, replaced on every start. */
  configured?: true;
}

/** Something that happens "some time later" (lifecycle.ts): due at `dueAt`, or only on a control call. */
export interface StoredTransition {
  seq: number;
  id: string;
  kind: 'refund.succeed' | 'refund.fail' | 'dispute.open' | 'dispute.close';
  /** The object it changes (re_…, ch_…, dp_…). */
  target: string;
  /** Epoch ms; null when it runs only on a control call. */
  dueAt: number | null;
  params: Record<string, string>;
}

/** A saved response for (API key, Idempotency-Key). */
export interface IdempotencyRecord {
  method: string;
  path: string;
  /** SHA-256 of the canonical request parameters. */
  fingerprint: string;
  status: number;
  /** The response body exactly as first sent. */
  body: string;
  /** Epoch ms; records older than 24 h are pruned, as Stripe may. */
  createdAt: number;
}

export interface SandboxState {
  version: 1;
  seq: number;
  paymentMethods: Record<string, StoredPaymentMethod>;
  paymentIntents: Record<string, StoredPaymentIntent>;
  charges: Record<string, StoredCharge>;
  refunds: Record<string, StoredRefund>;
  idempotency: Record<string, IdempotencyRecord>;
  disputes: Record<string, StoredDispute>;
  events: Record<string, StoredEvent>;
  webhookEndpoints: Record<string, StoredWebhookEndpoint>;
  /** Keyed `<event id> <endpoint id>`. */
  deliveries: Record<string, DeliveryRecord>;
  transitions: Record<string, StoredTransition>;
}

export const idempotencyTtlMs = 24 * 60 * 60 * 1000;
/** Stripe keeps events for 30 days. */
export const eventTtlMs = 30 * 24 * 60 * 60 * 1000;

/** Maps added after the first state format; a file without them is read as having none. */
const laterMaps = ['disputes', 'events', 'webhookEndpoints', 'deliveries', 'transitions'] as const;

function emptyState(): SandboxState {
  return {
    version: 1,
    seq: 0,
    paymentMethods: {},
    paymentIntents: {},
    charges: {},
    refunds: {},
    idempotency: {},
    disputes: {},
    events: {},
    webhookEndpoints: {},
    deliveries: {},
    transitions: {},
  };
}

function isRecordMap(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export class Store {
  readonly dir: string;
  readonly file: string;
  state: SandboxState;
  private closed = false;
  private pendingSave: NodeJS.Timeout | undefined;

  private constructor(dataDir: string) {
    this.dir = join(dataDir, 'stripe-sandbox');
    this.file = join(this.dir, 'state.json');
    this.state = emptyState();
  }

  /** Opens (creating if needed) the state under `dataDir`. A corrupt file is an error, never silently discarded. */
  static open(dataDir: string): Store {
    const store = new Store(dataDir);
    mkdirSync(store.dir, { recursive: true });
    let text: string | undefined;
    try {
      text = readFileSync(store.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    if (text !== undefined) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch (err) {
        throw new Error(`Stripe sandbox state ${store.file} is not valid JSON: ${(err as Error).message}`);
      }
      const s = parsed as Partial<SandboxState>;
      const keys = ['paymentMethods', 'paymentIntents', 'charges', 'refunds', 'idempotency'] as const;
      const laterOk = laterMaps.every((k) => s[k] === undefined || isRecordMap(s[k]));
      if (s.version !== 1 || typeof s.seq !== 'number' || !keys.every((k) => isRecordMap(s[k])) || !laterOk) {
        throw new Error(`Stripe sandbox state ${store.file} has an unknown format (expected version 1)`);
      }
      store.state = { ...emptyState(), ...(s as SandboxState) };
      store.pruneIdempotency();
      store.pruneEvents();
    }
    return store;
  }

  nextSeq(): number {
    this.state.seq += 1;
    return this.state.seq;
  }

  pruneIdempotency(now = Date.now()): void {
    for (const [key, record] of Object.entries(this.state.idempotency)) {
      if (now - record.createdAt >= idempotencyTtlMs) delete this.state.idempotency[key];
    }
  }

  /** Drops events older than Stripe's 30 days, with their delivery records. */
  pruneEvents(now = Date.now()): void {
    for (const [id, stored] of Object.entries(this.state.events)) {
      if (now - stored.object.created * 1000 < eventTtlMs) continue;
      delete this.state.events[id];
      for (const [key, delivery] of Object.entries(this.state.deliveries)) if (delivery.event === id) delete this.state.deliveries[key];
    }
  }

  /**
   * Writes the state within `delayMs`, coalescing the calls made meanwhile: for bookkeeping whose
   * loss in a crash is harmless (webhook delivery records: an event is at worst sent again).
   */
  saveSoon(delayMs = 50): void {
    if (this.closed || this.pendingSave !== undefined) return;
    this.pendingSave = setTimeout(() => this.save(), delayMs);
  }

  /** Writes the state atomically. After `close()` this is a no-op (the data dir may be gone). */
  save(): void {
    if (this.pendingSave !== undefined) clearTimeout(this.pendingSave);
    this.pendingSave = undefined;
    if (this.closed) return;
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.state, null, 1));
    renameSync(tmp, this.file);
  }

  close(): void {
    if (this.closed) return;
    this.save();
    this.closed = true;
  }
}
