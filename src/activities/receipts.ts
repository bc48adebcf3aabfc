/** The SMS receipt, through Twilio's Messages API (only when a sender number is configured). */
import type { Twilio } from 'twilio';
import { toDecimalString } from '../money/money.js';
import type { ReceiptInput, ReceiptResult } from './types.js';

export interface ReceiptDeps {
  twilio?: Twilio;
  from?: string;
}

export function receiptText(input: Pick<ReceiptInput, 'orderId' | 'amount' | 'currency' | 'confirmationCode' | 'locale'>): string {
  const money = `${toDecimalString(input.amount, input.currency)} ${input.currency.toUpperCase()}`;
  return input.locale === 'ja-JP'
    ? `paycall: ご注文 ${input.orderId} のお支払い ${money} を承りました。確認番号 ${input.confirmationCode}`
    : `paycall: payment of ${money} for order ${input.orderId} received. Confirmation code ${input.confirmationCode}.`;
}

export function createReceiptActivities({ twilio, from }: ReceiptDeps) {
  async function sendReceipt(input: ReceiptInput): Promise<ReceiptResult> {
    if (!twilio || !from) return { sent: false, skippedBecause: 'SMS receipts are not configured (TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_SMS_FROM)' };
    const message = await twilio.messages.create({ to: input.to, from, body: receiptText(input) });
    return { sent: true, messageSid: message.sid };
  }
  return { sendReceipt };
}
