/**
 * The Update id for a webhook: Twilio's I-Twilio-Idempotency-Token (the same on a retry),
 * or, when absent, a hash of the signed request, so a retried webhook is applied once. The
 * hash is over the request as paycall keeps it (`kept` replaces raw fields: withheld
 * digits, masked card fields), so no card number is recoverable from an id in history.
 */
import { createHash } from 'node:crypto';
import type { Request } from 'express';

export function updateIdFor(req: Request, route: string, kept: Record<string, string> = {}): string {
  const token = req.header('i-twilio-idempotency-token');
  if (token) return `${route}:${token}`;
  const params = { ...((req.body ?? {}) as Record<string, string>), ...kept };
  delete params.SecurityCode;
  const canonical = [req.originalUrl, ...Object.keys(params).sort().map((key) => `${key}=${params[key]}`)].join('\n');
  return `${route}:sha256:${createHash('sha256').update(canonical).digest('hex')}`;
}
