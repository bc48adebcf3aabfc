/**
 * `npm run chaos`: paycall's own chaos run. N calls through a load balancer over two web
 * processes, two worker processes on a Temporal dev server and a PostgreSQL order book,
 * while a worker is SIGKILLed every ~10 s, Temporal and one web restart once, Stripe
 * answers 500 or drops responses after charging, and webhooks arrive twice. Then Stripe,
 * the order book and Temporal are reconciled and caller waits measured (chaos-run.ts).
 *
 *   npm run chaos                                  # defaults: a few minutes
 *   npm run chaos -- --calls 60 --concurrency 4 --json
 *
 * Exit status: 0 when every money line is 0 and no call is stuck, 1 otherwise, 2 for bad flags.
 */
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { formatChaosReport, type ChaosSettings } from './chaos-report.js';
import { runChaos } from './chaos-run.js';

const usage = `usage: npm run chaos -- [options]
  --calls N                 calls to place (default 200)
  --concurrency N           calls at a time (default 8)
  --workers N               worker processes (default 2)
  --webs N                  web processes (default 2)
  --kill-every SECONDS      SIGKILL a worker this often (default 10)
  --stripe-error-rate R     share of paycall's Stripe requests answered 500 (default 0.05)
  --stripe-drop-rate R      share of charges made whose response is dropped (default 0.02)
  --duplicate-rate R        share of webhooks delivered twice (default 0.2)
  --race-share R            share of calls in pairs racing for one order (default 0.06)
  --no-temporal-restart     do not restart the Temporal server mid-run
  --no-web-restart          do not restart a web process mid-run
  --think-ms MIN-MAX        caller's pause before each input (default 100-600)
  --grace SECONDS           how long workflows may take to finish after the last call (default 30)
  --seed N                  the call plan and fault draws (default 1)
  --keep-data               keep the run's data dir (Temporal db, sandbox state, process logs)
  --json                    print the report as JSON (progress still goes to stderr)
  -h, --help`;

const rate = z.coerce.number().min(0).max(1);
const count = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const flagsSchema = z.object({
  calls: count(1, 100_000).default(200),
  concurrency: count(1, 500).default(8),
  workers: count(1, 16).default(2),
  webs: count(1, 16).default(2),
  'kill-every': z.coerce.number().min(1).max(3600).default(10),
  'stripe-error-rate': rate.default(0.05),
  'stripe-drop-rate': rate.default(0.02),
  'duplicate-rate': rate.default(0.2),
  'race-share': rate.default(0.06),
  'no-temporal-restart': z.boolean().default(false),
  'no-web-restart': z.boolean().default(false),
  'think-ms': z
    .string()
    .regex(/^\d+-\d+$/, 'must look like 100-600')
    .default('100-600')
    .transform((v) => {
      const [min, max] = v.split('-').map(Number) as [number, number];
      return { min: Math.min(min, max), max: Math.max(min, max) };
    }),
  grace: z.coerce.number().min(0).max(3600).default(30),
  seed: z.coerce.number().int().default(1),
  'keep-data': z.boolean().default(false),
  json: z.boolean().default(false),
});

function parseFlags(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      calls: { type: 'string' },
      concurrency: { type: 'string' },
      workers: { type: 'string' },
      webs: { type: 'string' },
      'kill-every': { type: 'string' },
      'stripe-error-rate': { type: 'string' },
      'stripe-drop-rate': { type: 'string' },
      'duplicate-rate': { type: 'string' },
      'race-share': { type: 'string' },
      'no-temporal-restart': { type: 'boolean' },
      'no-web-restart': { type: 'boolean' },
      'think-ms': { type: 'string' },
      grace: { type: 'string' },
      seed: { type: 'string' },
      'keep-data': { type: 'boolean' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(usage);
    process.exit(0);
  }
  const parsed = flagsSchema.safeParse(values);
  if (!parsed.success) throw new Error(parsed.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('\n'));
  return parsed.data;
}

async function main(): Promise<void> {
  let flags: ReturnType<typeof parseFlags>;
  try {
    flags = parseFlags(process.argv.slice(2));
  } catch (err) {
    console.error(`${(err as Error).message}\n${usage}`);
    process.exit(2);
  }
  const settings: ChaosSettings = {
    calls: flags.calls,
    concurrency: flags.concurrency,
    workers: flags.workers,
    webs: flags.webs,
    killIntervalMs: Math.round(flags['kill-every'] * 1000),
    stripeErrorRate: flags['stripe-error-rate'],
    stripeDropRate: flags['stripe-drop-rate'],
    duplicateRate: flags['duplicate-rate'],
    raceShare: flags['race-share'],
    temporalRestart: !flags['no-temporal-restart'],
    webRestart: !flags['no-web-restart'],
    thinkMs: flags['think-ms'],
    graceMs: Math.round(flags.grace * 1000),
    seed: flags.seed,
  };
  // Ctrl-C: exit, and the exit hooks kill every process group and server the run started.
  process.once('SIGINT', () => process.exit(130));
  process.once('SIGTERM', () => process.exit(143));
  const report = await runChaos(settings, { onProgress: (line) => console.error(line), keepData: flags['keep-data'] });
  console.log(flags.json ? JSON.stringify(report, null, 2) : formatChaosReport(report));
  const m = report.money;
  const clean = m.doubleCharges + m.paidButUnrecorded + m.recordedButUnpaid + m.toldPaidButNotPaid === 0 && report.stuck.count === 0;
  process.exit(clean ? 0 : 1);
}

main().catch((err: unknown) => {
  console.error('chaos run failed:', err);
  process.exit(1);
});
