/**
 * Runs one side of the benchmark as its own Node process (tsx for TypeScript), so the side
 * has a process to itself, as paycall does under `npm start`, and the load generator's own
 * work stays in the bench. Output goes to a log file; ready means its /readyz says 200.
 * SIGTERM stops it (paycall's launcher drains and exits 0; a CPU profile is written then).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const projectRoot = fileURLToPath(new URL('../../', import.meta.url));

export interface SideProcessOptions {
  /** Script path, relative to the project root. */
  entry: string;
  env: NodeJS.ProcessEnv;
  logFile: string;
  readyUrl: string;
  /** Extra node flags, e.g. --cpu-prof. */
  nodeArgs?: string[];
  readyTimeoutMs?: number;
}

export interface SideProcess {
  pid: number;
  logFile: string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code. */
  stop(graceMs?: number): Promise<number | null>;
}

/** Just enough of the environment to run node: paycall's own settings never leak in from the shell or `.env`. */
export function baseEnv(): NodeJS.ProcessEnv {
  const keep = ['PATH', 'HOME', 'TMPDIR', 'LANG', 'TEMPORAL_CLI_PATH', 'PAYCALL_CACHE_DIR'];
  return Object.fromEntries(keep.filter((k) => process.env[k] !== undefined).map((k) => [k, process.env[k]]));
}

export async function startSideProcess(options: SideProcessOptions): Promise<SideProcess> {
  const log = openSync(options.logFile, 'a');
  const child: ChildProcess = spawn(process.execPath, [...(options.nodeArgs ?? []), '--import', 'tsx', options.entry], {
    cwd: projectRoot,
    env: options.env,
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  void exited.then(() => process.off('exit', killOnExit));

  const stop = async (graceMs = 30_000): Promise<number | null> => {
    if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
    child.kill('SIGTERM');
    const code = await Promise.race([exited, sleep(graceMs).then(() => 'timeout' as const)]);
    if (code !== 'timeout') return code;
    child.kill('SIGKILL');
    return exited;
  };

  const deadline = Date.now() + (options.readyTimeoutMs ?? 120_000);
  for (;;) {
    const early = await Promise.race([exited, sleep(250).then(() => undefined)]);
    if (early !== undefined) throw new Error(`${options.entry} exited (code ${early}) before it was ready:\n${tail(options.logFile)}`);
    if (await isReady(options.readyUrl)) break;
    if (Date.now() > deadline) {
      await stop(5000);
      throw new Error(`${options.entry} was not ready at ${options.readyUrl} within ${options.readyTimeoutMs ?? 120_000} ms:\n${tail(options.logFile)}`);
    }
  }
  return { pid: child.pid!, logFile: options.logFile, stop };
}

async function isReady(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
    await res.body?.cancel();
    return res.status === 200;
  } catch {
    return false;
  }
}

/** The end of a log, for an error message. */
export function tail(file: string, chars = 3000): string {
  try {
    return readFileSync(file, 'utf8').slice(-chars).trim();
  } catch {
    return '(no log)';
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
