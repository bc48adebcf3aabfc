/**
 * The /twilio/continue URL a held caller is redirected to. It carries the pending event
 * and its Update id, so the continue route re-issues the very same Update: answered from
 * the first delivery if that one got through, delivered now if it did not. Twilio signs
 * the URL (query included), so its contents come back untampered.
 */
import { z } from 'zod';
import type { CallerEvent } from '../contract/call.js';
import { payResultCodes, withheldDigitsReasons } from '../contract/call.js';

const callerEventSchema: z.ZodType<CallerEvent> = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('start') }),
  z.object({ kind: z.literal('digits'), turn: z.number().int().positive(), digits: z.string().max(256).regex(/^[0-9*#]*$/), withheld: z.enum(withheldDigitsReasons).optional() }),
  z.object({
    kind: z.literal('pay-result'),
    turn: z.number().int().positive(),
    pay: z.object({
      result: z.enum(payResultCodes),
      rawResult: z.string().max(64).regex(/^[A-Za-z0-9_-]*$/).optional(),
      paymentToken: z.string().regex(/^pm_[A-Za-z0-9_]+$/).optional(),
      paymentCardType: z.string().max(32).optional(),
      paymentCardNumber: z
        .string()
        .max(32)
        .refine((v) => (v.match(/[0-9]/g) ?? []).length <= 4)
        .optional(),
      expirationDate: z.string().max(16).optional(),
      postalCode: z.string().max(16).regex(/^\**[0-9A-Za-z]{0,2}$/).optional(),
      paymentError: z.string().max(500).optional(),
      payErrorCode: z.string().max(32).optional(),
      connectorError: z.string().max(500).optional(),
    }),
  }),
]);

export const continueQuery = z.object({
  u: z.string().min(1).max(300),
  e: z
    .string()
    .max(4000)
    .transform((text, ctx) => {
      try {
        return callerEventSchema.parse(JSON.parse(Buffer.from(text, 'base64url').toString('utf8')));
      } catch {
        ctx.addIssue({ code: 'custom', message: 'e must be an encoded caller event' });
        return z.NEVER;
      }
    }),
  h: z.coerce.number().int().min(0).max(1000).default(0),
});

export function continueUrl(publicBaseUrl: string, updateId: string, event: CallerEvent, holds: number): string {
  const query = new URLSearchParams({ u: updateId, e: Buffer.from(JSON.stringify(event)).toString('base64url'), h: String(holds) });
  return `${publicBaseUrl}/twilio/continue?${query.toString()}`;
}
