/** `npm run bench -- [options]`: the flags, their defaults and checks. */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { sideNames, type SideName } from './sides.js';

export const usage = `Usage: npm run bench -- [options]

Places the same paying calls (order number, press 1, pay by card) on three sides, alternated
in one run: the stateless baseline IVR, the minimal durable call, and paycall as npm start
runs it. Prints paid calls/s, webhook latency, paycall's ratios to both, and what a paid
call costs in Temporal history events and billable actions.

  --calls N               measured calls per side per round (default 200)
  --concurrency C         calls in flight at once (default 50)
  --rounds R              the sides alternate R times: A B C A B C … (default 2)
  --warmup N              unmeasured calls per side before each measured run (default 10)
  --persistence P         the dev server's database: file (as npm start: SQLite) or memory (default file)
  --sides LIST            a subset, e.g. minimal,paycall (default baseline,minimal,paycall)
  --profile DIR           CPU profiles of paycall's process (node --cpu-prof) and the dev
                          server's metrics before/after each durable run, written to DIR
  --cpu-prof              the same, into .data/bench-profile/<time>
  --json                  print the report as JSON (progress goes to stderr)
  --keep                  keep the run's folder (logs, databases) instead of deleting it
  -h, --help`;

const count = (min: number) => z.coerce.number().int().min(min);

const optionsSchema = z.object({
  calls: count(1).default(200),
  concurrency: count(1).default(50),
  rounds: count(1).max(20).default(2),
  warmup: count(0).default(10),
  persistence: z.enum(['file', 'memory']).default('file'),
  sides: z
    .string()
    .default(sideNames.join(','))
    .transform((text, ctx) => {
      const names = text.split(',').map((s) => s.trim()).filter(Boolean);
      const unknown = names.filter((n) => !(sideNames as readonly string[]).includes(n));
      if (unknown.length || names.length === 0) {
        ctx.addIssue({ code: 'custom', message: `sides are ${sideNames.join(', ')} (got ${text})` });
        return z.NEVER;
      }
      // Always in the order A B C, so rounds alternate the same way.
      return sideNames.filter((n) => names.includes(n)) as SideName[];
    }),
  profile: z.string().min(1).optional(),
  json: z.boolean().default(false),
  keep: z.boolean().default(false),
});

export type BenchOptions = z.infer<typeof optionsSchema>;

export class UsageError extends Error {
  override name = 'UsageError';
}

export function parseBenchOptions(argv: string[], now = new Date()): BenchOptions | 'help' {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      options: {
        calls: { type: 'string' },
        concurrency: { type: 'string' },
        rounds: { type: 'string' },
        warmup: { type: 'string' },
        persistence: { type: 'string' },
        sides: { type: 'string' },
        profile: { type: 'string' },
        'cpu-prof': { type: 'boolean' },
        json: { type: 'boolean' },
        keep: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (values.help) return 'help';
  const { 'cpu-prof': cpuProf, help: _help, ...rest } = values;
  if (cpuProf && !rest.profile) rest.profile = path.join('.data', 'bench-profile', now.toISOString().replace(/[:.]/g, '-'));
  const parsed = optionsSchema.safeParse(rest);
  if (!parsed.success) throw new UsageError(parsed.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('; '));
  return parsed.data;
}
