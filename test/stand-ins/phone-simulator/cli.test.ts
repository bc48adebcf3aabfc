/** `npm run call` as a process: flags, the dev token from DATA_DIR, --json, exit codes. */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallRecord } from '../../../src/stand-ins/phone-simulator/record.js';
import { AUTH_TOKEN, startFakeApp, type FakeApp } from './helpers.js';

const main = path.resolve('src/stand-ins/phone-simulator/main.ts');

function run(args: string[], env: Record<string, string | undefined>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
    for (const [k, v] of Object.entries(env)) if (v === undefined) delete childEnv[k];
    const child = spawn(process.execPath, ['--import', 'tsx', main, ...args], { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('CLI', () => {
  let app: FakeApp;
  let dataDir: string;
  beforeAll(async () => {
    app = await startFakeApp();
    app.twiml('/twilio/voice', (r) => void r.gather({ action: '/twilio/gather?turn=1', numDigits: 1 }).say('Press 1 to pay.'));
    app.twiml('/twilio/gather', (r) => {
      r.say({ language: 'ja-JP' }, 'ありがとうございました');
      r.hangup();
    });
    app.route('/twilio/status', () => undefined);
    dataDir = mkdtempSync(path.join(tmpdir(), 'phone-sim-cli-'));
    writeFileSync(path.join(dataDir, 'twilio-dev-auth-token'), `${AUTH_TOKEN}\n`);
  });
  afterAll(async () => {
    await app.close();
  });

  it('--keys --json: signs with the dev token from DATA_DIR and prints the call record', async () => {
    const { code, stdout, stderr } = await run(
      ['--url', app.url, '--public-url', app.publicUrl, '--keys', '1', '--to', '+815012345678', '--json'],
      { TWILIO_AUTH_TOKEN: undefined, DATA_DIR: dataDir },
    );
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const record = JSON.parse(stdout) as CallRecord;
    expect(record.ended).toEqual({ how: 'hangup' });
    expect(record.to).toBe('+815012345678');
    expect(record.transcript.map((e) => e.text).filter(Boolean)).toEqual(['Press 1 to pay.', 'ありがとうございました']);
    expect(record.requests.map((r) => [r.method, r.path, r.status])).toEqual([
      ['POST', '/twilio/voice', 200],
      ['POST', '/twilio/gather', 200],
      ['POST', '/twilio/status', 204],
    ]);
    expect(app.received.slice(-3).every((r) => r.validSignature)).toBe(true);
  });

  it('prints the transcript for people, and exits 1 when the call fails', async () => {
    const ok = await run(['--url', app.url, '--public-url', app.publicUrl, '--keys', '1', '-v'], { TWILIO_AUTH_TOKEN: AUTH_TOKEN });
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('Press 1 to pay.');
    expect(ok.stdout).toContain('POST /twilio/gather?turn=1 → 200');
    expect(ok.stdout).toMatch(/ended: hangup/);

    const bad = await run(['--url', app.url, '--keys', '1'], { TWILIO_AUTH_TOKEN: AUTH_TOKEN }); // no --public-url: 403s
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain('We are sorry, an application error has occurred. Goodbye.');
    expect(bad.stdout).toMatch(/ended: app-error \(http-status\)/);
  });

  it('clear usage errors: no token, no script without a terminal, a bad scenario', async () => {
    const empty = mkdtempSync(path.join(tmpdir(), 'phone-sim-cli-empty-'));
    const noToken = await run(['--keys', '1'], { TWILIO_AUTH_TOKEN: undefined, DATA_DIR: empty });
    expect(noToken.code).toBe(2);
    expect(noToken.stderr).toContain('No Twilio auth token');

    const noScript = await run([], { TWILIO_AUTH_TOKEN: AUTH_TOKEN });
    expect(noScript.code).toBe(2);
    expect(noScript.stderr).toContain('stdin is not a terminal');

    const file = path.join(empty, 'bad.json');
    writeFileSync(file, JSON.stringify({ name: 'bad', steps: [{ gather: 'abc' }] }));
    const badScenario = await run(['--scenario', file], { TWILIO_AUTH_TOKEN: AUTH_TOKEN });
    expect(badScenario.code).toBe(2);
    expect(badScenario.stderr).toContain('steps[0].gather: only keypad keys');
  });

  it('load mode prints the summary', async () => {
    const { code, stdout } = await run(
      ['--url', app.url, '--public-url', app.publicUrl, '--keys', '1', '--calls', '4', '--concurrency', '2'],
      { TWILIO_AUTH_TOKEN: AUTH_TOKEN },
    );
    expect(code).toBe(0);
    expect(stdout).toContain('completed: 4   failed: 0');
    expect(stdout).toMatch(/\/twilio\/gather\s+4\s+0\s/);
  });
});
