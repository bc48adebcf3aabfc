/**
 * Shared start-up plumbing for paycall's processes: one clear line for the problems a user
 * can fix (bad config, missing Temporal CLI, busy port), and orderly shutdown on signals.
 */
import { ConfigError } from '../config/config.js';
import { DataDirError } from '../config/data-dir.js';
import { OrderBookStartupError } from '../orders/startup-error.js';
import { isPortFree } from '../temporal/dev-server.js';
import { TemporalConnectError } from '../temporal/connection-check.js';
import { TemporalConfigError } from '../temporal/connection-config.js';
import { TemporalCliMissingError } from '../temporal/temporal-cli.js';
import { MissingSearchAttributesError } from '../temporal/search-attribute-check.js';

export class PortBusyError extends Error {
  constructor(port: number, what: string, remedy: string) {
    super(`Port ${port} (${what}) is already in use: stop whatever is using it, or ${remedy}.`);
    this.name = 'PortBusyError';
  }
}

/** `remedy` defaults to "set <variable> to another port". */
export async function requireFreePort(port: number, what: string, variable: string, remedy?: string): Promise<void> {
  // Check both stacks: a server on [::] or 0.0.0.0 blocks either.
  if (!(await isPortFree(port, '127.0.0.1')) || !(await isPortFree(port, '0.0.0.0'))) {
    throw new PortBusyError(port, what, remedy ?? `set ${variable} to another port`);
  }
}

const userFixable = [ConfigError, DataDirError, TemporalCliMissingError, TemporalConfigError, TemporalConnectError, PortBusyError, MissingSearchAttributesError, OrderBookStartupError];

/** Prints a start-up failure (no stack trace for problems the user can fix) and exits. */
export function exitOnStartupError(err: unknown): never {
  if (userFixable.some((type) => err instanceof type)) {
    console.error(`paycall: ${(err as Error).message}`);
  } else if (err instanceof Error && /ORDERS_FILE/.test(err.message)) {
    console.error(`paycall: ${err.message}`);
  } else {
    console.error('paycall: failed to start:', err);
  }
  process.exit(1);
}

/**
 * Runs `stop` once on SIGINT/SIGTERM, then exits. Ctrl-C in a terminal reaches this process
 * twice (from the terminal and relayed by npm/tsx), so a repeat within two seconds is the
 * same request; a later one means "now" and exits at once.
 */
export function onShutdownSignal(stop: (signal: string) => Promise<void>): void {
  let firstSignalAt: number | undefined;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (firstSignalAt !== undefined) {
        if (Date.now() - firstSignalAt < 2000) return;
        console.error('paycall: forced exit');
        process.exit(1);
      }
      firstSignalAt = Date.now();
      stop(signal).then(
        () => process.exit(0),
        (err: unknown) => {
          console.error('paycall: shutdown failed:', err);
          process.exit(1);
        },
      );
    });
  }
}
