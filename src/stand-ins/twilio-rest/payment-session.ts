/**
 * One agent-assisted Payment session (`PK…`) on a live call, as Twilio runs it with the Stripe
 * connector, tokenize only: each `Capture` update asks the caller for one field (the operator
 * hears nothing), Twilio checks the keys like `<Pay>` does (Luhn, brand against
 * ValidCardTypes, expiry, security code length by brand, postal code), and reports progress to
 * the StatusCallback; `Status=complete` tokenizes the card into a Stripe PaymentMethod;
 * `Status=cancel` or the caller hanging up ends it. The operator decides what to ask again:
 * a bad entry is reported (`ErrorType`), not re-prompted.
 *
 * Callbacks per phase (parameter sets in callback-params.ts):
 *   create                 → session params
 *   Capture=X              → Capture=X PartialResult=true  ErrorType=''   Required=… (X included)
 *   the caller's entry     → Capture=X PartialResult=false ErrorType=''|invalid-…|input-timeout Required=…
 *   complete               → Result=success PaymentToken=pm_… | Result=payment-connector-error …
 *   cancel / hang-up       → Result=cancelled | Result=caller-hung-up
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Logger } from '../../logging/logger.js';
import {
  checkCardNumber,
  checkExpiry,
  checkPostalCode,
  checkSecurityCode,
} from '../phone-simulator/card-validation.js';
import { PAY_ERROR_CODES, type Tokenizer } from '../phone-simulator/pay-emulator.js';
import { captureParams, paymentResults, resultParams, sessionParams, type CapturedCard, type PaymentResult, type SessionFacts } from './callback-params.js';
import type { CallbackQueue } from './callbacks.js';
import { captureFields, type CallerInput, type CaptureField } from './control-protocol.js';
import { twilioErrors } from './errors.js';
import type { PaymentSettings } from './payment-params.js';
import { paymentResource, type PaymentResource } from './resources.js';

/** How the session reaches the caller's phone (the live call's event queue). */
export interface CallerPort {
  ask(request: { requestId: string; paymentSid: string; field: CaptureField; attempt: number; timeoutSeconds: number; cardType?: string }): void;
  cancel(requestId: string): void;
  ended(paymentSid: string, result: PaymentResult): void;
}

export interface PaymentSessionOptions {
  accountSid: string;
  callSid: string;
  settings: PaymentSettings;
  callbacks: CallbackQueue;
  caller: CallerPort;
  tokenize: Tokenizer;
  now: () => Date;
  /** Safety net: a capture request nobody answers ends as `input-timeout` after this long. */
  answerDeadlineMs: number;
  logger: Logger;
}

export type SessionStatus = 'in-progress' | 'complete' | 'cancelled' | 'ended';

interface PendingCapture {
  requestId: string;
  field: CaptureField;
  timer: NodeJS.Timeout;
}

export function newPaymentSid(): string {
  return `PK${randomBytes(16).toString('hex')}`;
}

export class PaymentSession {
  readonly sid = newPaymentSid();
  readonly dateCreated: Date;
  dateUpdated: Date;
  status: SessionStatus = 'in-progress';
  /** The StatusCallback of the latest create/update: where the next callbacks go. */
  private statusCallback: string;
  private readonly card: CapturedCard = {};
  private readonly attempts: Partial<Record<CaptureField, number>> = {};
  private pending: PendingCapture | undefined;
  private outcome: Promise<void> | undefined;

  constructor(private readonly o: PaymentSessionOptions) {
    this.dateCreated = o.now();
    this.dateUpdated = this.dateCreated;
    this.statusCallback = o.settings.statusCallback;
  }

  private get facts(): SessionFacts {
    return { accountSid: this.o.accountSid, callSid: this.o.callSid, sid: this.sid, dateCreated: this.dateCreated, settings: this.o.settings };
  }

  resource(): PaymentResource {
    return paymentResource(this.o.accountSid, this.o.callSid, this.sid, this.dateCreated, this.dateUpdated);
  }

  /** Fields this session needs, in Twilio's order. */
  private requiredFields(): CaptureField[] {
    return captureFields.filter((f) => (f !== 'security-code' || this.o.settings.securityCode) && (f !== 'postal-code' || this.o.settings.postalCode));
  }

  /** Fields still missing. */
  missing(): CaptureField[] {
    return this.requiredFields().filter((f) => !this.has(f));
  }

  private has(field: CaptureField): boolean {
    switch (field) {
      case 'payment-card-number':
        return this.card.number !== undefined;
      case 'expiration-date':
        return this.card.expiry !== undefined;
      case 'security-code':
        return this.card.securityCode !== undefined;
      case 'postal-code':
        return this.card.postalCode !== undefined;
    }
  }

  private clear(field: CaptureField): void {
    if (field === 'payment-card-number') {
      delete this.card.number;
      delete this.card.cardType;
    } else if (field === 'expiration-date') delete this.card.expiry;
    else if (field === 'security-code') delete this.card.securityCode;
    else delete this.card.postalCode;
  }

  private touch(statusCallback?: string): void {
    this.dateUpdated = this.o.now();
    if (statusCallback) this.statusCallback = statusCallback;
  }

  private send(params: Record<string, string>): void {
    this.o.callbacks.enqueue(this.statusCallback, params);
  }

  private assertInProgress(): void {
    if (this.status !== 'in-progress') throw twilioErrors.invalidOperation(`Payment ${this.sid} is ${this.status}; create a new session`);
  }

  private cancelPending(): void {
    if (!this.pending) return;
    clearTimeout(this.pending.timer);
    this.o.caller.cancel(this.pending.requestId);
    this.pending = undefined;
  }

  /** The session exists: Twilio's first callback. */
  announce(): void {
    this.send(sessionParams(this.facts));
  }

  /** `Capture=field`: ask the caller (again) for one field. */
  capture(field: CaptureField, statusCallback: string): void {
    this.assertInProgress();
    if (!this.requiredFields().includes(field)) {
      throw twilioErrors.invalidParameter(`Capture=${field}, but the session was created with ${field === 'security-code' ? 'SecurityCode' : 'PostalCode'}=false`);
    }
    this.touch(statusCallback);
    this.cancelPending();
    this.clear(field); // asked again: the new entry replaces the old one
    const attempt = (this.attempts[field] ?? 0) + 1;
    this.attempts[field] = attempt;
    this.send(captureParams(this.facts, this.card, { dateUpdated: this.dateUpdated, capture: field, partial: true, required: this.missing() }));

    const requestId = randomUUID();
    const timer = setTimeout(() => {
      this.o.logger.warn({ paymentSid: this.sid, field }, 'nobody answered a capture request: input-timeout');
      this.input({ kind: 'no-input', requestId });
    }, this.o.answerDeadlineMs);
    timer.unref();
    this.pending = { requestId, field, timer };
    this.o.caller.ask({
      requestId,
      paymentSid: this.sid,
      field,
      attempt,
      timeoutSeconds: this.o.settings.timeout,
      ...(this.card.cardType ? { cardType: this.card.cardType } : {}),
    });
  }

  /** What the caller keyed for a capture request. Stale requests (asked again since) are ignored. */
  input(input: CallerInput): 'accepted' | 'stale' {
    const pending = this.pending;
    if (this.status !== 'in-progress' || !pending || pending.requestId !== input.requestId) return 'stale';
    clearTimeout(pending.timer);
    this.pending = undefined;
    this.touch();
    let errorType: string | undefined;
    if (input.kind === 'no-input') errorType = 'input-timeout';
    else {
      const hash = input.keys.indexOf('#');
      const value = hash === -1 ? input.keys : input.keys.slice(0, hash);
      errorType = value === '' ? 'input-timeout' : this.accept(pending.field, value);
    }
    this.send(
      captureParams(this.facts, this.card, {
        dateUpdated: this.dateUpdated,
        capture: pending.field,
        partial: false,
        ...(errorType ? { errorType } : {}),
        required: this.missing(),
      }),
    );
    return 'accepted';
  }

  /** Check one entry as Twilio does; store it when valid, else return the ErrorType. */
  private accept(field: CaptureField, value: string): string | undefined {
    switch (field) {
      case 'payment-card-number': {
        const check = checkCardNumber(value, this.o.settings.validCardTypes);
        if (!check.ok) return check.errorType;
        this.card.number = value;
        this.card.cardType = check.cardType;
        return undefined;
      }
      case 'expiration-date': {
        const check = checkExpiry(value, this.o.now());
        if (!check.ok) return check.errorType;
        this.card.expiry = value;
        return undefined;
      }
      case 'security-code': {
        // Before the card number is known, either length passes; after, the brand's length.
        const check = this.card.cardType || !/^\d{4}$/.test(value) ? checkSecurityCode(value, this.card.cardType) : { ok: true as const };
        if (!check.ok) return check.errorType;
        this.card.securityCode = value;
        return undefined;
      }
      case 'postal-code': {
        const check = checkPostalCode(value, this.o.settings.minPostalCodeLength);
        if (!check.ok) return check.errorType;
        this.card.postalCode = value;
        return undefined;
      }
    }
  }

  /** `Status=complete`: every required field must be there; then tokenize (after the response). */
  complete(statusCallback: string): void {
    this.assertInProgress();
    const missing = this.missing();
    if (missing.length > 0) throw twilioErrors.requiredIncomplete(missing);
    this.touch(statusCallback);
    this.cancelPending();
    this.status = 'complete';
    this.outcome = this.tokenizeAndReport();
  }

  private async tokenizeAndReport(): Promise<void> {
    const expiry = this.card.expiry!;
    const token = await this.o.tokenize({
      number: this.card.number!,
      expMonth: Number(expiry.slice(0, 2)),
      expYear: 2000 + Number(expiry.slice(2)),
      ...(this.card.securityCode === undefined ? {} : { cvc: this.card.securityCode }),
      ...(this.card.postalCode === undefined ? {} : { postalCode: this.card.postalCode }),
    });
    this.touch();
    if (token.ok) {
      this.finish({ dateUpdated: this.dateUpdated, result: paymentResults.success, paymentToken: token.paymentMethodId });
    } else {
      this.finish({
        dateUpdated: this.dateUpdated,
        result: paymentResults.connectorError,
        paymentError: token.message,
        payErrorCode: token.cardError ? PAY_ERROR_CODES.cardRejected : PAY_ERROR_CODES.tokenRejected,
        connectorError: token.declineCode || token.code || (token.statusCode ? `http_${token.statusCode}` : 'connection_error'),
      });
    }
    await this.o.callbacks.flush();
  }

  /** `Status=cancel`. */
  cancel(statusCallback: string): void {
    this.assertInProgress();
    this.touch(statusCallback);
    this.cancelPending();
    this.status = 'cancelled';
    this.finish({ dateUpdated: this.dateUpdated, result: paymentResults.cancelled });
    this.outcome = this.o.callbacks.flush();
  }

  /** The call ended (the caller hung up, or the call was ended) while the session was open. */
  callEnded(): void {
    if (this.status !== 'in-progress') return;
    this.touch();
    this.cancelPending();
    this.status = 'ended';
    this.finish({ dateUpdated: this.dateUpdated, result: paymentResults.callerHungUp, paymentError: 'The caller hung up' });
    this.outcome = this.o.callbacks.flush();
  }

  private finish(outcome: Parameters<typeof resultParams>[2]): void {
    this.send(resultParams(this.facts, this.card, outcome));
    this.o.caller.ended(this.sid, outcome.result);
  }

  /** Resolves once the session's last callback was delivered (tests, shutdown). */
  async settled(): Promise<void> {
    await this.outcome;
    await this.o.callbacks.flush();
  }
}
