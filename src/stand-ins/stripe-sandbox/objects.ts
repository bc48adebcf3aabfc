/**
 * The Stripe objects the sandbox serves, in Stripe's shape (a subset of each object's fields:
 * the ones paycall reads plus the ones that make the shape recognisable), and id generation.
 * Events and webhook endpoints: event-objects.ts.
 */
import { randomBytes } from 'node:crypto';
import type { CardBrand } from './test-cards.js';

const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** `pi_3Nf…`-style id: the prefix, then 24 random base62 characters. */
export function newId(prefix: string, length = 24): string {
  const bytes = randomBytes(length);
  let out = '';
  for (const b of bytes) out += alphabet[b % alphabet.length];
  return `${prefix}_${out}`;
}

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/** The API version the sandbox reports when the client sends none (stripe@23.1.0's pinned version). */
export const sandboxApiVersion = '2026-10-28.endive';

export interface PaymentMethodObject {
  id: string;
  object: 'payment_method';
  allow_redisplay: 'unspecified';
  billing_details: {
    address: {
      city: string | null;
      country: string | null;
      line1: string | null;
      line2: string | null;
      postal_code: string | null;
      state: string | null;
    };
    email: string | null;
    name: string | null;
    phone: string | null;
  };
  card: {
    brand: CardBrand;
    checks: { address_line1_check: null; address_postal_code_check: string | null; cvc_check: string | null };
    country: string;
    display_brand: string;
    exp_month: number;
    exp_year: number;
    fingerprint: string;
    funding: 'credit';
    last4: string;
    networks: { available: string[]; preferred: null };
    three_d_secure_usage: { supported: boolean };
    wallet: null;
  };
  created: number;
  customer: null;
  livemode: false;
  metadata: Record<string, string>;
  type: 'card';
}

export type PaymentIntentStatus =
  | 'requires_payment_method'
  | 'requires_confirmation'
  | 'requires_action'
  | 'processing'
  | 'requires_capture'
  | 'canceled'
  | 'succeeded';

export interface LastPaymentError {
  type: 'card_error';
  code: string;
  decline_code?: string;
  message: string;
  param?: string;
  doc_url: string;
  charge?: string;
  payment_method: PaymentMethodObject;
}

export interface PaymentIntentObject {
  id: string;
  object: 'payment_intent';
  amount: number;
  amount_capturable: number;
  amount_received: number;
  automatic_payment_methods: { enabled: boolean; allow_redirects?: 'always' | 'never' } | null;
  canceled_at: number | null;
  cancellation_reason: string | null;
  capture_method: 'automatic' | 'automatic_async' | 'manual';
  client_secret: string;
  confirmation_method: 'automatic';
  created: number;
  currency: string;
  customer: null;
  description: string | null;
  last_payment_error: LastPaymentError | null;
  latest_charge: string | null;
  livemode: false;
  metadata: Record<string, string>;
  next_action: { type: 'use_stripe_sdk'; use_stripe_sdk: { type: 'three_d_secure_redirect'; stripe_js: string; source: string } } | null;
  payment_method: string | null;
  payment_method_options: { card: { moto?: boolean; request_three_d_secure: 'automatic' } };
  payment_method_types: string[];
  status: PaymentIntentStatus;
}

/**
 * Charges are internal (no /v1/charges routes); they back `latest_charge`, refunds, disputes,
 * and the Charge objects in `charge.*` events (charges.ts renders them).
 */
export interface ChargeRecord {
  id: string;
  amount: number;
  /** Succeeded and pending refunds plus any released uncaptured amount (failed refunds give theirs back). */
  amount_refunded: number;
  captured: boolean;
  currency: string;
  payment_intent: string;
  payment_method: string;
  status: 'succeeded' | 'failed';
  failure_code: string | null;
  /** Human-readable text of `failure_code` (absent in states written before events existed). */
  failure_message?: string | null;
  /** True once a dispute was opened (absent in older states: false). */
  disputed?: boolean;
  created: number;
}

/** Stripe's `Refund.status` values; the sandbox produces pending, succeeded and failed. */
export type RefundStatus = 'pending' | 'requires_action' | 'succeeded' | 'failed' | 'canceled';

/** Stripe's `Refund.failure_reason` values. */
export const refundFailureReasons = [
  'lost_or_stolen_card',
  'expired_or_canceled_card',
  'charge_for_pending_refund_disputed',
  'insufficient_funds',
  'declined',
  'merchant_request',
  'unknown',
] as const;
export type RefundFailureReason = (typeof refundFailureReasons)[number];

export interface RefundObject {
  id: string;
  object: 'refund';
  amount: number;
  balance_transaction: string;
  charge: string;
  created: number;
  currency: string;
  /** Set when the refund failed: the balance transaction that gave the money back. */
  failure_balance_transaction?: string;
  /** Set when the refund failed. */
  failure_reason?: RefundFailureReason;
  metadata: Record<string, string>;
  payment_intent: string;
  payment_method?: string;
  /** Set while the refund is pending (Stripe: processing, insufficient_funds, charge_pending). */
  pending_reason?: 'processing';
  reason: 'duplicate' | 'fraudulent' | 'requested_by_customer' | null;
  receipt_number: null;
  status: RefundStatus;
}

/** Stripe's `Dispute.status` values the sandbox produces. */
export type DisputeStatus = 'needs_response' | 'under_review' | 'won' | 'lost';

/** Dispute evidence: every text field Stripe has, null until submitted. */
export type DisputeEvidence = Record<(typeof disputeEvidenceFields)[number], string | null> & { enhanced_evidence: Record<string, never> };

/** The evidence fields Stripe's Dispute.evidence has (files are ids, texts are strings). */
export const disputeEvidenceFields = [
  'access_activity_log',
  'billing_address',
  'cancellation_policy',
  'cancellation_policy_disclosure',
  'cancellation_rebuttal',
  'customer_communication',
  'customer_email_address',
  'customer_name',
  'customer_purchase_ip',
  'customer_signature',
  'duplicate_charge_documentation',
  'duplicate_charge_explanation',
  'duplicate_charge_id',
  'product_description',
  'receipt',
  'refund_policy',
  'refund_policy_disclosure',
  'refund_refusal_explanation',
  'service_date',
  'service_documentation',
  'shipping_address',
  'shipping_carrier',
  'shipping_date',
  'shipping_documentation',
  'shipping_tracking_number',
  'uncategorized_file',
  'uncategorized_text',
] as const;

export interface DisputeObject {
  id: string;
  object: 'dispute';
  amount: number;
  /** Not modelled: always empty (Stripe lists the withdrawal/reinstatement balance transactions). */
  balance_transactions: [];
  charge: string;
  created: number;
  currency: string;
  enhanced_eligibility_types: [];
  evidence: DisputeEvidence;
  evidence_details: {
    due_by: number | null;
    enhanced_eligibility: Record<string, never>;
    has_evidence: boolean;
    past_due: boolean;
    submission_count: number;
    submission_method: 'manual' | 'not_submitted';
  };
  intended_submission_method: null;
  is_charge_refundable: boolean;
  livemode: false;
  metadata: Record<string, string>;
  payment_intent: string;
  reason: 'fraudulent' | 'product_not_received';
  status: DisputeStatus;
}

export interface ListObject<T> {
  object: 'list';
  data: T[];
  has_more: boolean;
  url: string;
}
