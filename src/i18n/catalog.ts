/**
 * Everything paycall says to a caller, per locale. Pure data + pure functions: the call
 * workflow imports it (deterministic), and so does the web layer for hold messages.
 */
import type { Locale } from '../contract/instructions.js';

export interface OrderSummary {
  orderId: string;
  description: string;
  /** Already spoken form, e.g. "19 dollars and 99 cents". */
  spokenAmount: string;
}

/** Reasons a card could not be charged, as the caller hears them. */
export type DeclineReason =
  | 'generic'
  | 'insufficient-funds'
  | 'expired-card'
  | 'incorrect-cvc'
  | 'processing-error'
  | 'authentication-required'
  | 'lost-or-stolen';

/** Reasons `<Pay>` returned without a token. */
export type CaptureProblem = 'too-many-failed-attempts' | 'caller-interrupted-with-star' | 'connector-error' | 'error';

export interface Catalog {
  greeting: string;
  askOrderNumber: string;
  noInput: string;
  orderMalformed: string;
  /** A card number keyed where it does not belong (order number, menu): it was not kept. */
  cardNumberNotHere: string;
  orderTooLong: string;
  orderNotFound: (digits: string) => string;
  orderAlreadyPaid: string;
  orderEntryGaveUp: string;
  describeOrder: (order: OrderSummary) => string;
  menu: (operatorAvailable: boolean) => string;
  invalidChoice: string;
  menuGaveUp: string;
  pay: {
    cardNumber: string;
    expirationDate: string;
    securityCode: (digits: 3 | 4) => string;
    postalCode: string;
    invalidCardNumber: string;
    invalidCardType: string;
    invalidDate: string;
    invalidSecurityCode: string;
    invalidPostalCode: string;
    timeout: string;
    processing: string;
  };
  captureProblem: (problem: CaptureProblem) => string;
  declined: (reason: DeclineReason) => string;
  tryAnotherCard: string;
  captureGaveUp: string;
  chargeUnavailable: string;
  /** Stripe refused the charge for a reason the caller cannot fix (the account is not set up for phone payments). */
  cardPaymentsUnavailable: string;
  /** The order book cannot be reached or refused the look-up for good. */
  ordersUnavailable: string;
  paid: (confirmationCode: string) => string;
  refunded: string;
  paymentNeedsAttention: string;
  transferring: string;
  /** No operator answered the `<Dial>`. */
  operatorUnavailable: string;
  /** After a payment an operator took: the confirmation code again, then goodbye. */
  paidWithOperator: (confirmationCode: string) => string;
  goodbye: string;
  hold: string;
  technicalDifficulty: string;
  /** The SMS receipt; `money` is already formatted for the caller's language (src/money/format.ts). */
  receipt: (receipt: ReceiptFacts) => string;
}

export interface ReceiptFacts {
  orderId: string;
  /** e.g. `$19.99`, `6,480円`. */
  money: string;
  confirmationCode: string;
}

/** "481523" → "4 8 1 5 2 3", so text-to-speech reads digits one by one. */
export function spellDigits(digits: string): string {
  return digits.split('').join(' ');
}

const enUS: Catalog = {
  greeting: 'Welcome to paycall.',
  askOrderNumber: 'Please enter your order number, followed by the pound key.',
  noInput: 'Sorry, we did not receive any input.',
  orderMalformed: 'Sorry, an order number is made of digits only.',
  cardNumberNotHere: 'Please do not enter a card number here. We did not keep it. We will ask for your card later, on a secure prompt.',
  orderTooLong: 'Sorry, that number is too long to be an order number.',
  orderNotFound: (digits) => `Sorry, we could not find order ${spellDigits(digits)}.`,
  orderAlreadyPaid: 'That order has already been paid. Thank you.',
  orderEntryGaveUp: 'We could not find your order. Please check your order number and call again. Goodbye.',
  describeOrder: (o) => `Order ${spellDigits(o.orderId)}: ${o.description}. The amount due is ${o.spokenAmount}.`,
  menu: (operator) =>
    `To pay by card now, press 1. To hear the amount again, press 2.${operator ? ' To speak to an operator, press 0.' : ''}`,
  invalidChoice: 'Sorry, that is not one of the options.',
  menuGaveUp: 'We did not receive a valid choice. Please call again. Goodbye.',
  pay: {
    cardNumber: 'Please enter your card number, followed by the pound key.',
    expirationDate: 'Please enter the expiration date as two digits for the month and two digits for the year.',
    securityCode: (digits) => `Please enter the ${digits} digit security code.`,
    postalCode: 'Please enter the billing postal code, followed by the pound key.',
    invalidCardNumber: 'That card number is not valid.',
    invalidCardType: 'That card type is not accepted.',
    invalidDate: 'That expiration date is not valid.',
    invalidSecurityCode: 'That security code is not valid.',
    invalidPostalCode: 'That postal code is not valid.',
    timeout: 'We did not receive your entry.',
    processing: 'Please wait while we check your card.',
  },
  captureProblem: (problem) =>
    ({
      'too-many-failed-attempts': 'We could not read your card details.',
      'caller-interrupted-with-star': 'Card entry was cancelled.',
      'connector-error': 'Your card could not be verified.',
      error: 'Something went wrong while reading your card.',
    })[problem],
  declined: (reason) =>
    ({
      generic: 'Your card was declined.',
      'insufficient-funds': 'Your card was declined because of insufficient funds.',
      'expired-card': 'Your card has expired.',
      'incorrect-cvc': 'The security code was incorrect.',
      'processing-error': 'Your card could not be processed.',
      'authentication-required': 'Your bank requires a verification that cannot be done by phone.',
      'lost-or-stolen': 'Your card was declined.',
    })[reason],
  tryAnotherCard: "Let's try again. You can use a different card.",
  captureGaveUp: 'We could not take your payment today. Your card has not been charged. Goodbye.',
  chargeUnavailable: 'We are having trouble reaching our payment provider. Please call again later. Goodbye.',
  cardPaymentsUnavailable: 'We are sorry, we cannot take card payments by phone right now. Your card has not been charged. Please call again later. Goodbye.',
  ordersUnavailable: 'Sorry, we cannot look up orders right now. Nothing has been charged. Please call again later. Goodbye.',
  paid: (code) =>
    `Thank you. Your payment was successful. Your confirmation code is ${spellDigits(code)}. Again, ${spellDigits(code)}. Goodbye.`,
  refunded:
    'We are sorry, we could not complete your order, so your payment has been refunded in full. Goodbye.',
  paymentNeedsAttention:
    'We are sorry, something went wrong after your payment. Our staff will contact you. Goodbye.',
  transferring: 'Please hold while we transfer you to an operator.',
  operatorUnavailable: 'Sorry, no operator is available right now. Please call again later. Goodbye.',
  paidWithOperator: (code) => `Thank you. Your confirmation code is ${spellDigits(code)}. Goodbye.`,
  goodbye: 'Goodbye.',
  hold: 'One moment please.',
  technicalDifficulty: 'We are sorry, we are having technical difficulties. Please call again later. Goodbye.',
  receipt: (r) => `paycall: payment of ${r.money} for order ${r.orderId} received. Confirmation code ${r.confirmationCode}.`,
};

const jaJP: Catalog = {
  greeting: 'ペイコールへようこそ。',
  askOrderNumber: 'ご注文番号を入力し、最後にシャープを押してください。',
  noInput: '入力が確認できませんでした。',
  orderMalformed: '注文番号は数字のみで入力してください。',
  cardNumberNotHere: 'ここではカード番号を入力しないでください。入力された番号は保存していません。カード番号は後ほど安全な方法でお伺いします。',
  orderTooLong: '注文番号としては桁数が多すぎます。',
  orderNotFound: (digits) => `注文番号 ${spellDigits(digits)} が見つかりませんでした。`,
  orderAlreadyPaid: 'このご注文はすでにお支払い済みです。ありがとうございます。',
  orderEntryGaveUp: 'ご注文が見つかりませんでした。注文番号をご確認のうえ、おかけ直しください。失礼いたします。',
  describeOrder: (o) => `ご注文番号 ${spellDigits(o.orderId)}、${o.description}。お支払い金額は${o.spokenAmount}です。`,
  menu: (operator) =>
    `カードでお支払いの場合は1を、金額をもう一度お聞きになる場合は2を押してください。${operator ? 'オペレーターにおつなぎする場合は0を押してください。' : ''}`,
  invalidChoice: '選択肢にない番号です。',
  menuGaveUp: '有効な選択が確認できませんでした。おかけ直しください。失礼いたします。',
  pay: {
    cardNumber: 'カード番号を入力し、最後にシャープを押してください。',
    expirationDate: '有効期限を、月2桁、年2桁の順で入力してください。',
    securityCode: (digits) => `${digits}桁のセキュリティコードを入力してください。`,
    postalCode: '請求先の郵便番号を入力し、最後にシャープを押してください。',
    invalidCardNumber: 'カード番号が正しくありません。',
    invalidCardType: 'このカードはご利用いただけません。',
    invalidDate: '有効期限が正しくありません。',
    invalidSecurityCode: 'セキュリティコードが正しくありません。',
    invalidPostalCode: '郵便番号が正しくありません。',
    timeout: '入力が確認できませんでした。',
    processing: 'カードを確認しています。少々お待ちください。',
  },
  captureProblem: (problem) =>
    ({
      'too-many-failed-attempts': 'カード情報を読み取れませんでした。',
      'caller-interrupted-with-star': 'カード情報の入力が取り消されました。',
      'connector-error': 'カードを確認できませんでした。',
      error: 'カード情報の読み取り中に問題が発生しました。',
    })[problem],
  declined: (reason) =>
    ({
      generic: 'カードがご利用いただけませんでした。',
      'insufficient-funds': 'ご利用可能額が不足しているため、カードがご利用いただけませんでした。',
      'expired-card': 'カードの有効期限が切れています。',
      'incorrect-cvc': 'セキュリティコードが正しくありません。',
      'processing-error': 'カードの処理ができませんでした。',
      'authentication-required': 'カード会社の本人認証が必要なため、お電話ではお支払いいただけません。',
      'lost-or-stolen': 'カードがご利用いただけませんでした。',
    })[reason],
  tryAnotherCard: 'もう一度お試しください。別のカードもご利用いただけます。',
  captureGaveUp: '本日はお支払いを完了できませんでした。カードへの請求は行われていません。失礼いたします。',
  chargeUnavailable: '決済サービスに接続できません。時間をおいておかけ直しください。失礼いたします。',
  cardPaymentsUnavailable: '申し訳ございません。ただいまお電話でのカード決済をお受けできません。カードへの請求は行われていません。時間をおいておかけ直しください。失礼いたします。',
  ordersUnavailable: '申し訳ございません。ただいま注文を確認できません。料金は請求されていません。時間をおいておかけ直しください。失礼いたします。',
  paid: (code) =>
    `ありがとうございます。お支払いが完了しました。確認番号は ${spellDigits(code)} です。もう一度申し上げます。${spellDigits(code)}。失礼いたします。`,
  refunded: '申し訳ございません。ご注文を完了できなかったため、お支払いは全額返金いたしました。失礼いたします。',
  paymentNeedsAttention: '申し訳ございません。お支払い後に問題が発生しました。担当者よりご連絡いたします。失礼いたします。',
  transferring: 'オペレーターにおつなぎします。少々お待ちください。',
  operatorUnavailable: '申し訳ございません。ただいまオペレーターにおつなぎできません。時間をおいておかけ直しください。失礼いたします。',
  paidWithOperator: (code) => `ありがとうございました。確認番号は${spellDigits(code)}です。失礼いたします。`,
  goodbye: '失礼いたします。',
  hold: '少々お待ちください。',
  technicalDifficulty: '申し訳ございません。ただいまシステムに問題が発生しています。時間をおいておかけ直しください。',
  receipt: (r) => `paycall: ご注文 ${r.orderId} のお支払い ${r.money} を承りました。確認番号 ${r.confirmationCode}`,
};

const catalogs: Record<Locale, Catalog> = { 'en-US': enUS, 'ja-JP': jaJP };

export function catalogFor(locale: Locale): Catalog {
  return catalogs[locale];
}
