/**
 * `npm start` for real: the launcher boots its own Temporal dev server, the Stripe sandbox,
 * the worker and the web server; a simulated call pays; SIGTERM stops everything cleanly
 * (exit 0, the dev server gone, state kept under DATA_DIR, which it created). And the npm
 * script itself reads a `.env` made from `.env.example`.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { placeCall } from '../../src/stand-ins/phone-simulator/index.js';
import { freePort } from '../../src/temporal/dev-server.js';

describe('npm start', () => {
  it('runs the whole stack, takes a paid call, and shuts down cleanly on SIGTERM', async () => {
    // A deep DATA_DIR that does not exist yet: npm start makes it.
    const dataDir = path.join(mkdtempSync(path.join(os.tmpdir(), 'paycall-launcher-')), 'not', 'there', 'yet');
    const [port, devPort, uiPort, sandboxPort] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        DATA_DIR: dataDir,
        PORT: String(port),
        TEMPORAL_DEV_PORT: String(devPort),
        TEMPORAL_UI_PORT: String(uiPort),
        STRIPE_SANDBOX_PORT: String(sandboxPort),
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      await waitFor(() => output.includes('paycall is running'), 90_000, () => output);
      expect(output).toContain(`webhooks        http://localhost:${port}/twilio/voice`);
      expect(output).toContain(`Stripe          http://127.0.0.1:${sandboxPort} (local sandbox)`);

      const health = await fetch(`http://localhost:${port}/healthz`);
      expect(health.status).toBe(200);

      const authToken = readFileSync(path.join(dataDir, 'twilio-dev-auth-token'), 'utf8').trim();
      const record = await placeCall({
        url: `http://localhost:${port}`,
        authToken,
        stripeUrl: `http://127.0.0.1:${sandboxPort}`,
        keys: '73021#,1,pay=4242424242424242/1234/123',
      });
      expect(record.ended.how).toBe('hangup');
      expect(record.transcript.some((e) => e.text?.includes('Your payment was successful'))).toBe(true);
      // The sandbox sends its signed events to paycall's POST /stripe/webhook, which verifies them (2xx).
      expect(output).toContain(`Stripe events   http://localhost:${port}/stripe/webhook`);
      const delivered = async () => {
        const { data } = (await (await fetch(`http://127.0.0.1:${sandboxPort}/_sandbox/webhooks/deliveries`)).json()) as { data: { type: string; url: string; status: string }[] };
        return data.some((d) => d.type === 'payment_intent.succeeded' && d.url.endsWith('/stripe/webhook') && d.status === 'succeeded');
      };
      await waitForAsync(delivered, 15_000);
      expect(await delivered()).toBe(true);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(output).toContain('stopped');
    // The dev server is gone: its port is free again.
    await expect(fetch(`http://127.0.0.1:${uiPort}`)).rejects.toThrow();
    expect(existsSync(path.join(dataDir, 'temporal.sqlite'))).toBe(true);
    expect(JSON.parse(readFileSync(path.join(dataDir, 'orders-paid.json'), 'utf8'))['73021']).toBeDefined();
  }, 150_000);
});

describe('npm start with a .env', () => {
  it('reads the .env made from .env.example (here with another PORT) and serves on that port', async () => {
    // A project folder of links to this checkout, with its own .env, so npm runs the real
    // "start" script with that folder as its working directory.
    const project = mkdtempSync(path.join(os.tmpdir(), 'paycall-dotenv-'));
    for (const entry of ['package.json', 'node_modules', 'src', 'data', 'tsconfig.json']) symlinkSync(path.resolve(entry), path.join(project, entry));
    const [port, devPort, uiPort, sandboxPort] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
    const env = readFileSync('.env.example', 'utf8')
      .replace(/^PORT=.*$/m, `PORT=${port}`)
      .replace(/^TEMPORAL_DEV_PORT=.*$/m, `TEMPORAL_DEV_PORT=${devPort}`)
      .replace(/^TEMPORAL_UI_PORT=.*$/m, `TEMPORAL_UI_PORT=${uiPort}`)
      .replace(/^STRIPE_SANDBOX_PORT=.*$/m, `STRIPE_SANDBOX_PORT=${sandboxPort}`);
    expect(env).toContain(`PORT=${port}`);
    writeFileSync(path.join(project, '.env'), env);

    const child = spawn('npm', ['start'], {
      cwd: project,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...(process.env.PAYCALL_CACHE_DIR ? { PAYCALL_CACHE_DIR: process.env.PAYCALL_CACHE_DIR } : {}) },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      await waitFor(() => output.includes('paycall is running'), 90_000, () => output);
      expect(output).toContain(`webhooks        http://localhost:${port}/twilio/voice`);
      expect((await fetch(`http://localhost:${port}/healthz`)).status).toBe(200);
      // LOCALE_BY_NUMBER from the file parsed (it is JSON in single quotes).
      expect(output).not.toContain('LOCALE_BY_NUMBER');
      expect(existsSync(path.join(project, '.data', 'temporal.sqlite'))).toBe(true);
    } finally {
      process.kill(-child.pid!, 'SIGTERM'); // npm and its children
    }
    await exited; // npm itself dies of the signal; paycall under it shuts down cleanly:
    await waitFor(() => output.includes('stopped'), 20_000, () => output);
  }, 150_000);
});

async function waitFor(ready: () => boolean, timeoutMs: number, describe: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error(`timed out; output so far:\n${describe()}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function waitForAsync(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !(await check())) await new Promise((resolve) => setTimeout(resolve, 250));
}
