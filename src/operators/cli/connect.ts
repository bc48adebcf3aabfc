/**
 * What `npm run inspect` and `npm run calls` share: a Temporal client from the environment
 * (through src/temporal/connect.ts), the call queries on it, and one-line errors.
 */
import { z } from 'zod';
import { ConfigError, loadConfig, type Config } from '../../config/config.js';
import { connectClient } from '../../temporal/connect.js';
import { TemporalConnectError } from '../../temporal/connection-check.js';
import { TemporalConfigError } from '../../temporal/connection-config.js';
import { OperatorError, describeZodError } from '../errors.js';
import { CallQueries } from '../read/call-queries.js';
import { temporalUiBaseUrl } from '../web/mount.js';

export interface OperatorCli {
  config: Config;
  queries: CallQueries;
  address: string;
  close(): Promise<void>;
}

export class CliUsageError extends Error {}

export async function connectOperatorCli(env: NodeJS.ProcessEnv = process.env): Promise<OperatorCli> {
  const config = loadConfig(env);
  const temporal = await connectClient(config, { env, timeoutMs: 3000 }).catch((err: Error) => {
    const unreachable = err instanceof TemporalConnectError && err.retryable;
    throw new OperatorError('temporal-unavailable', `${err.message}${unreachable ? '. Is paycall running? Set TEMPORAL_ADDRESS to use another server.' : ''}`);
  });
  const queries = new CallQueries(temporal.client, { namespace: temporal.namespace, temporalUiUrl: temporalUiBaseUrl(config) });
  return { config, queries, address: temporal.address, close: () => temporal.close() };
}

/** Prints one line for a problem the operator can act on, a stack trace otherwise; exit code 1. */
export function exitOnCliError(err: unknown): never {
  if (err instanceof z.ZodError) {
    console.error(`paycall: ${describeZodError(err)}`);
  } else if (err instanceof CliUsageError || err instanceof OperatorError || err instanceof ConfigError || err instanceof TemporalConfigError) {
    console.error(`paycall: ${err.message}`);
  } else {
    console.error('paycall:', err);
  }
  process.exit(1);
}
