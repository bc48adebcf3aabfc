/**
 * paycall's configuration, from the environment, validated once at start. Every variable
 * is documented in .env.example and README; a bad value stops start-up with one clear line.
 */
import { z } from 'zod';
import { locales, type Locale } from '../contract/instructions.js';

const optionalString = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();

const boolean = z
  .enum(['true', 'false', '1', '0', ''])
  .optional()
  .transform((v) => v === 'true' || v === '1');

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
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type Env = z.infer<typeof envSchema>;

/** Every environment variable paycall reads. */
export const configVariableNames: readonly string[] = Object.keys(envSchema.shape);

export interface Config extends Env {
  /** PUBLIC_BASE_URL, or http://localhost:$PORT. Twilio signs requests against this. */
  publicBaseUrl: string;
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
  const publicBaseUrl = (values.PUBLIC_BASE_URL ?? `http://localhost:${values.PORT}`).replace(/\/+$/, '');
  return { ...values, publicBaseUrl };
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
