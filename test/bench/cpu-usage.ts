/**
 * CPU time of a process (all its threads) from /proc, so a run can say how much of the
 * machine each part used: the side's process, its Temporal server, the load generator.
 * Linux only; elsewhere the figures are absent rather than wrong.
 */
import { readFileSync } from 'node:fs';

/** Linux reports utime and stime in clock ticks, 100 per second on every common kernel. */
const ticksPerSecond = 100;

/** User + system CPU seconds of `pid` so far; undefined when /proc cannot tell. */
export function processCpuSeconds(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces) start at state, field 3.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
  } catch {
    return undefined;
  }
}

/** This process's CPU seconds (the load generator: the phone simulator runs in the bench). */
export function ownCpuSeconds(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
}

export interface CpuMeter {
  /** Cores used since the meter started (CPU seconds / wall seconds), per part. */
  read(wallMs: number): Record<string, number | undefined>;
}

export function startCpuMeter(pids: Record<string, number | undefined>): CpuMeter {
  const start = Object.fromEntries(Object.entries(pids).map(([part, pid]) => [part, processCpuSeconds(pid)]));
  const ownStart = ownCpuSeconds();
  return {
    read(wallMs) {
      const cores = (from: number | undefined, to: number | undefined) =>
        from === undefined || to === undefined || wallMs <= 0 ? undefined : round2((to - from) / (wallMs / 1000));
      const parts: Record<string, number | undefined> = {};
      for (const [part, pid] of Object.entries(pids)) parts[part] = cores(start[part], processCpuSeconds(pid));
      parts.loadGenerator = cores(ownStart, ownCpuSeconds());
      return parts;
    },
  };
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}
