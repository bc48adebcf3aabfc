/**
 * The Update id for a webhook: Twilio's I-Twilio-Idempotency-Token (the same on a retry),
 * or, when absent, a hash of the signed request, so a retried webhook is applied once.
 */
import { createHash } from 'node:crypto';
import type { Request } from 'express';

export function updateIdFor(req: Request, route: string): string {
  const token = req.header('i-twilio-idempotency-token');
  if (token) return `${route}:${token}`;
  const params = (req.body ?? {}) as Record<string, string>;
  const canonical = [req.originalUrl, ...Object.keys(params).sort().map((key) => `${key}=${params[key]}`)].join('\n');
  return `${route}:sha256:${createHash('sha256').update(canonical).digest('hex')}`;
}
