/**
 * `npm run bench -- [options]`: durability's cost, measured. See README "Benchmark" and
 * options.ts for the flags. Progress goes to stderr, the report to stdout (text or --json).
 * Exit status: 0 when every measured call of every side paid, 1 otherwise, 2 for bad flags.
 */
import { formatReport } from './format-report.js';
import { parseBenchOptions, usage, UsageError } from './options.js';
import { runBench } from './run-bench.js';

let options;
try {
  options = parseBenchOptions(process.argv.slice(2));
} catch (err) {
  if (!(err instanceof UsageError)) throw err;
  console.error(`bench: ${err.message}\n\n${usage}`);
  process.exit(2);
}
if (options === 'help') {
  console.log(usage);
  process.exit(0);
}

const report = await runBench(options, (line) => console.error(line));
console.log(options.json ? JSON.stringify(report, null, 2) : formatReport(report));
process.exit(report.allPaid ? 0 : 1);
