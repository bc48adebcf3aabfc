/**
 * Disputes, as Stripe's test mode has them (https://docs.stripe.com/testing#disputes):
 * - a captured charge made with a dispute test card (4000000000000259 / pm_card_createDispute:
 *   `fraudulent`; 4000000000002685 / pm_card_createDisputeProductNotReceived:
 *   `product_not_received`) is disputed "some time later" (lifecycle.ts), or at once with the
 *   control call that opens a dispute on any captured charge. The dispute starts
 *   `needs_response`; the charge gets `disputed: true`; its pending refunds fail with
 *   `charge_for_pending_refund_disputed`; events `charge.dispute.created` and
 *   `charge.dispute.funds_withdrawn`.
 * - `POST /v1/disputes/:id` stages or submits evidence (`submit` defaults to true: status
 *   `under_review`) → `charge.dispute.updated`. Stripe's test evidence `winning_evidence` /
 *   `losing_evidence` in `evidence[uncategorized_text]` closes the dispute later as won / lost.
 * - `POST /v1/disputes/:id/close` accepts the dispute: `lost`.
 * - Closing → `charge.dispute.closed`; when won also `charge.dispute.funds_reinstated`.
 * Plus `GET /v1/disputes/:id` and `GET /v1/disputes` (`charge`, `payment_intent` filters).
 */
import { invalidRequest, resourceMissing } from './errors.js';
import { automaticRequest, type EventRequest } from './event-objects.js';
import { changedAttributes } from './events.js';
import type { FormObject } from './form.js';
import { disputeEvidenceFields, newId, nowSeconds, type ChargeRecord, type DisputeEvidence, type DisputeObject } from './objects.js';
import { paginate, readPage } from './pagination.js';
import { checkAllowed, mergeMetadata, optBool, optMetadata, optString, type ParamSpec } from './params.js';
import { failPendingRefundsOfDisputedCharge } from './refund-transitions.js';
import { own, snapshot, type Route, type SandboxContext } from './routes.js';

export const disputeReasons = ['fraudulent', 'product_not_received'] as const;
export type DisputeReason = (typeof disputeReasons)[number];
export type DisputeOutcome = 'won' | 'lost';

/** Stripe's test evidence texts and the outcome each one leads to. */
const testEvidence: Record<string, DisputeOutcome> = { winning_evidence: 'won', losing_evidence: 'lost' };

/** Time to respond the sandbox gives (Stripe's `due_by` varies by network; about a week or more). */
const responseWindowSeconds = 7 * 24 * 60 * 60;

/** Called when a charge is captured: a dispute test card schedules its dispute. */
export function chargeCaptured(ctx: SandboxContext, charge: ChargeRecord): void {
  const aftermath = own(ctx.store.state.paymentMethods, charge.payment_method)?.aftermath;
  if (aftermath === 'dispute_fraudulent') ctx.lifecycle.schedule('dispute.open', charge.id, { reason: 'fraudulent' });
  if (aftermath === 'dispute_product_not_received') ctx.lifecycle.schedule('dispute.open', charge.id, { reason: 'product_not_received' });
}

function emptyEvidence(): DisputeEvidence {
  const evidence = Object.fromEntries(disputeEvidenceFields.map((field) => [field, null])) as Record<string, string | null>;
  return { ...evidence, enhanced_evidence: {} } as DisputeEvidence;
}

/** Opens a dispute on a captured charge that has none open. Refused (400) otherwise. */
export function openDispute(ctx: SandboxContext, chargeId: string, reason: DisputeReason, request: EventRequest = automaticRequest): DisputeObject {
  const { store, events } = ctx;
  const charge = own(store.state.charges, chargeId)?.charge;
  if (!charge) throw resourceMissing('charge', chargeId, 'charge', 400);
  if (charge.status !== 'succeeded' || !charge.captured) {
    throw invalidRequest(`Charge ${chargeId} has not been captured, so it cannot be disputed.`, { param: 'charge' });
  }
  const open = Object.values(store.state.disputes).find((d) => d.object.charge === chargeId && !['won', 'lost'].includes(d.object.status));
  if (open) throw invalidRequest(`Charge ${chargeId} already has an open dispute (${open.object.id}).`, { param: 'charge' });
  const pi = own(store.state.paymentIntents, charge.payment_intent)?.object;
  const created = nowSeconds();
  const dispute: DisputeObject = {
    id: newId('dp'),
    object: 'dispute',
    amount: pi && pi.amount_received > 0 ? pi.amount_received : charge.amount,
    balance_transactions: [],
    charge: charge.id,
    created,
    currency: charge.currency,
    enhanced_eligibility_types: [],
    evidence: emptyEvidence(),
    evidence_details: {
      due_by: created + responseWindowSeconds,
      enhanced_eligibility: {},
      has_evidence: false,
      past_due: false,
      submission_count: 0,
      submission_method: 'not_submitted',
    },
    intended_submission_method: null,
    is_charge_refundable: false,
    livemode: false,
    metadata: {},
    payment_intent: charge.payment_intent,
    reason,
    status: 'needs_response',
  };
  store.state.disputes[dispute.id] = { seq: store.nextSeq(), object: dispute };
  charge.disputed = true;
  failPendingRefundsOfDisputedCharge(ctx, charge.id, request);
  events.emit('charge.dispute.created', dispute, request);
  events.emit('charge.dispute.funds_withdrawn', dispute, request);
  return dispute;
}

function findDispute(ctx: SandboxContext, id: string, param = 'dispute', status = 404): DisputeObject {
  const stored = own(ctx.store.state.disputes, id);
  if (!stored) throw resourceMissing('dispute', id, param, status);
  return stored.object;
}

function refuseClosed(dispute: DisputeObject): void {
  if (dispute.status === 'won' || dispute.status === 'lost') {
    throw invalidRequest(`This dispute is already closed (status ${dispute.status}).`, { param: 'dispute' });
  }
}

/** needs_response / under_review → won or lost. */
export function closeDispute(ctx: SandboxContext, id: string, outcome: DisputeOutcome, request: EventRequest = automaticRequest): DisputeObject {
  const dispute = findDispute(ctx, id, 'dispute', 400);
  refuseClosed(dispute);
  dispute.status = outcome;
  ctx.lifecycle.cancel(id);
  ctx.events.emit('charge.dispute.closed', dispute, request);
  if (outcome === 'won') ctx.events.emit('charge.dispute.funds_reinstated', dispute, request);
  return dispute;
}

const evidenceSpec: Record<string, ParamSpec> = Object.fromEntries(disputeEvidenceFields.map((field) => [field, 'scalar' as const]));

const updateSpec: Record<string, ParamSpec> = { evidence: evidenceSpec, metadata: 'metadata', submit: 'scalar', expand: 'array' };

function readEvidence(params: FormObject): Partial<Record<(typeof disputeEvidenceFields)[number], string>> {
  const out: Partial<Record<(typeof disputeEvidenceFields)[number], string>> = {};
  for (const field of disputeEvidenceFields) {
    const value = optString(params, 'evidence', field);
    if (value !== undefined) out[field] = value;
  }
  return out;
}

export function registerDisputeTransitions(ctx: SandboxContext): void {
  ctx.lifecycle.register('dispute.open', (t) => openDispute(ctx, t.target, (t.params.reason ?? 'fraudulent') as DisputeReason));
  ctx.lifecycle.register('dispute.close', (t) => closeDispute(ctx, t.target, t.params.outcome === 'won' ? 'won' : 'lost'));
}

export function disputeRoutes(ctx: SandboxContext): Route[] {
  const { store } = ctx;
  return [
    {
      method: 'GET',
      pattern: /^\/v1\/disputes\/([^/]+)$/,
      prepare(params, [id = '']) {
        checkAllowed(params, { expand: 'array' });
        return { run: () => findDispute(ctx, id) };
      },
    },
    {
      method: 'GET',
      pattern: /^\/v1\/disputes$/,
      prepare(params) {
        checkAllowed(params, { charge: 'scalar', payment_intent: 'scalar', limit: 'scalar', starting_after: 'scalar', ending_before: 'scalar', expand: 'array' });
        const page = readPage(params);
        const chargeId = optString(params, 'charge');
        const paymentIntentId = optString(params, 'payment_intent');
        return {
          run() {
            const items = Object.values(store.state.disputes).filter(
              ({ object: d }) => (chargeId === undefined || d.charge === chargeId) && (paymentIntentId === undefined || d.payment_intent === paymentIntentId),
            );
            return paginate(items, page, '/v1/disputes', (missing, param) => resourceMissing('dispute', missing, param, 400));
          },
        };
      },
    },
    {
      method: 'POST',
      pattern: /^\/v1\/disputes\/([^/]+)$/,
      prepare(params, [id = '']) {
        checkAllowed(params, updateSpec);
        const evidence = readEvidence(params);
        const metadata = optMetadata(params);
        const submit = optBool(params, 'submit') ?? true;
        return {
          run(exec) {
            const dispute = findDispute(ctx, id);
            refuseClosed(dispute);
            const before = snapshot(dispute);
            const hasNewEvidence = Object.keys(evidence).length > 0;
            Object.assign(dispute.evidence, evidence);
            dispute.metadata = mergeMetadata(dispute.metadata, metadata);
            if (hasNewEvidence) dispute.evidence_details.has_evidence = true;
            if (submit && (hasNewEvidence || dispute.evidence_details.has_evidence)) {
              dispute.status = 'under_review';
              dispute.evidence_details.submission_count += 1;
              dispute.evidence_details.submission_method = 'manual';
            }
            const previous = changedAttributes(before, dispute);
            if (Object.keys(previous).length > 0) ctx.events.emit('charge.dispute.updated', dispute, exec.request, previous);
            const text = dispute.evidence.uncategorized_text;
            const outcome = text !== null && Object.hasOwn(testEvidence, text) ? testEvidence[text] : undefined;
            if (dispute.status === 'under_review' && outcome !== undefined && submit) {
              ctx.lifecycle.cancel(dispute.id, 'dispute.close');
              ctx.lifecycle.schedule('dispute.close', dispute.id, { outcome });
            }
            return dispute;
          },
        };
      },
    },
    {
      method: 'POST',
      pattern: /^\/v1\/disputes\/([^/]+)\/close$/,
      prepare(params, [id = '']) {
        checkAllowed(params, { expand: 'array' });
        return {
          run(exec) {
            findDispute(ctx, id);
            return closeDispute(ctx, id, 'lost', exec.request);
          },
        };
      },
    },
  ];
}
