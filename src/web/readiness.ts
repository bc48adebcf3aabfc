/**
 * Whether this web process should be sent calls (`/readyz`): it is not draining, Temporal
 * answers, and some worker polls the task queue (without one, every caller would hear
 * "one moment please"). `/healthz` stays a liveness check: the process is up.
 */
import type { Client } from '@temporalio/client';
import proto from '@temporalio/proto';

// @temporalio/proto is CommonJS: take the namespace from its default export under plain Node ESM.
const { temporal } = proto;

export interface Readiness {
  ready: boolean;
  draining: boolean;
  temporal: 'reachable' | 'unreachable';
  /** Workers seen polling the task queue recently. */
  workers: number;
}

/** A poller long-polls for about a minute; one not seen for longer than this is gone. */
const pollerFreshMs = 75_000;
const cacheMs = 2000;

export class ReadinessCheck {
  private draining = false;
  private cached: { at: number; value: Readiness } | undefined;

  constructor(
    private readonly client: Client,
    private readonly taskQueue: string,
  ) {}

  /** From now on, /readyz says no: the process is shutting down. */
  startDraining(): void {
    this.draining = true;
    this.cached = undefined;
  }

  async check(): Promise<Readiness> {
    if (this.draining) return { ready: false, draining: true, temporal: 'reachable', workers: 0 };
    if (this.cached && Date.now() - this.cached.at < cacheMs) return this.cached.value;
    const value = await this.probe();
    this.cached = { at: Date.now(), value };
    return value;
  }

  private async probe(): Promise<Readiness> {
    try {
      const response = await this.client.withDeadline(Date.now() + 2000, () =>
        this.client.workflowService.describeTaskQueue({
          namespace: this.client.options.namespace,
          taskQueue: { name: this.taskQueue, kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
          taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
        }),
      );
      const now = Date.now();
      const workers = (response.pollers ?? []).filter((p) => {
        const seconds = Number(String(p.lastAccessTime?.seconds ?? 0));
        return now - seconds * 1000 < pollerFreshMs;
      }).length;
      return { ready: workers > 0, draining: false, temporal: 'reachable', workers };
    } catch {
      return { ready: false, draining: false, temporal: 'unreachable', workers: 0 };
    }
  }
}
