/** `npm run calls` and `npm run inspect` as processes, against the run's dev server (and a history file). */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { playDeclined, playPaid, type Played } from './support/scenarios.js';
import { eventually, startOperatorStack, type OperatorStack } from './support/stack.js';

const cli = (name: string) => fileURLToPath(new URL(`../../src/operators/cli/${name}.ts`, import.meta.url));

function run(name: string, args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', cli(name), ...args], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NO_COLOR: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

let stack: OperatorStack;
let declined: Played;
let paid: Played;
let env: Record<string, string>;

beforeAll(async () => {
  stack = await startOperatorStack();
  [declined, paid] = await Promise.all([
    playDeclined(stack.temporal.client, stack.taskQueue, stack.orders.add()),
    playPaid(stack.temporal.client, stack.taskQueue, stack.orders.add()),
  ]);
  env = { TEMPORAL_ADDRESS: stack.temporal.address, TEMPORAL_NAMESPACE: stack.temporal.namespace };
  await eventually(() => stack.api(`/api/calls?order=${declined.outcome.orderId}`), (r) => r.body.calls.length === 1);
});

afterAll(async () => {
  await stack?.close();
});

describe('npm run calls', () => {
  it('lists calls with the filters, one line each with where it failed', async () => {
    const { code, stdout, stderr } = await run('calls', ['--outcome', 'declined', '--failed-at', 'charge', '--order', declined.outcome.orderId!, '--since', '2h'], env);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const lines = stdout.split('\n');
    expect(lines[0]).toMatch(/^STARTED \(UTC\)\s+CALL\s+ORDER\s+AMOUNT\s+OUTCOME\s+WHERE DID IT FAIL\?$/);
    expect(lines[1]).toContain(declined.call.input.callSid);
    expect(lines[1]).toContain('$19.99');
    expect(lines[1]).toMatch(/declined\s+Declined at charge \(attempt 3\): card declined, card_declined \/ insufficient_funds/);
    expect(stdout).toContain(`1 call(s) · ${stack.temporal.namespace} @ ${stack.temporal.address} · query: WorkflowType = 'callWorkflow' AND PaycallOutcome = 'declined' AND PaycallFailureStep = 'charge' AND PaycallOrderId = '${declined.outcome.orderId}' AND StartTime >= '`);
  });

  it('prints JSON with --json, and refuses a bad filter in one line', async () => {
    const json = await run('calls', ['--order', paid.outcome.orderId!, '--json'], env);
    expect(JSON.parse(json.stdout).calls[0]).toMatchObject({ callSid: paid.call.input.callSid, outcome: 'paid' });
    const bad = await run('calls', ['--outcome', 'lost'], env);
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim()).toMatch(/^paycall: outcome: Invalid option: expected one of "paid"\|"declined"/);
  });

  it('says clearly when Temporal cannot be reached', async () => {
    const { code, stderr } = await run('calls', [], { TEMPORAL_ADDRESS: '127.0.0.1:1' });
    expect(code).toBe(1);
    expect(stderr.trim()).toBe('paycall: TEMPORAL_ADDRESS=127.0.0.1:1: connection refused (nothing listens on 127.0.0.1:1). Is paycall running? Set TEMPORAL_ADDRESS to use another server.');
  });
});

describe('npm run inspect', () => {
  it('prints a call by CallSid: where it failed and the timeline', async () => {
    const { code, stdout } = await run('inspect', [declined.call.input.callSid], env);
    expect(code).toBe(0);
    expect(stdout).toContain(`Call ${declined.call.input.callSid}  (call-${declined.call.input.callSid})`);
    expect(stdout).toContain(`Where did it fail?  Declined at charge (attempt 3): card declined, card_declined / insufficient_funds: Your card has insufficient funds. (${declined.outcome.paymentIntentId}).`);
    expect(stdout).toMatch(/✗  Charge #3 .*Card declined: card_declined \/ insufficient_funds: Your card has insufficient funds\.  ← failed here/);
    expect(stdout).toContain(`key call-${declined.call.input.callSid}/charge/3`);
    expect(stdout).toContain(`Temporal  http://127.0.0.1:8233/namespaces/${stack.temporal.namespace}/workflows/call-${declined.call.input.callSid}/`);
  });

  it('reads a history file without a server', async () => {
    const file = fileURLToPath(new URL('./histories/2026-11-27/refunded.json', import.meta.url));
    const { code, stdout } = await run('inspect', ['--history', file], { TEMPORAL_ADDRESS: '127.0.0.1:1' });
    expect(code).toBe(0);
    expect(stdout).toMatch(/Where did it fail\?  Charged \$19\.99 \(pi_\w+\) but marking the order paid failed \(OrderNotPayable/);
    expect(stdout).toMatch(/✗  Mark order paid .*← failed here/);
  });

  it('answers an unknown call in one line', async () => {
    const { code, stderr } = await run('inspect', ['CAnope'], env);
    expect(code).toBe(1);
    expect(stderr.trim()).toBe(`paycall: No call CAnope in namespace ${stack.temporal.namespace}`);
  });
});
