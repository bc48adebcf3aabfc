/**
 * `npm run calls -- [--outcome declined] [--failed-at charge] [--order 73021] [--since 2h]
 *                   [--stage card-capture] [--limit 25] [--page-token T] [--json]`
 * Lists calls, newest first, with the one-line answer to "where did it fail?".
 */
import { parseArgs } from 'node:util';
import { shownOutcomes } from '../../contract/vocabulary.js';
import { callFiltersSchema } from '../read/filters.js';
import { CliUsageError, connectOperatorCli, exitOnCliError } from './connect.js';
import { renderCallsTable } from './render-text.js';

const usage =
  `usage: npm run calls -- [--outcome ${shownOutcomes.join('|')}] [--failed-at <step>] [--order <id>] [--since 2h|<ISO date>] [--stage <step>] [--limit N] [--page-token T] [--json]`;

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    options: {
      outcome: { type: 'string' },
      'failed-at': { type: 'string' },
      order: { type: 'string' },
      since: { type: 'string' },
      stage: { type: 'string' },
      limit: { type: 'string', default: '25' },
      'page-token': { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: true,
  });
  if (values.help) {
    console.log(usage);
    return;
  }
  if (positionals.length > 0) throw new CliUsageError(`unexpected ${positionals.join(' ')}\n${usage}`);
  const filters = callFiltersSchema.parse({
    outcome: values.outcome,
    failedAt: values['failed-at'],
    order: values.order,
    since: values.since,
    stage: values.stage,
    pageSize: values.limit,
    pageToken: values['page-token'],
  });
  const cli = await connectOperatorCli();
  try {
    const page = await cli.queries.list(filters);
    if (values.json) {
      console.log(JSON.stringify(page, null, 2));
      return;
    }
    const color = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
    // Fit the terminal; piped output keeps whole lines for grep.
    console.log(renderCallsTable(page.calls, { width: process.stdout.isTTY ? process.stdout.columns : Number.POSITIVE_INFINITY, color }));
    console.log(`\n${page.calls.length} call(s) · ${cli.config.TEMPORAL_NAMESPACE} @ ${cli.address} · query: ${page.query}`);
    if (page.nextPageToken) console.log(`more: npm run calls -- ${process.argv.slice(2).filter((a, i, all) => a !== '--page-token' && all[i - 1] !== '--page-token').join(' ')} --page-token ${page.nextPageToken}`);
    console.log('details: npm run inspect -- <CALL>');
  } finally {
    await cli.close();
  }
}

main().catch(exitOnCliError);
