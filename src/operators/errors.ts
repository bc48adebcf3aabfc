import type { z } from 'zod';

/** Zod's issues as one line: `outcome: Invalid option …; since: …`. */
export function describeZodError(err: z.ZodError): string {
  return err.issues.map((i) => `${i.path.join('.') || 'request'}: ${i.message}`).join('; ');
}

/** What operator tools refuse, with the HTTP status the API answers and a message to show as is. */
export type OperatorErrorCode =
  | 'not-found'
  | 'invalid-request'
  | 'call-in-progress'
  | 'not-refundable'
  | 'already-refunded'
  | 'amount-too-large'
  | 'refund-refused'
  | 'refund-failed'
  | 'temporal-unavailable'
  | 'not-now'
  | 'call-ended';

const statusOf: Record<OperatorErrorCode, number> = {
  'not-found': 404,
  'invalid-request': 400,
  'call-in-progress': 409,
  'not-refundable': 409,
  'already-refunded': 422,
  'amount-too-large': 422,
  'refund-refused': 422,
  'refund-failed': 502,
  'temporal-unavailable': 503,
  'not-now': 409,
  'call-ended': 409,
};

export class OperatorError extends Error {
  readonly status: number;

  constructor(
    readonly code: OperatorErrorCode,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'OperatorError';
    this.status = statusOf[code];
  }
}
