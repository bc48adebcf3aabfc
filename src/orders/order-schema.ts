/**
 * The shape of an order wherever one comes from: the JSON orders file, `npm run
 * orders:import`, a PostgreSQL row, or the merchant's order API. One schema, so every
 * order book accepts and refuses the same things.
 */
import { z } from 'zod';
import { isSupportedCurrency } from '../money/money.js';

export const orderSchema = z.object({
  orderId: z.string().regex(/^[0-9]{1,20}$/, 'orderId must be 1–20 digits (callers type it on a keypad)'),
  amount: z.number().int().positive(),
  currency: z
    .string()
    .transform((c) => c.toLowerCase())
    .refine(isSupportedCurrency, 'unsupported currency'),
  description: z.string().min(1),
  status: z.enum(['unpaid', 'paid']).default('unpaid'),
  paymentIntentId: z.string().min(1).optional(),
});

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
