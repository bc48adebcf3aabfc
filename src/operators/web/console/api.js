// Operator console: the session and the one way to reach paycall's operator API.
// `state` holds the operator token (kept for this browser tab only), what GET /api/session
// said (namespace, step and outcome vocabulary) and the little the views share; api() sends
// the token and turns failures into ApiError.

const tokenKey = 'paycall-operator-token';

export const state = {
  token: sessionStorage.getItem(tokenKey),
  session: null,
  /** Counts view changes: a load that finishes after the operator has moved on draws nothing. */
  view: 0,
  /** A message for the next render of a call's refund section (survives the reload after a refund). */
  flash: undefined,
};

export function rememberToken(token) {
  state.token = token;
  sessionStorage.setItem(tokenKey, token);
}

export function forgetSession() {
  sessionStorage.removeItem(tokenKey);
  state.token = null;
  state.session = null;
}

// Outcomes, steps and which outcomes are trouble come from the server (GET /api/session),
// which takes them from src/contract/vocabulary.ts: the console keeps no list of its own.
export const vocabulary = () => state.session?.vocabulary ?? { steps: [], outcomes: [], troubledOutcomes: [], refundStatuses: [] };
/** The steps a call can fail at (not the bookends greeting and done). */
export const failableSteps = () => vocabulary().steps.filter((s) => s !== 'greeting' && s !== 'done');
/** The currencies paycall takes, `{ code, exponent }` (GET /api/session, from src/money/money.ts). */
export const currencies = () => state.session?.currencies ?? [];
/** The signed-in operator's name (GET /api/session): every command records it. */
export const operatorName = () => state.session?.operator ?? '';
/** A step's display name, as the server names it (GET /api/session). */
export const stepName = (step) => state.session?.stepTitles?.[step] ?? step;

export class ApiError extends Error {
  constructor(status, code, message, body) {
    super(message);
    this.status = status;
    this.code = code;
    this.body = body;
  }
}

/**
 * What to do when the server refuses the token: the entry point signs out. Set once at boot,
 * so this module needs nothing from console.js (no import cycle).
 * @type {(message: string) => void}
 */
let onUnauthorized = () => {};
export function whenUnauthorized(handler) {
  onUnauthorized = handler;
}

/** The server refused the token (the event streams read with their own fetch): sign out. */
export function reportUnauthorized() {
  onUnauthorized('That operator token was not accepted. Enter the current OPERATOR_TOKEN.');
}

export async function api(path, options = {}) {
  let response;
  try {
    response = await fetch(path, {
      ...options,
      headers: { accept: 'application/json', authorization: `Bearer ${state.token ?? ''}`, ...(options.body ? { 'content-type': 'application/json' } : {}) },
    });
  } catch {
    throw new ApiError(0, 'network', 'The paycall server did not answer. Check that it is running; the page retries on its own.');
  }
  const body = await response.json().catch(() => ({}));
  if (response.status === 401) {
    reportUnauthorized();
    throw new ApiError(401, 'unauthorized', 'Signed out');
  }
  if (!response.ok) throw new ApiError(response.status, body?.error?.code ?? 'error', body?.error?.message ?? `HTTP ${response.status}`, body);
  return { status: response.status, body };
}
