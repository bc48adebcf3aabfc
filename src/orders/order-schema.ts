/**
 * The shape of an order wherever one comes from: the JSON orders file, `npm run
 * orders:import`, a PostgreSQL row, or the merchant's order API. One schema, so every
 * order book accepts and refuses the same things.
 */
import { z } from 'zod';
import { isSupportedCurrency, minimumCharge, paycallCurrencies, stripeMaximumCharge } from '../money/currencies.js';
import { formatMoney } from '../money/format.js';

/** Stripe's API spec: a PaymentIntent's `description` is at most 1000 characters. */
export const maxDescriptionLength = 1000;

export const orderSchema = z
  .object({
    orderId: z.string().regex(/^[0-9]{1,20}$/, 'orderId must be 1–20 digits (callers type it on a keypad)'),
    amount: z.number().int().positive(),
    currency: z
      .string()
      .regex(/^[A-Za-z]{3}$/, 'currency must be a three-letter ISO code like usd or jpy')
      .transform((c) => c.toLowerCase()),
    description: z.string().min(1),
    status: z.enum(['unpaid', 'paid']).default('unpaid'),
    paymentIntentId: z.string().min(1).optional(),
  })
  .superRefine((order, ctx) => {
    // What Stripe would refuse at the charge is refused here, naming the order, so a caller
    // never keys a card for an order that cannot be charged.
    const problem = chargeProblemOf(order);
    if (problem) ctx.addIssue({ code: 'custom', path: [problem.field], message: `order ${order.orderId}: ${problem.message}` });
  });

/** Why Stripe could not charge this order (currency, amount limits, description length), or undefined. */
export function chargeProblemOf(order: { amount: number; currency: string; description: string }): { field: 'currency' | 'amount' | 'description'; message: string } | undefined {
  const code = order.currency.toLowerCase();
  if (!isSupportedCurrency(code)) {
    return { field: 'currency', message: `currency ${code} is not one paycall takes (${paycallCurrencies.join(', ')})` };
  }
  const minimum = minimumCharge(code) ?? 1;
  if (order.amount < minimum) {
    return {
      field: 'amount',
      message: `amount ${order.amount} (${formatMoney(order.amount, code)}) is below Stripe's minimum charge for ${code.toUpperCase()} (${formatMoney(minimum, code)})`,
    };
  }
  if (order.amount > stripeMaximumCharge) {
    return { field: 'amount', message: `amount ${order.amount} is above Stripe's largest charge (${stripeMaximumCharge} minor units)` };
  }
  const length = [...order.description].length;
  if (length > maxDescriptionLength) {
    return { field: 'description', message: `description is ${length} characters; Stripe takes at most ${maxDescriptionLength}` };
  }
  return undefined;
}

/** An orders file (data/demo-orders.json): an array of orders, each orderId once. */
export const ordersFileSchema = z.array(orderSchema).superRefine((orders, ctx) => {
  const seen = new Set<string>();
  orders.forEach((order, index) => {
    if (seen.has(order.orderId)) ctx.addIssue({ code: 'custom', path: [index, 'orderId'], message: `orderId ${order.orderId} appears more than once` });
    seen.add(order.orderId);
  });
});

export type ParsedOrder = z.infer<typeof orderSchema>;

/** The first problem of a failed parse, as `at 0.orderId: orderId must be …`. */
export function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  return `at ${issue?.path.join('.') || '(top level)'}: ${issue?.message}`;
}
