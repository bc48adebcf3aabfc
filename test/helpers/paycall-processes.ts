/**
 * paycall as production runs it, on this machine: separate worker processes
 * (`node --import tsx src/worker/main.ts`) and web processes (`src/web/main.ts`), each
 * configured only by its environment, against one Temporal, one order book and one Stripe.
 * Shared by the multi-process e2e test and the chaos run (test/chaos/), so both start,
 * kill and restart paycall the same way.
 *
 * Every process is spawned detached (its own process group) and killed as a group, and a
 * process-exit hook kills whatever is still alive, so nothing outlives a failed test or a
 * Ctrl-C'd chaos run.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { freePort } from '../../src/temporal/dev-server.js';
import { workflowInterceptorModules, workflowsPath } from '../../src/worker/workflow-bundle.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/** Process groups still alive, killed synchronously if this process exits first. */
const liveGroups = new Set<number>();
let exitHookInstalled = false;
function trackGroup(pid: number): void {
  liveGroups.add(pid);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const group of liveGroups) killGroup(group, 'SIGKILL');
  });
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

export interface ManagedProcessOptions {
  /** For messages and logs: `worker-1`, `web-2`. */
  name: string;
  /** Script under the repository root, run with `node --import tsx`. */
  entry: string;
  env: Record<string, string>;
  /** The log line (pino `msg`) that says the process is serving. */
  readyMessage: string;
  /** Where its stdout and stderr go (appended, across restarts); omitted: memory only. */
  logFile?: string;
  readyTimeoutMs?: number;
}

/** One paycall process that can be started, killed and started again. */
export class ManagedProcess {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private isReady = false;
  private tail = '';
  private log: WriteStream | undefined;
  /** How many times it was started. */
  starts = 0;
  /** Exits nobody asked for (a crash), with their code or signal. */
  readonly unexpectedExits: string[] = [];
  private expectingExit = false;
  private disposed = false;
  /** Called when the process, once ready, exits by itself (not through kill/stop). */
  onUnexpectedExit: ((process: ManagedProcess, why: string) => void) | undefined;

  constructor(readonly options: ManagedProcessOptions) {}

  get name(): string {
    return this.options.name;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Started and past its ready line. */
  get ready(): boolean {
    return this.running && this.isReady;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** The last few KB it printed (for failure messages). */
  recentOutput(): string {
    return this.tail;
  }

  /** Spawns it and resolves once it logged its ready line; returns the ms that took. */
  async start(): Promise<number> {
    if (this.disposed) throw new Error(`${this.name} was disposed`);
    if (this.running) throw new Error(`${this.name} is already running`);
    const started = Date.now();
    this.starts++;
    this.isReady = false;
    this.expectingExit = false;
    this.log ??= this.options.logFile ? createWriteStream(this.options.logFile, { flags: 'a' }) : undefined;
    this.log?.write(`--- ${this.name} start #${this.starts} at ${new Date().toISOString()}\n`);
    const child = spawn(process.execPath, ['--import', 'tsx', this.options.entry], {
      cwd: repoRoot,
      env: { ...process.env, LOG_FORMAT: 'json', ...this.options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    this.child = child;
    if (child.pid === undefined) throw new Error(`${this.name} could not be spawned`);
    const pid = child.pid;
    trackGroup(pid);
    this.exited = new Promise<void>((resolve) =>
      child.once('exit', (code, signal) => {
        liveGroups.delete(pid);
        // Anything it started dies with it.
        killGroup(pid, 'SIGKILL');
        // A failed start is start()'s to report; a crash is an exit after ready that nobody asked for.
        if (!this.expectingExit && this.isReady) {
          const why = signal ? `signal ${signal}` : `code ${code}`;
          this.unexpectedExits.push(why);
          this.onUnexpectedExit?.(this, why);
        }
        resolve();
      }),
    );

    let readyResolve: () => void = () => undefined;
    const readyPromise = new Promise<void>((resolve) => (readyResolve = resolve));
    let pending = '';
    const onData = (chunk: Buffer) => {
      const text = chunk.toString();
      this.log?.write(text);
      this.tail = (this.tail + text).slice(-8000);
      if (this.isReady) return;
      pending += text;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      if (lines.some((line) => logMessage(line) === this.options.readyMessage)) {
        this.isReady = true;
        readyResolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);

    const timeoutMs = this.options.readyTimeoutMs ?? 90_000;
    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      readyPromise.then(() => 'ready' as const),
      this.exited.then(() => 'exited' as const),
      new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs))),
    ]);
    clearTimeout(timer);
    if (outcome === 'ready') return Date.now() - started;
    if (outcome === 'timeout') await this.kill();
    throw new Error(`${this.name} ${outcome === 'timeout' ? `was not ready within ${timeoutMs} ms` : 'exited before it was ready'}:\n${this.tail.slice(-3000)}`);
  }

  /** Kills its whole process group (SIGKILL by default) and waits until it is gone. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (!this.running || this.child?.pid === undefined) return;
    this.expectingExit = true;
    killGroup(this.child.pid, signal);
    await this.exited;
  }

  /** SIGTERM (paycall drains), then SIGKILL after `graceMs`. */
  async stop(graceMs = 15_000): Promise<void> {
    if (!this.running || this.child?.pid === undefined) return;
    this.expectingExit = true;
    const pid = this.child.pid;
    killGroup(pid, 'SIGTERM');
    const timer = setTimeout(() => killGroup(pid, 'SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  /** Kills it for good (no later start) and closes its log file. */
  async dispose(): Promise<void> {
    this.disposed = true;
    await this.kill();
    await new Promise<void>((resolve) => (this.log ? this.log.end(resolve) : resolve()));
    this.log = undefined;
  }
}

/** The `msg` of a pino JSON line, if it is one. */
function logMessage(line: string): string | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const parsed = JSON.parse(line) as { msg?: unknown };
    return typeof parsed.msg === 'string' ? parsed.msg : undefined;
  } catch {
    return undefined;
  }
}

export interface PaycallProcessesOptions {
  temporalAddress: string;
  temporalNamespace: string;
  taskQueue: string;
  /** The PostgreSQL order book every worker shares. */
  databaseUrl: string;
  /** Stripe (the sandbox, or a fault gate in front of it). */
  stripeApiBase: string;
  /** What Twilio calls (the load balancer in front of the webs): signatures are checked against it. */
  publicBaseUrl: string;
  twilioAuthToken: string;
  workers: number;
  webs: number;
  /** DATA_DIR for every process, and where their log files go. */
  dataDir: string;
  /** Anything else for every process (LOG_LEVEL, WEBHOOK_DEADLINE_MS, …). */
  env?: Record<string, string>;
}

export interface PaycallProcesses {
  workers: ManagedProcess[];
  webs: ManagedProcess[];
  /** Where each web process listens, in the order of `webs`. */
  webUrls: string[];
  /** Kills every process (group), waits for them, closes their logs. */
  close(): Promise<void>;
}

/** Starts the workers and webs (all at once) and resolves when every one is ready. */
export async function startPaycallProcesses(options: PaycallProcessesOptions): Promise<PaycallProcesses> {
  const common: Record<string, string> = {
    TEMPORAL_ADDRESS: options.temporalAddress,
    TEMPORAL_NAMESPACE: options.temporalNamespace,
    TEMPORAL_TASK_QUEUE: options.taskQueue,
    DATABASE_URL: options.databaseUrl,
    STRIPE_API_BASE: options.stripeApiBase,
    PUBLIC_BASE_URL: options.publicBaseUrl,
    TWILIO_AUTH_TOKEN: options.twilioAuthToken,
    DATA_DIR: options.dataDir,
    LOG_LEVEL: 'info',
    ...options.env,
  };
  const logFile = (name: string) => path.join(options.dataDir, `${name}.log`);
  // One bundle for every worker start (as `npm run build` makes for production): a restarted worker polls again in about a second, not after re-bundling.
  if (!common.WORKFLOW_BUNDLE_PATH) {
    common.WORKFLOW_BUNDLE_PATH = path.join(options.dataDir, 'workflow-bundle.js');
    const { code } = await bundleWorkflowCode({ workflowsPath, workflowInterceptorModules, logger: new DefaultLogger('WARN') });
    await writeFile(common.WORKFLOW_BUNDLE_PATH, code);
  }
  const workers = Array.from(
    { length: options.workers },
    (_, i) => new ManagedProcess({ name: `worker-${i + 1}`, entry: 'src/worker/main.ts', env: common, readyMessage: 'worker running', logFile: logFile(`worker-${i + 1}`) }),
  );
  const ports = await distinctFreePorts(options.webs);
  const webs = ports.map(
    (port, i) =>
      new ManagedProcess({ name: `web-${i + 1}`, entry: 'src/web/main.ts', env: { ...common, PORT: String(port) }, readyMessage: 'web server running', logFile: logFile(`web-${i + 1}`) }),
  );
  const all = [...workers, ...webs];
  const close = async () => {
    await Promise.allSettled(all.map((p) => p.dispose()));
  };
  try {
    await Promise.all(all.map((p) => p.start()));
  } catch (err) {
    await close();
    throw err;
  }
  return { workers, webs, webUrls: ports.map((port) => `http://127.0.0.1:${port}`), close };
}

async function distinctFreePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
}
