/**
 * A short chaos run in `npm test`: about 40 calls over two workers and two webs while a
 * worker is SIGKILLed every 10 s, Temporal and a web restart once, Stripe fails and drops
 * responses, and webhooks arrive twice. Every money line must be 0 and no call stuck.
 * Timing is reported, not asserted (caller-wait targets belong to `npm run chaos`, on a
 * machine of known load, not to a shared test run).
 */
import { describe, expect, it } from 'vitest';
import { formatChaosReport, type ChaosReport } from './chaos-report.js';
import { runChaos } from './chaos-run.js';

describe('chaos run (short)', () => {
  it(
    'loses no money and leaves no call stuck while workers are killed and Temporal restarts',
    async () => {
      // Progress is printed in one block at the end (vitest would head every line otherwise).
      const progress: string[] = [];
      const report: ChaosReport = await runChaos(
        {
          calls: 40,
          concurrency: 5,
          workers: 2,
          webs: 2,
          killIntervalMs: 5_000,
          stripeErrorRate: 0.05,
          stripeDropRate: 0.05,
          duplicateRate: 0.2,
          raceShare: 0.2,
          temporalRestart: true,
          webRestart: true,
          thinkMs: { min: 100, max: 600 },
          graceMs: 60_000,
          seed: 11,
        },
        { onProgress: (line) => progress.push(line) },
      ).finally(() => console.log(progress.join('\n')));
      console.log(formatChaosReport(report));

      // The chaos happened: otherwise a clean result proves nothing.
      expect(report.faults.workerKills).toBeGreaterThanOrEqual(2);
      expect(report.faults.temporalRestarts).toBe(1);
      expect(report.faults.webRestarts).toBe(1);
      expect(report.faults.webhooks.duplicatesSent).toBeGreaterThan(0);
      expect(report.faults.stripe.answered500 + report.faults.stripe.droppedAfterCharge).toBeGreaterThan(0);
      expect(report.calls.placed).toBe(40);
      expect(report.calls.paid).toBeGreaterThan(0);

      expect(report.money.problems).toEqual([]);
      expect({
        doubleCharges: report.money.doubleCharges,
        paidButUnrecorded: report.money.paidButUnrecorded,
        recordedButUnpaid: report.money.recordedButUnpaid,
        toldPaidButNotPaid: report.money.toldPaidButNotPaid,
      }).toEqual({ doubleCharges: 0, paidButUnrecorded: 0, recordedButUnpaid: 0, toldPaidButNotPaid: 0 });
      expect(report.stuck.calls).toEqual([]);
    },
    8 * 60_000,
  );
});
