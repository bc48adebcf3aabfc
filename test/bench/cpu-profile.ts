/**
 * A first reading of the CPU profiles `node --cpu-prof` wrote for paycall's process (one file
 * per thread: the main thread runs web, worker and sandbox; the SDK runs workflows in worker
 * threads): sampled self time grouped by where the code lives (a folder of src/, an npm
 * package, Node's internals, GC), and the hottest functions. Open the files themselves in
 * Chrome DevTools or speedscope for the call trees.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { projectRoot } from './side-process.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  file: string;
  /** `main thread`, `workflow thread`, `module loader thread`, or `thread <id>`. */
  thread: string;
  sampledMs: number;
  /** Sampled time not idle. */
  busyMs: number;
  /** Where the busy time went, most first: `src/webhooks`, `@temporalio/worker`, `(garbage collector)`, … (shares of busy time) */
  byPlace: { place: string; ms: number; share: number }[];
  hottest: { fn: string; ms: number }[];
}

export async function summarizeProfiles(dir: string, top = 12): Promise<ProfileSummary[]> {
  let files: string[];
  try {
    files = (await readdir(dir)).filter((f) => f.endsWith('.cpuprofile')).sort();
  } catch {
    return [];
  }
  const summaries: ProfileSummary[] = [];
  for (const file of files) {
    const profile = JSON.parse(await readFile(path.join(dir, file), 'utf8')) as CpuProfile;
    summaries.push(summarize(path.join(dir, file), profile, top));
  }
  return summaries;
}

function summarize(file: string, profile: CpuProfile, top: number): ProfileSummary {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const byPlace = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let total = 0;
  let idle = 0;
  for (const [id, us] of selfUs) {
    const frame = nodes.get(id)?.callFrame;
    if (!frame) continue;
    total += us;
    if (frame.functionName === '(idle)') {
      idle += us;
      continue;
    }
    const place = placeOf(frame);
    byPlace.set(place, (byPlace.get(place) ?? 0) + us);
    const fn = `${frame.functionName || '(anonymous)'} ${shortUrl(frame.url)}${frame.url ? `:${frame.lineNumber + 1}` : ''}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + us);
  }
  const ms = (us: number) => Math.round(us / 100) / 10;
  const busy = total - idle;
  return {
    file,
    thread: threadOf(file, byPlace),
    sampledMs: ms(total),
    busyMs: ms(busy),
    byPlace: [...byPlace].sort((a, b) => b[1] - a[1]).slice(0, top).map(([place, us]) => ({ place, ms: ms(us), share: busy ? Math.round((us / busy) * 1000) / 10 : 0 })),
    hottest: [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, top).map(([fn, us]) => ({ fn, ms: ms(us) })),
  };
}

/** Node names profiles `CPU.<date>.<time>.<pid>.<thread id>.<seq>.cpuprofile`; thread 0 is the main thread. */
function threadOf(file: string, byPlace: Map<string, number>): string {
  const tid = /\.(\d+)\.\d+\.cpuprofile$/.exec(file)?.[1];
  if (tid === '0') return 'main thread: web, worker, sandbox';
  if (byPlace.has('workflow bundle')) return `thread ${tid}: workflows`;
  if (byPlace.has('node:modules') && byPlace.size < 40 && !byPlace.has('express')) return `thread ${tid}: module loader (tsx)`;
  return `thread ${tid ?? '?'}`;
}

function placeOf(frame: ProfileNode['callFrame']): string {
  const url = frame.url;
  if (!url) return frame.functionName.startsWith('(') ? frame.functionName : '(native)';
  if (url.startsWith('node:')) return `node:${url.slice(5).replace(/^internal\//, '').split('/')[0]}`;
  const local = url.replace(/^file:\/\//, '');
  const modules = local.lastIndexOf('/node_modules/');
  if (modules >= 0) {
    const parts = local.slice(modules + '/node_modules/'.length).split('/');
    return parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
  }
  if (/workflow-bundle|\.bundle\.js/.test(local)) return 'workflow bundle';
  const relative = path.relative(projectRoot, local);
  if (!relative.startsWith('..')) return relative.split(path.sep).slice(0, 2).join('/');
  return path.basename(local);
}

function shortUrl(url: string): string {
  if (!url) return '';
  const local = url.replace(/^file:\/\//, '');
  const modules = local.lastIndexOf('/node_modules/');
  if (modules >= 0) return local.slice(modules + '/node_modules/'.length);
  const relative = path.relative(projectRoot, local);
  return relative.startsWith('..') ? url : relative;
}
