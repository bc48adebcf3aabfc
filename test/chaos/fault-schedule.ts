/**
 * The faults a chaos run inflicts on paycall's processes while calls are in flight:
 * - a worker killed with SIGKILL every `killIntervalMs` (one of the ready ones, picked at
 *   random) and started again at once, as an orchestrator restarts a crashed container;
 * - the Temporal server restarted once (same port, same database file) when a share of
 *   the calls is done;
 * - one web process restarted once (SIGTERM, so it drains, then started again on its port).
 * A process that dies on its own is counted as a crash and started again too.
 */
import type { ManagedProcess } from '../helpers/paycall-processes.js';
import type { ChaosStack } from './chaos-stack.js';
import type { Random } from './random.js';

export interface FaultScheduleOptions {
  killIntervalMs: number;
  /** Restart Temporal when this share of calls is done (undefined: never). */
  temporalRestartAt?: number;
  /** Restart a web process when this share of calls is done (undefined: never). */
  webRestartAt?: number;
  random: Random;
  onEvent?: (line: string) => void;
}

export interface FaultStats {
  workerKills: number;
  /** Ticks with no ready worker to kill (all were still starting). */
  killsSkipped: number;
  /** How long killed or crashed workers took to be ready again, ms. */
  workerRestartMs: number[];
  /** Start attempts that failed (e.g. Temporal was down) and were retried. */
  failedStarts: number;
  /** Processes that exited without being told to: `web-1: code 1`. */
  crashes: string[];
  temporalRestarts: number;
  temporalDowntimeMs?: number;
  webRestarts: number;
  webRestartMs?: number;
}

export class FaultSchedule {
  readonly stats: FaultStats = { workerKills: 0, killsSkipped: 0, workerRestartMs: [], failedStarts: 0, crashes: [], temporalRestarts: 0, webRestarts: 0 };
  private timer: NodeJS.Timeout | undefined;
  private readonly pending = new Set<Promise<void>>();
  private temporalDone = false;
  private webDone = false;
  private readonly started = Date.now();

  constructor(
    private readonly stack: ChaosStack,
    private readonly options: FaultScheduleOptions,
  ) {
    for (const p of [...stack.processes.workers, ...stack.processes.webs]) {
      // Also after stop(): the calls still settling need their workers.
      p.onUnexpectedExit = (process, why) => {
        this.stats.crashes.push(`${process.name}: ${why}`);
        this.event(`${process.name} exited by itself (${why}); starting it again`);
        this.track(this.restart(process, process.options.name.startsWith('worker')));
      };
    }
  }

  start(): void {
    this.timer = setInterval(() => this.killOneWorker(), this.options.killIntervalMs);
  }

  /** Call as calls finish: triggers the one-off restarts. */
  progress(doneShare: number): void {
    if (this.timer === undefined) return;
    if (!this.temporalDone && this.options.temporalRestartAt !== undefined && doneShare >= this.options.temporalRestartAt) {
      this.temporalDone = true;
      this.track(this.restartTemporal());
    }
    if (!this.webDone && this.options.webRestartAt !== undefined && doneShare >= this.options.webRestartAt) {
      this.webDone = true;
      this.track(this.restartWeb());
    }
  }

  /** No more faults; resolves when every process that was restarting is ready again. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    while (this.pending.size) await Promise.allSettled([...this.pending]);
  }

  private event(line: string): void {
    this.options.onEvent?.(`[${((Date.now() - this.started) / 1000).toFixed(0).padStart(4)} s] ${line}`);
  }

  private track(task: Promise<void>): void {
    this.pending.add(task);
    void task.finally(() => this.pending.delete(task));
  }

  private killOneWorker(): void {
    const ready = this.stack.processes.workers.filter((w) => w.ready);
    if (ready.length === 0) {
      this.stats.killsSkipped++;
      this.event('no ready worker to kill (all starting)');
      return;
    }
    const victim = this.options.random.pick(ready);
    this.stats.workerKills++;
    this.track(
      (async () => {
        await victim.kill('SIGKILL');
        this.event(`killed ${victim.name} (SIGKILL), kill #${this.stats.workerKills}`);
        await this.restart(victim, true);
      })(),
    );
  }

  /** Starts a process again, retrying while it cannot start (Temporal down, say). */
  private async restart(process: ManagedProcess, isWorker: boolean): Promise<void> {
    const began = Date.now();
    for (let attempt = 1; ; attempt++) {
      try {
        await process.start();
        if (isWorker) this.stats.workerRestartMs.push(Date.now() - began);
        this.event(`${process.name} ready again after ${((Date.now() - began) / 1000).toFixed(1)} s`);
        return;
      } catch (err) {
        if (/was disposed/.test((err as Error).message)) return; // the run is being torn down
        this.stats.failedStarts++;
        if (attempt >= 20) throw err;
        this.event(`${process.name} failed to start (attempt ${attempt}): ${(err as Error).message.split('\n')[0]}; retrying`);
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  }

  private async restartTemporal(): Promise<void> {
    this.event('restarting the Temporal server');
    this.stats.temporalDowntimeMs = await this.stack.temporal.restart();
    this.stats.temporalRestarts++;
    this.event(`Temporal server back after ${(this.stats.temporalDowntimeMs / 1000).toFixed(1)} s`);
  }

  private async restartWeb(): Promise<void> {
    const web = this.options.random.pick(this.stack.processes.webs);
    const began = Date.now();
    this.event(`restarting ${web.name} (SIGTERM)`);
    await web.stop();
    await this.restart(web, false);
    this.stats.webRestarts++;
    this.stats.webRestartMs = Date.now() - began;
  }
}
