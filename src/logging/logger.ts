/**
 * paycall's logger (pino). Redacts anything card- or secret-shaped by key name as a second
 * line of defence: no code path should hand it card data in the first place.
 */
import { pino, type Logger } from 'pino';

export type { Logger };

const redactedKeys = [
  'authToken',
  'secretKey',
  'apiKey',
  'password',
  'authorization',
  'headers.authorization',
  '*.authToken',
  '*.secretKey',
  'card.number',
  'card.cvc',
  '*.card.number',
  '*.card.cvc',
];

export function createLogger(name: string, level = process.env.LOG_LEVEL ?? 'info'): Logger {
  const pretty = process.stdout.isTTY && process.env.LOG_FORMAT !== 'json';
  return pino({
    name,
    level,
    redact: { paths: redactedKeys, censor: '[redacted]' },
    ...(pretty ? { transport: { target: 'pino-pretty', options: { colorize: true, ignore: 'pid,hostname' } } } : {}),
  });
}
