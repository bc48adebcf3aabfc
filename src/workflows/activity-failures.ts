/**
 * How the call workflow reads activity failures: card declines (with Stripe's codes), the
 * reason the caller hears, and a short code and message for operators. Pure functions.
 */
import { ActivityFailure, ApplicationFailure } from '@temporalio/workflow';
import { failureTypes, type CardDeclinedDetails } from '../contract/failure-types.js';
import type { CaptureProblem, DeclineReason } from '../i18n/catalog.js';

export function captureProblemOf(result: string): CaptureProblem {
  if (result === 'too-many-failed-attempts' || result === 'caller-interrupted-with-star') return result;
  if (result === 'payment-connector-error') return 'connector-error';
  return 'error';
}

export function cardDeclineOf(err: unknown): CardDeclinedDetails | undefined {
  const cause = err instanceof ActivityFailure ? err.cause : undefined;
  if (cause instanceof ApplicationFailure && cause.type === failureTypes.cardDeclined) {
    return (cause.details?.[0] as CardDeclinedDetails | undefined) ?? { code: 'card_declined', message: cause.message };
  }
  return undefined;
}

export function declineReasonOf(decline: CardDeclinedDetails): DeclineReason {
  switch (decline.declineCode ?? decline.code) {
    case 'insufficient_funds':
      return 'insufficient-funds';
    case 'expired_card':
      return 'expired-card';
    case 'incorrect_cvc':
      return 'incorrect-cvc';
    case 'processing_error':
      return 'processing-error';
    case 'authentication_required':
      return 'authentication-required';
    case 'lost_card':
    case 'stolen_card':
      return 'lost-or-stolen';
    default:
      return 'generic';
  }
}

/** A short machine-readable code for an activity failure (the ApplicationFailure type, or the timeout). */
export function failureCodeOf(err: unknown): string {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (cause instanceof ApplicationFailure && cause.type) return cause.type;
  if (cause instanceof Error) return cause.name;
  return 'unknown';
}

export function messageOf(err: unknown): string {
  const cause = err instanceof ActivityFailure && err.cause ? err.cause : err;
  return cause instanceof Error ? cause.message : String(cause);
}
