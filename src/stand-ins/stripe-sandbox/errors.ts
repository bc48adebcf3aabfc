/**
 * Stripe-shaped errors. Every failure the sandbox answers is a `StripeSandboxError`: an HTTP
 * status plus the `{ error: { type, code, message, ... } }` body Stripe sends, so stripe-node
 * maps it to the same error class as the real API (402 → StripeCardError, 400/404 →
 * StripeInvalidRequestError or StripeIdempotencyError, 401 → StripeAuthenticationError, other →
 * StripeAPIError).
 */

export type StripeErrorType = 'api_error' | 'card_error' | 'idempotency_error' | 'invalid_request_error';

export interface StripeErrorFields {
  type: StripeErrorType;
  message: string;
  code?: string;
  decline_code?: string;
  param?: string;
  doc_url?: string;
  charge?: string;
  payment_intent?: unknown;
  payment_method?: unknown;
}

export class StripeSandboxError extends Error {
  constructor(
    readonly status: number,
    readonly fields: StripeErrorFields,
  ) {
    super(fields.message);
    this.name = 'StripeSandboxError';
  }

  body(): { error: StripeErrorFields } {
    return { error: this.fields };
  }
}

export function docUrl(code: string): string {
  return `https://stripe.com/docs/error-codes/${code.replace(/_/g, '-')}`;
}

export function invalidRequest(
  message: string,
  opts: { code?: string; param?: string; status?: number; payment_intent?: unknown } = {},
): StripeSandboxError {
  const fields: StripeErrorFields = { type: 'invalid_request_error', message };
  if (opts.code !== undefined) {
    fields.code = opts.code;
    fields.doc_url = docUrl(opts.code);
  }
  if (opts.param !== undefined) fields.param = opts.param;
  if (opts.payment_intent !== undefined) fields.payment_intent = opts.payment_intent;
  return new StripeSandboxError(opts.status ?? 400, fields);
}

export function parameterUnknown(param: string): StripeSandboxError {
  return invalidRequest(`Received unknown parameter: ${param}`, { code: 'parameter_unknown', param });
}

export function parameterMissing(param: string): StripeSandboxError {
  return invalidRequest(`Missing required param: ${param}.`, { code: 'parameter_missing', param });
}

/** Unknown id: 404 when it is the object being fetched, 400 when a parameter refers to it. */
export function resourceMissing(what: string, id: string, param: string, status = 404): StripeSandboxError {
  return invalidRequest(`No such ${what}: '${id}'`, { code: 'resource_missing', param, status });
}

export function apiError(status = 500): StripeSandboxError {
  return new StripeSandboxError(status, {
    type: 'api_error',
    message: 'An unknown error occurred (injected by the Stripe sandbox).',
  });
}

export function rateLimitError(): StripeSandboxError {
  return invalidRequest(
    'Request rate limit exceeded. Learn more about rate limits here https://stripe.com/docs/rate-limits.',
    { code: 'rate_limit', status: 429 },
  );
}

export function authenticationError(apiKey: string | undefined): StripeSandboxError {
  if (apiKey === undefined || apiKey === '') {
    return invalidRequest(
      "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details, or we can help at https://support.stripe.com/.",
      { status: 401 },
    );
  }
  return invalidRequest(`Invalid API Key provided: ${maskKey(apiKey)}`, { status: 401 });
}

/** Stripe shows only the start and the last four characters of a rejected key. */
export function maskKey(apiKey: string): string {
  if (apiKey.length <= 8) return '*'.repeat(apiKey.length);
  const underscore = apiKey.indexOf('_', apiKey.indexOf('_') + 1);
  const head = underscore > 0 && underscore < 12 ? apiKey.slice(0, underscore + 1) : apiKey.slice(0, 3);
  return `${head}${'*'.repeat(Math.max(4, apiKey.length - head.length - 4))}${apiKey.slice(-4)}`;
}

export function idempotencyError(message: string): StripeSandboxError {
  return new StripeSandboxError(400, { type: 'idempotency_error', message });
}

export function idempotencyKeyInUse(): StripeSandboxError {
  return invalidRequest(
    'There is currently another in-progress request using this Idempotency-Key. Please try again later, once the first request has finished.',
    { code: 'idempotency_key_in_use', status: 409 },
  );
}

export function unrecognizedUrl(method: string, path: string): StripeSandboxError {
  return invalidRequest(
    `Unrecognized request URL (${method}: ${path}). The Stripe sandbox implements only the endpoints listed in src/stand-ins/stripe-sandbox/README.md.`,
    { status: 404 },
  );
}

/** A card error (HTTP 402), optionally carrying the PaymentIntent and PaymentMethod it concerns. */
export function cardError(fields: Omit<StripeErrorFields, 'type'>): StripeSandboxError {
  const out: StripeErrorFields = { type: 'card_error', ...fields };
  if (out.code !== undefined && out.doc_url === undefined) out.doc_url = docUrl(out.code);
  return new StripeSandboxError(402, out);
}
