/** Load mode on a handful of calls: scenario mix by weight, failures by kind, per-route percentiles. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatLoadReport, latencyStats, percentile, planCalls, runLoad } from '../../../src/stand-ins/phone-simulator/load.js';
import { loadScenarioMix, type WeightedScenario } from '../../../src/stand-ins/phone-simulator/scenario.js';
import { AUTH_TOKEN, startFakeApp, type FakeApp } from './helpers.js';

describe('percentiles', () => {
  it('nearest rank', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1); // 1..100
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 95)).toBe(95);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBe(0);
    expect(latencyStats([30, 10, 20, 40], 1)).toEqual({ count: 4, errors: 1, p50: 20, p95: 40, p99: 40, max: 40 });
  });

  it('plans calls by weight, exactly and spread out', () => {
    const s = (name: string, weight: number): WeightedScenario => ({ scenario: { name, steps: [] }, weight });
    const plan = planCalls([s('a', 3), s('b', 1)], 8);
    expect(plan.filter((i) => i === 0)).toHaveLength(6);
    expect(plan.filter((i) => i === 1)).toHaveLength(2);
    expect(plan.slice(0, 4).filter((i) => i === 1)).toHaveLength(1);
  });
});

describe('runLoad', () => {
  let app: FakeApp;
  beforeAll(async () => {
    app = await startFakeApp();
    app.route('/twilio/voice', async (req, res) => {
      if (req.params.To === '+15005550500') return void res.status(500).send('down');
      await new Promise((r) => setTimeout(r, 20));
      return '<Response><Gather action="/twilio/gather?turn=1" numDigits="1"><Say>Press 1</Say></Gather></Response>';
    });
    app.route('/twilio/gather', () => '<Response><Say>Bye</Say><Hangup/></Response>');
    app.route('/twilio/status', () => undefined);
  });
  afterAll(async () => {
    await app.close();
  });

  it('runs N calls C at a time and reports completions, failures by kind and route latencies', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'phone-sim-mix-'));
    writeFileSync(path.join(dir, 'ok.json'), JSON.stringify({ name: 'ok', steps: [{ gather: '1' }] }));
    writeFileSync(path.join(dir, 'broken.json'), JSON.stringify({ name: 'broken', to: '+15005550500', steps: [] }));
    writeFileSync(
      path.join(dir, 'mix.json'),
      JSON.stringify([
        { scenario: 'ok.json', weight: 3 },
        { scenario: 'broken.json', weight: 1 },
      ]),
    );
    const mix = await loadScenarioMix(path.join(dir, 'mix.json'), dir);
    let seen = 0;
    const report = await runLoad({
      url: app.url,
      publicUrl: app.publicUrl,
      authToken: AUTH_TOKEN,
      calls: 8,
      concurrency: 3,
      mix,
      onCall: () => void seen++,
    });
    expect(seen).toBe(8);
    expect(report).toMatchObject({
      calls: 8,
      concurrency: 3,
      completed: 6,
      failed: 2,
      failuresByKind: { 'app-error:http-status': 2 },
      endedBy: { hangup: 6, 'app-error': 2 },
      byScenario: { ok: { calls: 6, failed: 0 }, broken: { calls: 2, failed: 2 } },
    });
    expect(Object.keys(report.routes)).toEqual(['/twilio/gather', '/twilio/status', '/twilio/voice']);
    const voice = report.routes['/twilio/voice']!;
    expect(voice.count).toBe(8);
    expect(voice.errors).toBe(2);
    expect(voice.p50).toBeGreaterThanOrEqual(15); // the 20 ms the app takes
    expect(voice.p50).toBeLessThanOrEqual(voice.p95);
    expect(voice.p95).toBeLessThanOrEqual(voice.p99);
    expect(voice.p99).toBeLessThanOrEqual(voice.max);
    expect(report.routes['/twilio/gather']!.count).toBe(6);
    expect(report.routes['/twilio/status']!.count).toBe(8);
    // Every call had its own CallSid.
    expect(new Set(app.to('/twilio/voice').map((r) => r.params.CallSid)).size).toBe(8);

    const text = formatLoadReport(report);
    expect(text).toContain('completed: 6   failed: 2');
    expect(text).toContain('app-error:http-status');
    expect(text).toMatch(/\/twilio\/voice\s+8\s+2\s/);
  });
});
