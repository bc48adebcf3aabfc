/** Routes the Temporal SDK's own logs (worker state, bundling) through at a sensible level. */
import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';

export function installSdkLogging(level: string | undefined): void {
  const sdkLevel: LogLevel = level === 'debug' || level === 'trace' ? 'DEBUG' : 'WARN';
  Runtime.install({ logger: new DefaultLogger(sdkLevel) });
}
