/**
 * The library entry point: place one simulated call and get its record.
 *
 *   const record = await placeCall({ url: 'http://localhost:3000', scenario });
 */
import type { Caller } from './caller.js';
import { ScriptedCaller } from './caller.js';
import { CallSession } from './call-session.js';
import { WebhookClient, type WebhookRequest } from './http-client.js';
import { createStripeTokenizer, DEFAULT_STRIPE_URL, type Tokenizer } from './stripe-tokenizer.js';
import type { CallRecord, RequestRecord, TranscriptEntry } from './record.js';
import { keysToSteps, type Scenario, type ScenarioStep } from './scenario.js';
import { DEFAULT_FROM, DEFAULT_TO, newCallSid, resolveAccountSid, resolveAuthToken } from './signing.js';
import { TwilioLink } from './twilio-link.js';

export const DEFAULT_APP_URL = 'http://localhost:3000';

export interface PlaceCallOptions {
  /** Where paycall really listens. Default http://localhost:3000. */
  url?: string;
  /** The public URL Twilio would use (signatures are computed over it). Default: `url`. */
  publicUrl?: string;
  /** Default: TWILIO_AUTH_TOKEN, else `<DATA_DIR>/twilio-dev-auth-token`. */
  authToken?: string;
  /** Default: TWILIO_ACCOUNT_SID, else a fixed dev AccountSid. */
  accountSid?: string;
  /** Default: a fresh `CA…`. */
  callSid?: string;
  /** Caller's number. Default: the scenario's, else +15005550006. */
  from?: string;
  /** Number dialled (`+81…` → Japanese). Default: the scenario's, else +15005550001. */
  to?: string;

  /** Who is calling. First given wins: `caller`, `steps`, `keys`, `scenario.steps`. */
  caller?: Caller;
  steps?: readonly ScenarioStep[];
  /** `--keys` syntax: "73021#,1,pay=4242424242424242/1234/123". */
  keys?: string;
  scenario?: Scenario;

  /** Stripe API (the sandbox) for <Pay> tokenization. Default STRIPE_SANDBOX_URL, else http://127.0.0.1:12111. */
  stripeUrl?: string;
  stripeApiKey?: string;
  /** Replace tokenization entirely (tests). */
  tokenize?: Tokenizer;

  /** Twilio's response limit, default 15000 ms. */
  responseTimeoutMs?: number;
  connectTimeoutMs?: number;
  /** Really wait for <Pause>, Gather/Pay timeouts. Default false (simulated time). */
  realtime?: boolean;
  /** Stop a call after this many TwiML documents (loop guard). Default 100. */
  maxRequests?: number;
  voicePath?: string;
  statusPath?: string;
  /** Clock for card expiry checks. */
  now?: () => Date;
  /** Abort = the caller hangs up before the next verb. */
  signal?: AbortSignal;
  /**
   * The Twilio REST stand-in (e.g. http://127.0.0.1:12112): a `<Dial>` becomes a live call with
   * the operator that the app drives through Twilio's REST API (agent-assisted payments).
   * Without it, `<Dial>` ends the call as a transfer.
   */
  twilioUrl?: string;

  onTranscript?: (entry: TranscriptEntry) => void;
  /** Awaited before each HTTP attempt: a test can stop a worker right before `/twilio/pay`, say. */
  beforeRequest?: (request: WebhookRequest & { attempt: number }) => void | Promise<void>;
  afterRequest?: (record: RequestRecord) => void | Promise<void>;
}

export async function placeCall(options: PlaceCallOptions = {}): Promise<CallRecord> {
  const url = options.url ?? DEFAULT_APP_URL;
  const accountSid = options.accountSid ?? resolveAccountSid();
  const authToken = options.authToken ?? resolveAuthToken();
  const client = new WebhookClient({
    baseUrl: url,
    publicBaseUrl: options.publicUrl ?? url,
    authToken,
    ...(options.responseTimeoutMs === undefined ? {} : { responseTimeoutMs: options.responseTimeoutMs }),
    ...(options.connectTimeoutMs === undefined ? {} : { connectTimeoutMs: options.connectTimeoutMs }),
    ...(options.beforeRequest ? { beforeRequest: options.beforeRequest } : {}),
    ...(options.afterRequest ? { afterRequest: options.afterRequest } : {}),
  });
  const caller = options.caller ?? new ScriptedCaller(scriptOf(options));
  const tokenize =
    options.tokenize ??
    createStripeTokenizer({
      url: options.stripeUrl ?? process.env.STRIPE_SANDBOX_URL ?? DEFAULT_STRIPE_URL,
      ...(options.stripeApiKey ? { apiKey: options.stripeApiKey } : {}),
    });
  const session = new CallSession({
    client,
    identity: {
      callSid: options.callSid ?? newCallSid(),
      accountSid,
      from: options.from ?? options.scenario?.from ?? DEFAULT_FROM,
      to: options.to ?? options.scenario?.to ?? DEFAULT_TO,
    },
    caller,
    tokenize,
    ...(options.voicePath ? { voicePath: options.voicePath } : {}),
    ...(options.statusPath ? { statusPath: options.statusPath } : {}),
    ...(options.realtime ? { realtime: true } : {}),
    ...(options.maxRequests ? { maxRequests: options.maxRequests } : {}),
    ...(options.now ? { now: options.now } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.twilioUrl ? { link: new TwilioLink({ baseUrl: options.twilioUrl, accountSid, authToken }) } : {}),
    ...(options.onTranscript ? { onTranscript: options.onTranscript } : {}),
    ...(options.scenario ? { scenarioName: options.scenario.name } : {}),
  });
  return session.run();
}

function scriptOf(options: PlaceCallOptions): readonly ScenarioStep[] {
  if (options.steps) return options.steps;
  if (options.keys !== undefined) return keysToSteps(options.keys);
  if (options.scenario) return options.scenario.steps;
  return [];
}
