/**
 * The Temporal SDK's logger, as pino: everything Runtime.install({ logger }) receives goes out
 * as JSON lines in the same stream as the web logs. That covers the SDK's own messages, Core's
 * native logs (forwarded), workflow `log` calls (through the SDK's logger sink) and activity
 * `log` / Context.current().log calls. Each line carries workflowId, runId and, for a call,
 * callSid (from the workflow id `call-<CallSid>`). It gets the web logs' redaction as well:
 * pino's key paths, plus card-like numbers and full phone numbers scrubbed from every string
 * (src/privacy/redact.ts), and tokens dropped (the SDK's activity task token included).
 */
import type { LogLevel, LogMetadata, Logger as SdkLogger } from '@temporalio/common';
import type { Logger } from '../logging/logger.js';
import { scrubText } from '../privacy/redact.js';

const pinoLevels = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' } as const satisfies Record<LogLevel, string>;

/** Keys whose values never reach a log: secrets, tokens, card fields. */
const secretKey = /token|secret|password|passwd|authorization|api[-_]?key|cvc|cvv|security[-_]?code|card[-_]?number|^pan$/i;

/** Call workflows are `call-<CallSid>` (src/contract/call.ts). */
const callWorkflowIdPattern = /^call-(CA[0-9a-zA-Z]+)$/;

const maxDepth = 6;

export class PinoSdkLogger implements SdkLogger {
  constructor(private readonly logger: Logger) {}

  log(level: LogLevel, message: string, meta?: LogMetadata): void {
    const method = pinoLevels[level] ?? 'info';
    if (!this.logger.isLevelEnabled(method)) return;
    this.logger[method](sdkLogFields(meta), scrubText(message));
  }

  trace(message: string, meta?: LogMetadata): void {
    this.log('TRACE', message, meta);
  }
  debug(message: string, meta?: LogMetadata): void {
    this.log('DEBUG', message, meta);
  }
  info(message: string, meta?: LogMetadata): void {
    this.log('INFO', message, meta);
  }
  warn(message: string, meta?: LogMetadata): void {
    this.log('WARN', message, meta);
  }
  error(message: string, meta?: LogMetadata): void {
    this.log('ERROR', message, meta);
  }
}

/** The SDK's metadata as paycall's log fields: ids named alike, the error as `err`, everything scrubbed. */
export function sdkLogFields(meta: LogMetadata | undefined): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(meta ?? {})) {
    if (value === undefined) continue;
    if (key === 'error' || key === 'err') fields.err = scrubError(value);
    else if (key === 'workflowRunId') fields.runId = value;
    else fields[key] = scrubValue(key, value, 0);
  }
  const callSid = typeof fields.workflowId === 'string' ? callWorkflowIdPattern.exec(fields.workflowId)?.[1] : undefined;
  if (callSid) fields.callSid = callSid;
  return fields;
}

function scrubValue(key: string, value: unknown, depth: number): unknown {
  if (secretKey.test(key)) return '[redacted]';
  if (typeof value === 'string') return scrubText(value);
  if (typeof value === 'number' || typeof value === 'bigint') return scrubText(String(value)) === String(value) ? value : '[number removed]';
  if (value instanceof Error) return scrubError(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth >= maxDepth) return '[nested too deep]';
  if (Array.isArray(value)) return value.map((item) => scrubValue('', item, depth + 1));
  if (value instanceof Uint8Array) return `[${value.length} bytes]`;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scrubValue(k, v, depth + 1)]));
}

/** An Error as pino's `err` field (type, message, stack, Temporal's failure type), scrubbed. */
function scrubError(value: unknown): unknown {
  if (!(value instanceof Error)) return scrubValue('err', value, 0);
  const failure = value as Error & { type?: unknown; nonRetryable?: unknown; cause?: unknown };
  return {
    type: value.name,
    message: scrubText(value.message),
    ...(value.stack ? { stack: scrubText(value.stack) } : {}),
    ...(typeof failure.type === 'string' ? { failureType: failure.type } : {}),
    ...(typeof failure.nonRetryable === 'boolean' ? { nonRetryable: failure.nonRetryable } : {}),
    ...(failure.cause instanceof Error ? { cause: scrubError(failure.cause) } : {}),
  };
}
