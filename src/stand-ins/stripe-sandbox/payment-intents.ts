/**
 * PaymentIntents: create (optionally confirming), confirm, cancel, capture, retrieve, list. The
 * confirmation itself (the charge attempt, declines, 3DS) is confirmation.ts. Events:
 * `payment_intent.created`, `payment_intent.canceled`, and on capture `charge.captured` and
 * `payment_intent.succeeded`, besides those of a confirmation.
 */
import { formatAmount, maxAmount, minimumAmount } from './amounts.js';
import { renderCharge } from './charges.js';
import { captureMethods, confirmableStatuses, createConfirmer, unexpectedState, type ConfirmOptions } from './confirmation.js';
import { chargeCaptured } from './disputes.js';
import { invalidRequest, parameterUnknown, resourceMissing } from './errors.js';
import type { FormObject } from './form.js';
import { newId, nowSeconds, type PaymentIntentObject, type PaymentIntentStatus } from './objects.js';
import { paginate, readPage } from './pagination.js';
import {
  checkAllowed,
  get,
  mergeMetadata,
  optArray,
  optBool,
  optCurrency,
  optEnum,
  optInt,
  optMetadata,
  optString,
  reqInt,
  type ParamSpec,
} from './params.js';
import { resolvePaymentMethod } from './payment-methods.js';
import { own, snapshot, type RequestFacts, type Route, type SandboxContext } from './routes.js';
import type { StoredPaymentIntent } from './store.js';

const offSessionValues = ['true', 'false', 'one_off', 'recurring'] as const;
const cancellationReasons = ['duplicate', 'fraudulent', 'requested_by_customer', 'abandoned'] as const;

const confirmOptionSpec: Record<string, ParamSpec> = {
  expand: 'array',
  payment_method: 'scalar',
  error_on_requires_action: 'scalar',
  payment_method_options: { card: { moto: 'scalar' } },
  off_session: 'scalar',
  capture_method: 'scalar',
};

const createSpec: Record<string, ParamSpec> = {
  ...confirmOptionSpec,
  amount: 'scalar',
  currency: 'scalar',
  confirm: 'scalar',
  description: 'scalar',
  metadata: 'metadata',
  automatic_payment_methods: { enabled: 'scalar', allow_redirects: 'scalar' },
  allowed_payment_method_types: 'array',
};

const cancelableStatuses: PaymentIntentStatus[] = [
  'requires_payment_method',
  'requires_capture',
  'requires_confirmation',
  'requires_action',
  'processing',
];

/**
 * `expand[]`: only `payment_method` (`data.payment_method` on lists) is supported, which is what
 * reading the card's brand/last4 from a PaymentIntent needs. Anything else is refused the way
 * Stripe refuses unexpandable fields.
 */
function readExpand(params: FormObject, prefix = ''): boolean {
  const expand = optArray(params, 'expand') ?? [];
  for (const field of expand) {
    if (field !== `${prefix}payment_method`) {
      throw invalidRequest(`This property cannot be expanded (${field}). The Stripe sandbox can expand only ${prefix}payment_method.`, {
        param: 'expand',
      });
    }
  }
  return expand.length > 0;
}

/** Stripe's API spec: `description` is at most 1000 characters. */
const maxDescriptionLength = 1000;

/** Reads the confirmation parameters shared by create (with confirm=true) and /confirm. */
function readConfirmOptions(params: FormObject, confirming: boolean, ctx: SandboxContext, request: RequestFacts): ConfirmOptions {
  // An account Stripe has not enabled for MOTO does not know the parameter at all.
  if (get(params, 'payment_method_options', 'card', 'moto') !== undefined && !ctx.moto.enabledFor(request.apiKey)) {
    throw parameterUnknown('payment_method_options[card][moto]');
  }
  const errorOnRequiresAction = optBool(params, 'error_on_requires_action');
  const offSession = optEnum(params, offSessionValues, 'off_session');
  const moto = optBool(params, 'payment_method_options', 'card', 'moto');
  if (!confirming) {
    for (const [name, value] of [
      ['error_on_requires_action', errorOnRequiresAction],
      ['off_session', offSession],
      ['payment_method_options[card][moto]', moto],
    ] as const) {
      if (value !== undefined) {
        throw invalidRequest(`The parameter ${name} can only be used when confirm=true.`, { param: name });
      }
    }
  }
  const options: ConfirmOptions = {
    errorOnRequiresAction: errorOnRequiresAction === true,
    offSession: offSession !== undefined && offSession !== 'false',
  };
  const paymentMethod = optString(params, 'payment_method');
  if (paymentMethod !== undefined && paymentMethod !== '') options.paymentMethod = paymentMethod;
  if (moto !== undefined) options.moto = moto;
  const captureMethod = optEnum(params, captureMethods, 'capture_method');
  if (captureMethod !== undefined) options.captureMethod = captureMethod;
  return options;
}

export function paymentIntentRoutes(ctx: SandboxContext): Route[] {
  const { store, events } = ctx;
  const { confirm } = createConfirmer(ctx);
  /** The response copy of `pi`, with its PaymentMethod inlined when expanded. */
  const render = (pi: PaymentIntentObject, expandPaymentMethod: boolean): PaymentIntentObject | (Omit<PaymentIntentObject, 'payment_method'> & { payment_method: unknown }) => {
    if (!expandPaymentMethod || pi.payment_method === null) return pi;
    const pm = own(store.state.paymentMethods, pi.payment_method);
    return { ...snapshot(pi), payment_method: pm ? snapshot(pm.object) : pi.payment_method };
  };

  const find = (id: string, param: string, status = 404): StoredPaymentIntent => {
    const stored = own(store.state.paymentIntents, id);
    if (!stored) throw resourceMissing('payment_intent', id, param, status);
    return stored;
  };

  return [
    {
      method: 'POST',
      pattern: /^\/v1\/payment_intents$/,
      prepare(params, _path, request) {
        checkAllowed(params, createSpec);
        const expand = readExpand(params);
        const amount = reqInt(params, 'amount');
        const currency = optCurrency(params);
        if (currency === undefined) throw invalidRequest('Missing required param: currency.', { code: 'parameter_missing', param: 'currency' });
        if (amount < minimumAmount(currency)) {
          const minimum = formatAmount(minimumAmount(currency), currency);
          throw invalidRequest(`Amount must be at least ${minimum}${minimum.endsWith(currency) ? '' : ` ${currency}`}`, {
            code: 'amount_too_small',
            param: 'amount',
          });
        }
        if (amount > maxAmount) {
          throw invalidRequest(`Amount must be no more than ${formatAmount(maxAmount, currency)}`, { code: 'amount_too_large', param: 'amount' });
        }
        const confirming = optBool(params, 'confirm') === true;
        const options = readConfirmOptions(params, confirming, ctx, request);
        if (confirming && options.paymentMethod === undefined) {
          throw invalidRequest('Missing required param: payment_method. Confirming a PaymentIntent needs a payment method.', {
            code: 'parameter_missing',
            param: 'payment_method',
          });
        }
        const apmEnabled = optBool(params, 'automatic_payment_methods', 'enabled');
        const allowRedirects = optEnum(params, ['always', 'never'] as const, 'automatic_payment_methods', 'allow_redirects');
        if (Object.hasOwn(params, 'automatic_payment_methods') && apmEnabled === undefined) {
          throw invalidRequest('Missing required param: automatic_payment_methods[enabled].', {
            code: 'parameter_missing',
            param: 'automatic_payment_methods[enabled]',
          });
        }
        const allowedTypes = optArray(params, 'allowed_payment_method_types');
        if (allowedTypes !== undefined && !allowedTypes.includes('card')) {
          throw invalidRequest('The Stripe sandbox supports only card payments: allowed_payment_method_types must include card.', {
            param: 'allowed_payment_method_types',
          });
        }
        const metadata = mergeMetadata({}, optMetadata(params));
        const description = optString(params, 'description');
        if (description !== undefined && [...description].length > maxDescriptionLength) {
          throw invalidRequest(`Invalid string: ${[...description].slice(0, 20).join('')}...; must be at most ${maxDescriptionLength} characters`, { param: 'description' });
        }
        return {
          run(exec) {
            // An unknown payment method fails the whole request: no PaymentIntent is created.
            const pm = options.paymentMethod !== undefined ? resolvePaymentMethod(store, options.paymentMethod, 'payment_method') : undefined;
            const created = nowSeconds();
            const id = newId('pi');
            const pi: PaymentIntentObject = {
              id,
              object: 'payment_intent',
              amount,
              amount_capturable: 0,
              amount_received: 0,
              automatic_payment_methods:
                apmEnabled === undefined ? null : { enabled: apmEnabled, ...(allowRedirects !== undefined ? { allow_redirects: allowRedirects } : {}) },
              canceled_at: null,
              cancellation_reason: null,
              capture_method: options.captureMethod ?? 'automatic',
              client_secret: `${id}_secret_${newId('x').slice(2)}`,
              confirmation_method: 'automatic',
              created,
              currency,
              customer: null,
              description: description === undefined || description === '' ? null : description,
              last_payment_error: null,
              latest_charge: null,
              livemode: false,
              metadata,
              next_action: null,
              payment_method: pm?.object.id ?? null,
              payment_method_options: { card: { request_three_d_secure: 'automatic' } },
              payment_method_types: allowedTypes ?? ['card'],
              status: pm ? 'requires_confirmation' : 'requires_payment_method',
            };
            store.state.paymentIntents[id] = { seq: store.nextSeq(), object: pi };
            events.emit('payment_intent.created', pi, exec.request);
            return render(confirming ? confirm(pi, options, pm, exec) : pi, expand);
          },
        };
      },
    },
    {
      method: 'POST',
      pattern: /^\/v1\/payment_intents\/([^/]+)\/confirm$/,
      prepare(params, [id = ''], request) {
        checkAllowed(params, confirmOptionSpec);
        const expand = readExpand(params);
        const options = readConfirmOptions(params, true, ctx, request);
        return {
          run(exec) {
            const pi = find(id, 'intent').object;
            if (!confirmableStatuses.includes(pi.status)) throw unexpectedState(pi, 'confirm', confirmableStatuses);
            const pmId = options.paymentMethod ?? pi.payment_method ?? undefined;
            const pm = pmId !== undefined ? resolvePaymentMethod(store, pmId, 'payment_method') : undefined;
            return render(confirm(pi, options, pm, exec), expand);
          },
        };
      },
    },
    {
      method: 'POST',
      pattern: /^\/v1\/payment_intents\/([^/]+)\/cancel$/,
      prepare(params, [id = '']) {
        checkAllowed(params, { cancellation_reason: 'scalar', expand: 'array' });
        const expand = readExpand(params);
        const reason = optEnum(params, cancellationReasons, 'cancellation_reason');
        return {
          run(exec) {
            const pi = find(id, 'intent').object;
            if (!cancelableStatuses.includes(pi.status)) throw unexpectedState(pi, 'cancel', cancelableStatuses);
            if (pi.status === 'requires_capture' && pi.latest_charge !== null) {
              // Cancelling an uncaptured payment releases the authorization.
              const ch = own(store.state.charges, pi.latest_charge);
              if (ch) ch.charge.amount_refunded = ch.charge.amount;
            }
            pi.status = 'canceled';
            pi.canceled_at = nowSeconds();
            pi.cancellation_reason = reason ?? null;
            pi.amount_capturable = 0;
            pi.next_action = null;
            events.emit('payment_intent.canceled', pi, exec.request);
            return render(pi, expand);
          },
        };
      },
    },
    {
      method: 'POST',
      pattern: /^\/v1\/payment_intents\/([^/]+)\/capture$/,
      prepare(params, [id = '']) {
        checkAllowed(params, { amount_to_capture: 'scalar', expand: 'array' });
        const expand = readExpand(params);
        const amountToCapture = optInt(params, 'amount_to_capture');
        return {
          run(exec) {
            const pi = find(id, 'intent').object;
            if (pi.status !== 'requires_capture') throw unexpectedState(pi, 'capture', ['requires_capture']);
            const amount = amountToCapture ?? pi.amount_capturable;
            if (amount < 1 || amount > pi.amount_capturable) {
              throw invalidRequest(
                `The amount to capture must be between 1 and the capturable amount (${formatAmount(pi.amount_capturable, pi.currency)}).`,
                { code: 'amount_too_large', param: 'amount_to_capture' },
              );
            }
            const ch = pi.latest_charge !== null ? own(store.state.charges, pi.latest_charge) : undefined;
            if (ch) {
              ch.charge.captured = true;
              ch.charge.amount_refunded = ch.charge.amount - amount; // the uncaptured rest is released
            }
            pi.status = 'succeeded';
            pi.amount_received = amount;
            pi.amount_capturable = 0;
            if (ch) events.emit('charge.captured', renderCharge(store, ch.charge), exec.request);
            events.emit('payment_intent.succeeded', pi, exec.request);
            if (ch) chargeCaptured(ctx, ch.charge);
            return render(pi, expand);
          },
        };
      },
    },
    {
      method: 'GET',
      pattern: /^\/v1\/payment_intents\/([^/]+)$/,
      prepare(params, [id = '']) {
        checkAllowed(params, { client_secret: 'scalar', expand: 'array' });
        const expand = readExpand(params);
        return { run: () => render(find(id, 'intent').object, expand) };
      },
    },
    {
      method: 'GET',
      pattern: /^\/v1\/payment_intents$/,
      prepare(params) {
        checkAllowed(params, { limit: 'scalar', starting_after: 'scalar', ending_before: 'scalar', expand: 'array' });
        const page = readPage(params);
        const expand = readExpand(params, 'data.');
        return {
          run: () => {
            const list = paginate(Object.values(store.state.paymentIntents), page, '/v1/payment_intents', (missing, param) =>
              resourceMissing('payment_intent', missing, param, 400),
            );
            return { ...list, data: list.data.map((pi) => render(pi, expand)) };
          },
        };
      },
    },
  ];
}
