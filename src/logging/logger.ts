/**
 * paycall's logger (pino). Redacts anything card- or secret-shaped by key name as a second
 * line of defence: no code path should hand it card data in the first place.
 */
import { pino, type DestinationStream, type Logger } from 'pino';

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

/** `destination` (tests) receives the JSON lines instead of stdout. */
export function createLogger(name: string, level = process.env.LOG_LEVEL ?? 'info', destination?: DestinationStream): Logger {
  const options = { name, level, redact: { paths: redactedKeys, censor: '[redacted]' } };
  if (destination) return pino(options, destination);
  const pretty = process.stdout.isTTY && process.env.LOG_FORMAT !== 'json';
  return pino({ ...options, ...(pretty ? { transport: { target: 'pino-pretty', options: { colorize: true, ignore: 'pid,hostname' } } } : {}) });
}
