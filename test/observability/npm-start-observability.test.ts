/**
 * `npm start` as an operator sees it with encryption on and METRICS_PORT set. After one paid
 * call from the phone simulator:
 * - one /metrics carries the web's, the worker's and the Temporal SDK's series;
 * - the dev server's Web UI is given paycall's codec link, and a history payload fetched
 *   through the UI's own API decodes through that link from the UI's origin;
 * - the call's workflow lines are JSON in the same stream as the web's, with its ids.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { placeCall } from '../../src/stand-ins/phone-simulator/index.js';
import { freePort } from '../../src/temporal/dev-server.js';

async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs: number, describe: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out; output so far:\n${describe()}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

interface ProtoPayload {
  metadata?: Record<string, string>;
  data?: string;
}

describe('npm start: metrics, codec and logs', () => {
  it('serves one /metrics, lets its Web UI decode a paid call, and logs the call as JSON', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'paycall-observability-'));
    const [port, devPort, uiPort, sandboxPort, metricsPort, twilioPort] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort(), freePort()]);
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        DATA_DIR: dataDir,
        PORT: String(port),
        TEMPORAL_DEV_PORT: String(devPort),
        TEMPORAL_UI_PORT: String(uiPort),
        STRIPE_SANDBOX_PORT: String(sandboxPort),
        TWILIO_STAND_IN_PORT: String(twilioPort),
        METRICS_PORT: String(metricsPort),
        PAYLOAD_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
        PAYLOAD_ENCRYPTION_KEY_ID: 'k7',
        LOG_LEVEL: 'debug',
        LOG_FORMAT: 'json',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      await waitFor(() => output.includes('paycall is running'), 90_000, () => output);
      expect(output).toContain(`metrics         http://127.0.0.1:${metricsPort}/metrics (web, worker and Temporal SDK)`);

      const authToken = readFileSync(path.join(dataDir, 'twilio-dev-auth-token'), 'utf8').trim();
      const record = await placeCall({ url: `http://localhost:${port}`, authToken, stripeUrl: `http://127.0.0.1:${sandboxPort}`, keys: '73021#,1,pay=4242424242424242/1234/123' });
      expect(record.ended.how).toBe('hangup');
      const workflowId = `call-${record.callSid}`;

      // Metrics: both sides and the SDK, one scrape.
      let metrics = '';
      await waitFor(
        async () => {
          metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
          return /^paycall_calls_ended_total\{outcome="paid"\} 1$/m.test(metrics);
        },
        15_000,
        () => metrics,
      );
      expect(metrics).toMatch(/^paycall_webhook_requests_total\{route="voice",status="200"\} 1$/m);
      expect(metrics).toMatch(/^paycall_charge_duration_seconds_count\{result="succeeded"\} 1$/m);
      expect(metrics).toMatch(/^temporal_workflow_task_schedule_to_start_latency_bucket\{/m);
      expect(metrics).toMatch(/^temporal_sticky_cache_size\{/m);

      // The Web UI: its settings name paycall's codec link; its API gives the history, encrypted.
      const uiUrl = `http://127.0.0.1:${uiPort}`;
      const settings = (await (await fetch(`${uiUrl}/api/v1/settings`)).json()) as { Codec?: { Endpoint?: string } };
      const endpoint = settings.Codec?.Endpoint ?? '';
      expect(endpoint).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${port}/codec/ui/[0-9a-f]{32}$`));
      const history = (await (await fetch(`${uiUrl}/api/v1/namespaces/default/workflows/${workflowId}/history`)).json()) as {
        history?: { events?: { workflowExecutionStartedEventAttributes?: { input?: { payloads?: ProtoPayload[] } } }[] };
      };
      const input = history.history?.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
      expect(Buffer.from(input?.metadata?.encoding ?? '', 'base64').toString()).toBe('binary/encrypted');
      const decoded = await fetch(`${endpoint}/decode`, {
        method: 'POST',
        headers: { origin: uiUrl, 'content-type': 'application/json', 'x-namespace': 'default' },
        body: JSON.stringify({ payloads: [input] }),
      });
      expect(decoded.status).toBe(200);
      expect(decoded.headers.get('access-control-allow-origin')).toBe(uiUrl);
      const [plain] = ((await decoded.json()) as { payloads: ProtoPayload[] }).payloads;
      expect(JSON.parse(Buffer.from(plain!.data!, 'base64').toString())).toMatchObject({ callSid: record.callSid });
      // Without the link's key, nothing.
      expect((await fetch(`http://127.0.0.1:${port}/codec/decode`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ payloads: [input] }) })).status).toBe(401);

      // Logs: the workflow's lines in the same JSON stream as the web's, with the call's ids.
      const lines = output
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      const webTurn = lines.find((l) => l.component === 'web' && l.msg === 'turn' && l.callSid === record.callSid);
      expect(webTurn).toBeDefined();
      const workflowStarted = lines.find((l) => l.component === 'temporal' && l.msg === 'Workflow started' && l.workflowId === workflowId);
      expect(workflowStarted).toMatchObject({ name: 'paycall', callSid: record.callSid, runId: expect.any(String), workflowType: 'callWorkflow' });
      expect(output).not.toContain('4242424242424242');
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  }, 150_000);
});
