/**
 * `npm run call -- [flags]`: call paycall like Twilio would. See README.md beside this file.
 */
import { parseArgs } from 'node:util';
import type { Caller } from './caller.js';
import { formatEnding, formatEntry, formatRequest } from './format.js';
import { InteractiveCaller } from './interactive.js';
import { formatLoadReport, runLoad } from './load.js';
import { DEFAULT_STRIPE_URL } from './stripe-tokenizer.js';
import { DEFAULT_APP_URL, placeCall, type PlaceCallOptions } from './place-call.js';
import { keysToSteps, loadScenario, loadScenarioMix, ScenarioError, type Scenario, type WeightedScenario } from './scenario.js';
import { AuthTokenError, DEFAULT_FROM, DEFAULT_TO, resolveAuthToken } from './signing.js';
import { DEFAULT_TWILIO_STAND_IN_PORT } from '../twilio-rest/control-protocol.js';

const usage = `Usage: npm run call -- [options]

Calls paycall's webhooks the way Twilio does (signed requests, TwiML, <Pay> with the Stripe
connector against the Stripe sandbox) and prints what the caller hears.

Who calls:
  (nothing)                  interactive: type keys per <Gather> and per <Pay> field (needs a terminal)
  --keys "73021#,1,..."      scripted: one entry per input point: keys for a <Gather> ("" = no input),
                             pay=CARD/MMYY/CVC[/POSTAL], pay=NAME (a Stripe test card: visa, mastercard,
                             amex, declined, insufficient-funds, expired-card, incorrect-cvc,
                             processing-error, needs-authentication; for what Stripe does later:
                             pending-refund, refund-fails, disputed) or pay=* for a <Pay>,
                             agent:pay=NAME or agent:pay=CARD/MMYY/CVC[/POSTAL] for an agent-assisted
                             payment while connected to the operator (one per payment session; in each
                             part, | separates what to key each time the operator asks again, an empty
                             entry is silence, a card name may stand for the number, hangup hangs up:
                             agent:pay=4242424242424241|visa, agent:pay=visa/1234/hangup, agent:pay=|visa),
                             hangup, hangup-during-pay
  --scenario FILE            scripted from a scenario file (see scenarios/)

Where:
  --url URL                  paycall's base URL (default http://localhost:$PORT, else ${DEFAULT_APP_URL})
  --public-url URL           the public URL signatures are computed over (default: --url)
  --stripe-url URL           Stripe API for tokenization (default $STRIPE_SANDBOX_URL, else
                             http://127.0.0.1:$STRIPE_SANDBOX_PORT, else ${DEFAULT_STRIPE_URL})
  --voice-path PATH          incoming-call webhook (default /twilio/voice)
  --status-path PATH         call-status callback (default /twilio/status)
  --twilio-url URL           the Twilio REST stand-in: <Dial> becomes a live call with the operator
                             (default $TWILIO_STAND_IN_URL, else http://127.0.0.1:$TWILIO_STAND_IN_PORT,
                             else http://127.0.0.1:${DEFAULT_TWILIO_STAND_IN_PORT}; "none", or none listening: <Dial> is a transfer)

The call:
  --from E164                caller's number (default: scenario's, else ${DEFAULT_FROM})
  --to E164                  number dialled; +81… gets Japanese (default: scenario's, else ${DEFAULT_TO})
  --call-sid CA…             use this CallSid (default: random)
  --realtime                 really wait for <Pause> and input timeouts (default: simulated time)
  --response-timeout-ms N    Twilio's response limit (default 15000)
  --connect-timeout-ms N     connect timeout (default 5000)
  --max-requests N           loop guard: TwiML documents per call (default 100)

Load:
  --calls N                  place N calls (with --scenario, --scenario-mix or --keys)
  --concurrency C            at most C at once (default 1)
  --scenario-mix FILE        [{ "scenario": "scenarios/x.json", "weight": 3 }, …]

Output:
  --json                     print the call record (or the load report) as JSON
  -v, --verbose              also print every HTTP request with status and latency
  -h, --help

Auth token: TWILIO_AUTH_TOKEN, else <DATA_DIR>/twilio-dev-auth-token (DATA_DIR default .data).
Exit status: 0 call ok, 1 call failed (app-error/error) or load had failures, 2 usage error.`;

class UsageError extends Error {}

function int(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`--${name} must be a non-negative integer (got "${value}")`);
  return n;
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      url: { type: 'string' },
      'public-url': { type: 'string' },
      'stripe-url': { type: 'string' },
      'voice-path': { type: 'string' },
      'status-path': { type: 'string' },
      'twilio-url': { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      'call-sid': { type: 'string' },
      keys: { type: 'string' },
      scenario: { type: 'string' },
      'scenario-mix': { type: 'string' },
      calls: { type: 'string' },
      concurrency: { type: 'string' },
      realtime: { type: 'boolean' },
      'response-timeout-ms': { type: 'string' },
      'connect-timeout-ms': { type: 'string' },
      'max-requests': { type: 'string' },
      json: { type: 'boolean' },
      verbose: { type: 'boolean', short: 'v' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(usage);
    return 0;
  }
  if (positionals.length) throw new UsageError(`unexpected argument: ${positionals[0]}`);
  if (values.keys !== undefined && values.scenario !== undefined) throw new UsageError('give --keys or --scenario, not both');

  const json = values.json ?? false;
  const verbose = values.verbose ?? false;
  const calls = int('calls', values.calls);
  const concurrency = int('concurrency', values.concurrency) ?? 1;
  const responseTimeoutMs = int('response-timeout-ms', values['response-timeout-ms']);
  const connectTimeoutMs = int('connect-timeout-ms', values['connect-timeout-ms']);
  const maxRequests = int('max-requests', values['max-requests']);

  const scenario: Scenario | undefined = values.scenario ? await loadScenario(values.scenario) : undefined;
  if (values.keys !== undefined) keysToSteps(values.keys); // validate early

  // Where `npm start` runs the Twilio REST stand-in with the same environment (and .env).
  const twilioUrl =
    values['twilio-url'] ??
    process.env.TWILIO_STAND_IN_URL ??
    `http://127.0.0.1:${process.env.TWILIO_STAND_IN_PORT || DEFAULT_TWILIO_STAND_IN_PORT}`;
  const common: PlaceCallOptions = {
    // Where `npm start` listens with the same environment (and .env) as this command.
    url: values.url ?? (process.env.PORT ? `http://localhost:${process.env.PORT}` : DEFAULT_APP_URL),
    ...(values['public-url'] ? { publicUrl: values['public-url'] } : {}),
    authToken: resolveAuthToken(),
    ...(values['stripe-url'] ? { stripeUrl: values['stripe-url'] } : !process.env.STRIPE_SANDBOX_URL && process.env.STRIPE_SANDBOX_PORT ? { stripeUrl: `http://127.0.0.1:${process.env.STRIPE_SANDBOX_PORT}` } : {}),
    ...(values['voice-path'] ? { voicePath: values['voice-path'] } : {}),
    ...(values['status-path'] ? { statusPath: values['status-path'] } : {}),
    ...(twilioUrl && twilioUrl !== 'none' ? { twilioUrl } : {}),
    ...(values.from ? { from: values.from } : {}),
    ...(values.to ? { to: values.to } : {}),
    ...(values.realtime ? { realtime: true } : {}),
    ...(responseTimeoutMs === undefined ? {} : { responseTimeoutMs }),
    ...(connectTimeoutMs === undefined ? {} : { connectTimeoutMs }),
    ...(maxRequests === undefined ? {} : { maxRequests }),
  };

  // ---- load mode ----
  if (calls !== undefined || values['scenario-mix'] !== undefined) {
    if (values['call-sid']) throw new UsageError('--call-sid makes no sense with --calls');
    let mix: WeightedScenario[];
    if (values['scenario-mix']) mix = await loadScenarioMix(values['scenario-mix']);
    else if (scenario) mix = [{ scenario, weight: 1 }];
    else if (values.keys !== undefined) mix = [{ scenario: { name: 'keys', steps: keysToSteps(values.keys) }, weight: 1 }];
    else throw new UsageError('load mode needs --scenario, --scenario-mix or --keys');
    if (!json) console.error(`placing ${calls ?? 1} calls, ${concurrency} at a time…`);
    const report = await runLoad({ ...common, calls: calls ?? 1, concurrency, mix });
    console.log(json ? JSON.stringify(report, null, 2) : formatLoadReport(report));
    return report.failed > 0 ? 1 : 0;
  }

  // ---- one call ----
  let caller: Caller | undefined;
  if (values.keys === undefined && !scenario) {
    if (!process.stdin.isTTY) {
      throw new UsageError('stdin is not a terminal: give --keys or --scenario for a scripted call (see --help)');
    }
    caller = new InteractiveCaller({ output: json ? process.stderr : process.stdout });
  }
  const print = (line: string) => (json ? undefined : console.log(line));
  // Ctrl-C once: the caller hangs up (Twilio still sends the status callback); twice: quit now.
  const hangUp = new AbortController();
  process.on('SIGINT', () => {
    if (hangUp.signal.aborted) process.exit(130);
    console.error('call: hanging up (Ctrl-C again to quit at once)');
    hangUp.abort();
  });
  const record = await placeCall({
    ...common,
    signal: hangUp.signal,
    ...(values['call-sid'] ? { callSid: values['call-sid'] } : {}),
    ...(caller ? { caller } : {}),
    ...(values.keys !== undefined ? { keys: values.keys } : {}),
    ...(scenario ? { scenario } : {}),
    ...(caller
      ? {}
      : {
          onTranscript: (e) => {
            const line = formatEntry(e);
            if (line) print(line);
          },
        }),
    ...(verbose ? { afterRequest: (r) => print(formatRequest(r)) } : {}),
  });
  if (json) console.log(JSON.stringify(record, null, 2));
  else console.log(formatEnding(record));
  return record.ok ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof UsageError || err instanceof ScenarioError || err instanceof AuthTokenError) {
      console.error(`call: ${err.message}`);
    } else if (err instanceof TypeError && (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`call: ${err.message}\n\n${usage}`);
    } else {
      console.error(err);
    }
    process.exitCode = 2;
  },
);
