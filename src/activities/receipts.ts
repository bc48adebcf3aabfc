/**
 * The SMS receipt, through Twilio's Messages API (only when a sender number is configured),
 * in the caller's language with the amount as they read it ($19.99, 6,480円).
 */
import type { Twilio } from 'twilio';
import { catalogFor } from '../i18n/catalog.js';
import { formatMoney } from '../money/format.js';
import type { ReceiptInput, ReceiptResult } from './types.js';

export interface ReceiptDeps {
  twilio?: Twilio;
  from?: string;
}

export function receiptText(input: Pick<ReceiptInput, 'orderId' | 'amount' | 'currency' | 'confirmationCode' | 'locale'>): string {
  return catalogFor(input.locale).receipt({
    orderId: input.orderId,
    money: formatMoney(input.amount, input.currency, input.locale),
    confirmationCode: input.confirmationCode,
  });
}

export function createReceiptActivities({ twilio, from }: ReceiptDeps) {
  async function sendReceipt(input: ReceiptInput): Promise<ReceiptResult> {
    if (!twilio || !from) return { sent: false, skippedBecause: 'SMS receipts are not configured (TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_SMS_FROM)' };
    const message = await twilio.messages.create({ to: input.to, from, body: receiptText(input) });
    return { sent: true, messageSid: message.sid };
  }
  return { sendReceipt };
}
