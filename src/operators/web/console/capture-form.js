// Operator console: the form that starts a card capture on a live call. The operator charges
// the caller's order (prefilled with the order the caller keyed, if any) or an amount they
// type, with a currency and a description; the amount is turned into minor units with the
// currency's exponent from the server, as the refund form does. The server validates again.

import { currencies } from './api.js';
import { el, notice } from './dom.js';
import { toDecimal, toMinorUnits } from './money.js';

/** The largest amount the API takes (minor units). */
const maxAmount = 100_000_000;

/**
 * `orderId`: the caller's order (may be undefined); `previous`: the charge of the call's last
 * capture, to prefill; `start(charge)`: posts the capture, throws an ApiError when refused.
 */
export function captureForm({ orderId, previous, start, submitLabel = 'Start card capture' }) {
  const byAmount = previous ? !('orderId' in previous) : false;
  const status = el('div', { id: 'capture-form-status', role: 'status', 'aria-live': 'polite' });
  const radio = (value, label, checked) =>
    el('label', { class: 'choice' }, el('input', { type: 'radio', name: 'charge-kind', value, id: `charge-kind-${value}`, checked, onchange: () => show() }), label);

  const order = el('input', {
    id: 'capture-order',
    name: 'orderId',
    value: (previous && 'orderId' in previous ? previous.orderId : orderId) ?? '',
    inputmode: 'numeric',
    autocomplete: 'off',
    'aria-describedby': 'capture-order-hint',
  });
  const list = currencies();
  const currency = el(
    'select',
    { id: 'capture-currency', name: 'currency' },
    list.map((c) => el('option', { value: c.code, selected: previous?.currency ? c.code === previous.currency : c.code === 'usd' }, c.code.toUpperCase())),
  );
  const exponentOf = (code) => list.find((c) => c.code === code)?.exponent ?? 2;
  const amount = el('input', {
    id: 'capture-amount',
    name: 'amount',
    inputmode: 'decimal',
    autocomplete: 'off',
    value: previous?.amount ? toDecimal(previous.amount, exponentOf(previous.currency)) : '',
    'aria-describedby': 'capture-amount-hint',
  });
  const description = el('input', { id: 'capture-description', name: 'description', autocomplete: 'off', maxlength: '1000', value: previous?.description ?? '' });
  const submit = el('button', { type: 'submit', class: 'button-primary', id: 'capture-start' }, submitLabel);

  const orderFields = el(
    'div',
    { class: 'capture-fields', id: 'capture-order-fields' },
    el('div', { class: 'field' }, el('label', { for: 'capture-order' }, 'Order number'), order, el('span', { class: 'hint', id: 'capture-order-hint' }, orderId ? `The caller keyed order ${orderId}` : 'Ask the caller for their order number')),
  );
  const amountFields = el(
    'div',
    { class: 'capture-fields', id: 'capture-amount-fields' },
    el('div', { class: 'field' }, el('label', { for: 'capture-amount' }, 'Amount'), amount, el('span', { class: 'hint', id: 'capture-amount-hint' }, 'e.g. 19.99')),
    el('div', { class: 'field' }, el('label', { for: 'capture-currency' }, 'Currency'), currency),
    el('div', { class: 'field field-wide' }, el('label', { for: 'capture-description' }, 'Description'), description),
  );

  const form = el(
    'form',
    { class: 'capture-form', id: 'capture-form', 'aria-labelledby': 'capture-form-heading', onsubmit: (event) => void submitted(event) },
    el(
      'fieldset',
      { class: 'charge-kind' },
      el('legend', { id: 'capture-form-heading' }, 'What to charge'),
      radio('order', "The caller's order", !byAmount),
      radio('amount', 'An amount (no order)', byAmount),
    ),
    orderFields,
    amountFields,
    el('div', { class: 'field-actions' }, submit),
    status,
  );

  const kind = () => form.querySelector('input[name="charge-kind"]:checked')?.value ?? 'order';
  function show() {
    orderFields.hidden = kind() !== 'order';
    amountFields.hidden = kind() !== 'amount';
  }
  show();

  const refuse = (message, field) => {
    status.replaceChildren(notice('error', message, null));
    field.focus();
  };

  /** The charge the form describes, or undefined (with the problem shown) when it is not valid. */
  function charge() {
    if (kind() === 'order') {
      const id = order.value.trim();
      if (!/^[0-9]{1,30}$/.test(id)) return refuse('Enter the order number (digits only).', order);
      return { orderId: id };
    }
    const exponent = exponentOf(currency.value);
    const minor = toMinorUnits(amount.value, exponent);
    if (minor === undefined || minor <= 0) return refuse(`Enter an amount like ${exponent ? toDecimal(1999, exponent) : '6480'} ${currency.value.toUpperCase()}.`, amount);
    if (minor > maxAmount) return refuse(`At most ${toDecimal(maxAmount, exponent)} ${currency.value.toUpperCase()} can be charged.`, amount);
    const text = description.value.trim();
    if (!text) return refuse('Enter a description: it is what the caller is paying for.', description);
    return { amount: minor, currency: currency.value, description: text };
  }

  async function submitted(event) {
    event.preventDefault();
    const wanted = charge();
    if (!wanted) return;
    submit.disabled = true;
    submit.textContent = 'Starting…';
    status.replaceChildren();
    try {
      await start(wanted);
    } catch (err) {
      if (err.status === 401) return;
      status.replaceChildren(notice('error', err.message, null));
      submit.disabled = false;
      submit.textContent = submitLabel;
    }
  }

  return form;
}
