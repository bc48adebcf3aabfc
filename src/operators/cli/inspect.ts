/**
 * `npm run inspect -- <CallSid | call-… | refund-… workflow id> [--json]`: one call's story
 * in business terms (timeline, where it failed, refunds, live state).
 * `npm run inspect -- --history <file.json> [--json]`: the timeline of a history file
 * (from `temporal workflow show --output json` or test/…/histories/), no server needed.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import { loadConfig } from '../../config/config.js';
import { dataConverterFor } from '../../temporal/encryption-codec.js';
import { buildTimeline, decodeHistoryPayloads } from '../timeline/index.js';
import { CliUsageError, connectOperatorCli, exitOnCliError } from './connect.js';
import { renderTimelineText } from './render-text.js';

const usage = 'usage: npm run inspect -- <CallSid|workflow id> [--json]   |   npm run inspect -- --history <file.json> [--json]';

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    options: { json: { type: 'boolean', default: false }, history: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    allowPositionals: true,
  });
  if (values.help) {
    console.log(usage);
    return;
  }
  const color = Boolean(process.stdout.isTTY) && !values.json && !process.env.NO_COLOR;

  if (values.history) {
    if (positionals.length > 0) throw new CliUsageError(usage);
    const text = await readFile(values.history, 'utf8').catch((err: Error) => {
      throw new CliUsageError(`cannot read ${values.history}: ${err.message}`);
    });
    let json: unknown = JSON.parse(text);
    if (typeof json === 'string') json = JSON.parse(json); // historyToJSON output saved with JSON.stringify
    const history = historyFromJSON(json);
    const codecs = dataConverterFor(loadConfig())?.payloadCodecs ?? [];
    const timeline = buildTimeline(await decodeHistoryPayloads(history, codecs));
    console.log(values.json ? JSON.stringify(timeline, null, 2) : renderTimelineText(timeline, { color }));
    return;
  }

  const [id, ...rest] = positionals;
  if (!id || rest.length > 0) throw new CliUsageError(usage);
  const cli = await connectOperatorCli();
  try {
    const detail = await cli.queries.detail(id);
    console.log(values.json ? JSON.stringify(detail, null, 2) : renderTimelineText(detail.timeline, { detail, color }));
  } finally {
    await cli.close();
  }
}

main().catch(exitOnCliError);
