/**
 * paycall's configuration, from the environment, validated once at start. Every variable
 * is documented in .env.example and README; a bad value stops start-up with one clear line.
 */
import { z } from 'zod';
import { locales, payCardTypes, type Locale, type PayCardType, type PayOptions } from '../contract/instructions.js';
import { defaultVoices, voiceProblem, type Voices } from '../i18n/voices.js';
import { buildKeyRing, KeyRingError, parseDecryptionKeys } from '../temporal/key-ring.js';

const optionalString = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();

const boolean = z
  .enum(['true', 'false', '1', '0', ''])
  .optional()
  .transform((v) => v === 'true' || v === '1');

/** `true`/`false` (or 1/0); unset or empty: `fallback`. */
const flag = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', ''], { message: 'must be true or false' })
    .optional()
    .transform((v) => (v === undefined || v === '' ? fallback : v === 'true' || v === '1'));

/** `<Pay validCardTypes>`: Twilio's card type names, space- or comma-separated, each once. */
const cardTypes = z
  .string()
  .default('visa mastercard amex jcb diners-club')
  .transform((text, ctx) => {
    const types = [...new Set(text.split(/[\s,]+/).filter(Boolean))];
    const unknown = types.filter((type) => !(payCardTypes as readonly string[]).includes(type));
    if (unknown.length || types.length === 0) {
      ctx.addIssue({
        code: 'custom',
        message: `${unknown.length ? `${unknown.map((u) => `"${u}"`).join(', ')} is not a card type <Pay> knows` : 'must list at least one card type'}; use ${payCardTypes.join(', ')}`,
      });
      return z.NEVER;
    }
    return types as PayCardType[];
  });

/** A Twilio `<Say voice>` that speaks `locale` (src/i18n/voices.ts). */
const voiceFor = (locale: Locale) =>
  z
    .string()
    .trim()
    .transform((v) => v || defaultVoices[locale])
    .default(defaultVoices[locale])
    .superRefine((voice, ctx) => {
      const problem = voiceProblem(locale, voice);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    });

const port = (fallback: number) => z.coerce.number().int().min(1).max(65535).default(fallback);

/** A phone number in E.164 form (`+` and up to 15 digits). */
export const e164 = /^\+[1-9][0-9]{6,14}$/;

const envSchema = z.object({
  PORT: port(3000),
  /** The worker's (and, with metrics, each process's) operations port: /healthz, /readyz, /metrics. Unset: none. */
  METRICS_PORT: z.coerce.number().int().min(1).max(65535).optional(),
  /** Where the web server listens: loopback for a laptop; 0.0.0.0 in a container (behind its port mapping or a proxy). */
  HOST: z.string().trim().min(1).default('127.0.0.1'),
  PUBLIC_BASE_URL: optionalString.pipe(z.url({ message: 'must be an absolute http(s) URL' }).optional()),
  DATA_DIR: z.string().default('.data'),
  ORDERS_FILE: z.string().default('data/demo-orders.json'),
  /** The PostgreSQL order book (src/orders/open-order-book.ts picks the order book). */
  DATABASE_URL: optionalString.pipe(z.string().regex(/^postgres(ql)?:\/\/\S+$/, 'must be a postgres:// or postgresql:// URL').optional()),
  /** The merchant's order API (docs/orders.md), with its bearer token and per-request timeout. */
  ORDERS_API_URL: optionalString.pipe(z.url({ protocol: /^https?$/, message: 'must be an absolute http(s) URL' }).optional()),
  ORDERS_API_TOKEN: optionalString,
  ORDERS_API_TIMEOUT_MS: z.coerce
    .number({ message: 'must be a number of milliseconds' })
    .int()
    .min(100, 'must be at least 100 ms')
    .max(9000, "must be at most 9000 ms (the order activities' timeout is 10 s)")
    .default(5000),
  TEMPORAL_ADDRESS: optionalString,
  TEMPORAL_NAMESPACE: z.string().default('default'),
  TEMPORAL_TASK_QUEUE: z.string().default('paycall'),
  /** gRPC port of the dev server `npm start` runs when TEMPORAL_ADDRESS is unset. */
  TEMPORAL_DEV_PORT: port(7233),
  TEMPORAL_UI_PORT: port(8233),
  /** A production Temporal: checked (one line per problem) by src/temporal/connection-config.ts. */
  TEMPORAL_API_KEY: optionalString,
  TEMPORAL_TLS: optionalString,
  TEMPORAL_TLS_SERVER_CA_CERT_PATH: optionalString,
  TEMPORAL_TLS_SERVER_CA_CERT_DATA: optionalString,
  TEMPORAL_TLS_SERVER_NAME: optionalString,
  TEMPORAL_TLS_CLIENT_CERT_PATH: optionalString,
  TEMPORAL_TLS_CLIENT_CERT_DATA: optionalString,
  TEMPORAL_TLS_CLIENT_KEY_PATH: optionalString,
  TEMPORAL_TLS_CLIENT_KEY_DATA: optionalString,
  TEMPORAL_CONFIG_FILE: optionalString,
  TEMPORAL_PROFILE: optionalString,
  /** Read by src/temporal/temporal-cli.ts (listed here so they are validated and documented with the rest). */
  TEMPORAL_CLI_PATH: optionalString,
  PAYCALL_CACHE_DIR: optionalString,
  TWILIO_ACCOUNT_SID: optionalString.pipe(z.string().regex(/^AC[0-9a-fA-F]{32}$/, 'must look like AC followed by 32 hex digits').optional()),
  TWILIO_AUTH_TOKEN: optionalString,
  TWILIO_API_BASE: optionalString.pipe(z.url().optional()),
  /** Where the local Twilio REST stand-in listens (src/stand-ins/twilio-rest/; `npm run twilio-stand-in`, the phone simulator). */
  TWILIO_STAND_IN_PORT: port(12112),
  TWILIO_PAY_CONNECTOR: z.string().default('Default'),
  TWILIO_SMS_FROM: optionalString.pipe(z.string().regex(e164, 'must be an E.164 number like +15005550006').optional()),
  OPERATOR_NUMBER: optionalString.pipe(z.string().regex(e164, 'must be an E.164 number like +15005550000').optional()),
  STRIPE_SECRET_KEY: optionalString.pipe(z.string().regex(/^(sk|rk)_(test|live)_/, 'must start with sk_test_, sk_live_, rk_test_ or rk_live_').optional()),
  STRIPE_API_BASE: optionalString.pipe(z.url().optional()),
  STRIPE_SANDBOX_PORT: port(12111),
  STRIPE_MOTO: boolean,
  /** `<Pay>` options (src/contract/instructions.ts PayOptions), carried in each call's input. */
  PAY_VALID_CARD_TYPES: cardTypes,
  PAY_POSTAL_CODE: flag(false),
  PAY_SECURITY_CODE: flag(true),
  PAY_TIMEOUT: z.coerce
    .number({ message: 'must be a number of seconds' })
    .int('must be a whole number of seconds')
    .min(1, 'must be at least 1 second')
    // 4 fields × 3 tries × 30 s stays inside the 10 minutes the call waits for a <Pay> to end.
    .max(30, 'must be at most 30 seconds (a silent caller would otherwise outlast the 10 minutes paycall waits for <Pay> to end)')
    .default(10),
  PAY_MAX_ATTEMPTS: z.coerce.number({ message: 'must be 1, 2 or 3' }).int('must be 1, 2 or 3').min(1, 'must be 1, 2 or 3 (Twilio <Pay> maxAttempts)').max(3, 'must be 1, 2 or 3 (Twilio <Pay> maxAttempts)').default(3),
  /** The text-to-speech voice for each caller language, on every <Say>. */
  VOICE_EN_US: voiceFor('en-US'),
  VOICE_JA_JP: voiceFor('ja-JP'),
  /** The Stripe webhook endpoint's signing secret (`whsec_…`), for POST /stripe/webhook. Unset: a local dev secret the sandbox signs with. */
  STRIPE_WEBHOOK_SECRET: optionalString.pipe(z.string().startsWith('whsec_', 'must be the endpoint\'s signing secret, starting with whsec_').optional()),
  LOCALE: z.enum(locales as [Locale, ...Locale[]]).default('en-US'),
  /** JSON map from dialled-number prefix to locale; the longest matching prefix wins. */
  LOCALE_BY_NUMBER: z
    .string()
    .default('{"+81":"ja-JP"}')
    .transform((text, ctx) => {
      try {
        return z.record(z.string().regex(/^\+[0-9]*$/), z.enum(locales as [Locale, ...Locale[]])).parse(JSON.parse(text));
      } catch {
        ctx.addIssue({ code: 'custom', message: 'must be a JSON object like {"+81":"ja-JP"}' });
        return z.NEVER;
      }
    }),
  /** The longest order number a caller may key; longer input is withheld before the workflow sees it. */
  ORDER_NUMBER_MAX_LENGTH: z.coerce.number().int().min(1).max(30).default(12),
  WEBHOOK_DEADLINE_MS: z.coerce.number().int().min(200).max(10_000).default(3000),
  OPERATOR_TOKEN: optionalString,
  /** Named operators: `alice:sha256:<hex>,…` (npm run operator:token -- alice). */
  OPERATORS: optionalString,
  /** Named operators as a JSON file: [{ "name", "tokenSha256" }]. */
  OPERATORS_FILE: optionalString,
  /** base64 of 32 random bytes (`openssl rand -base64 32`): encrypts Temporal payloads. */
  PAYLOAD_ENCRYPTION_KEY: optionalString.pipe(
    z
      .string()
      .transform((text) => Buffer.from(text, 'base64'))
      .refine((key) => key.length === 32, 'must be base64 of exactly 32 bytes (openssl rand -base64 32)')
      .optional(),
  ),
  PAYLOAD_ENCRYPTION_KEY_ID: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/).default('k1'),
  /** Older keys that still decrypt: `k0:<base64>,…` (src/temporal/key-ring.ts; rotating: docs/operations.md). */
  PAYLOAD_DECRYPTION_KEYS: optionalString.transform((text, ctx) => {
    try {
      return text === undefined ? undefined : parseDecryptionKeys(text);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: err instanceof KeyRingError ? err.problem : String(err) });
      return z.NEVER;
    }
  }),
  /** The codec server (/codec): the Web UI origins allowed to call it, comma-separated; unset: the Temporal UI paycall links to. */
  CODEC_CORS_ORIGINS: optionalString,
  /** The codec link's key for the Temporal Web UI (/codec/ui/<key>); unset: operator tokens only (npm start makes one). */
  CODEC_UI_KEY: optionalString.pipe(z.string().min(16, 'must be at least 16 characters (openssl rand -hex 16)').optional()),
  /** OpenTelemetry tracing (src/observability/tracing.ts): the OTLP/HTTP collector's base URL; unset: no tracing. */
  OTEL_EXPORTER_OTLP_ENDPOINT: optionalString.pipe(z.string().url('must be a URL like http://localhost:4318').optional()),
  /** The service name on paycall's spans; unset: paycall, paycall-web or paycall-worker. */
  OTEL_SERVICE_NAME: optionalString,
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type Env = z.infer<typeof envSchema>;

/** Every environment variable paycall reads. */
export const configVariableNames: readonly string[] = Object.keys(envSchema.shape);

export interface Config extends Env {
  /** PUBLIC_BASE_URL, or http://localhost:$PORT. Twilio signs requests against this. */
  publicBaseUrl: string;
  /** The PAY_* settings as the call's input carries them. */
  payOptions: PayOptions;
  /** VOICE_EN_US and VOICE_JA_JP by locale. */
  voices: Voices;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.') || 'environment'}: ${issue.message}`));
  }
  const values = parsed.data;
  if (values.DATABASE_URL && values.ORDERS_API_URL) {
    throw new ConfigError(['DATABASE_URL and ORDERS_API_URL are both set: paycall uses one order book, so set only one of them']);
  }
  try {
    buildKeyRing(values);
  } catch (err) {
    if (err instanceof KeyRingError) throw new ConfigError([err.problem]);
    throw err;
  }
  const publicBaseUrl = (values.PUBLIC_BASE_URL ?? `http://localhost:${values.PORT}`).replace(/\/+$/, '');
  return { ...values, publicBaseUrl, payOptions: payOptionsOf(values), voices: { 'en-US': values.VOICE_EN_US, 'ja-JP': values.VOICE_JA_JP } };
}

/** The `<Pay>` settings from PAY_*. */
export function payOptionsOf(values: Pick<Env, 'PAY_VALID_CARD_TYPES' | 'PAY_SECURITY_CODE' | 'PAY_POSTAL_CODE' | 'PAY_TIMEOUT' | 'PAY_MAX_ATTEMPTS'>): PayOptions {
  return {
    validCardTypes: [...values.PAY_VALID_CARD_TYPES],
    securityCode: values.PAY_SECURITY_CODE,
    postalCode: values.PAY_POSTAL_CODE,
    timeoutSeconds: values.PAY_TIMEOUT,
    maxAttempts: values.PAY_MAX_ATTEMPTS as PayOptions['maxAttempts'],
  };
}

/** Whether SMS receipts can be sent: Twilio credentials and a sender number. */
export function smsReceiptsEnabled(config: Pick<Config, 'TWILIO_ACCOUNT_SID' | 'TWILIO_AUTH_TOKEN' | 'TWILIO_SMS_FROM'>): boolean {
  return Boolean(config.TWILIO_ACCOUNT_SID && config.TWILIO_AUTH_TOKEN && config.TWILIO_SMS_FROM);
}

/** The caller's language: by the dialled number's prefix (longest match), else LOCALE. */
export function localeForNumber(config: Pick<Config, 'LOCALE' | 'LOCALE_BY_NUMBER'>, dialled: string | undefined): Locale {
  if (!dialled) return config.LOCALE;
  const match = Object.keys(config.LOCALE_BY_NUMBER)
    .filter((prefix) => dialled.startsWith(prefix))
    .sort((a, b) => b.length - a.length)[0];
  return match ? (config.LOCALE_BY_NUMBER[match] ?? config.LOCALE) : config.LOCALE;
}
