/**
 * The Temporal dev server's Prometheus endpoint, read before and after a run: the server's
 * own `action` counter (what it meters as billable actions), and, for a profile, where the
 * server spent its time: the request latency (`service_latency`) and the database latency
 * (`persistence_latency`) summed per operation over the run.
 */
import { writeFile } from 'node:fs/promises';

/** `name{labels}` → value, for every sample line. */
export type MetricSamples = Map<string, number>;

export interface ServerTime {
  service: string;
  operation: string;
  calls: number;
  totalMs: number;
}

export interface ServerMetricsDelta {
  /** The `action` counter for the namespace, by action_type. */
  actions: Record<string, number>;
  /** Top request operations by total time (frontend, history, matching), workers' long polls left out. */
  requests: ServerTime[];
  /** Top database operations by total time. */
  persistence: ServerTime[];
}

export async function scrapeMetrics(url: string, saveTo?: string): Promise<MetricSamples> {
  const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
  const text = await res.text();
  if (saveTo) await writeFile(saveTo, text);
  return parseMetrics(text);
}

export function parseMetrics(text: string): MetricSamples {
  const samples: MetricSamples = new Map();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const space = line.lastIndexOf(' ');
    const value = Number(line.slice(space + 1));
    if (Number.isFinite(value)) samples.set(line.slice(0, space), value);
  }
  return samples;
}

export function metricsDelta(before: MetricSamples, after: MetricSamples, namespace: string, top = 8): ServerMetricsDelta {
  const actions: Record<string, number> = {};
  const times = { service_latency: new Map<string, ServerTime>(), persistence_latency: new Map<string, ServerTime>() };
  for (const [series, value] of after) {
    const delta = value - (before.get(series) ?? 0);
    if (delta <= 0) continue;
    const { name, labels } = parseSeries(series);
    if (labels.namespace !== namespace) continue;
    if (name === 'action') actions[labels.action_type ?? '?'] = (actions[labels.action_type ?? '?'] ?? 0) + delta;
    const family = name.replace(/_(sum|count)$/, '') as keyof typeof times;
    if (!(family in times) || name === family) continue;
    // A worker's task-queue poll waits for work: its "latency" is idle time, not work.
    if (family === 'service_latency' && /^Poll\w+TaskQueue$/.test(labels.operation ?? '')) continue;
    const key = `${labels.service_name}/${labels.operation}`;
    const entry = times[family].get(key) ?? { service: labels.service_name ?? '?', operation: labels.operation ?? '?', calls: 0, totalMs: 0 };
    if (name.endsWith('_sum')) entry.totalMs += delta * 1000;
    else entry.calls += delta;
    times[family].set(key, entry);
  }
  const ranked = (m: Map<string, ServerTime>) => [...m.values()].sort((a, b) => b.totalMs - a.totalMs).slice(0, top);
  return { actions, requests: ranked(times.service_latency), persistence: ranked(times.persistence_latency) };
}

function parseSeries(series: string): { name: string; labels: Record<string, string> } {
  const brace = series.indexOf('{');
  if (brace < 0) return { name: series, labels: {} };
  const labels: Record<string, string> = {};
  for (const match of series.slice(brace + 1, -1).matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[match[1]!] = match[2]!;
  return { name: series.slice(0, brace), labels };
}
