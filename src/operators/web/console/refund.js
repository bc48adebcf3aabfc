// Operator console: a call's refunds. The table of refunds so far, the form (amount in the
// currency's units, reason) and its confirmation dialog. One request id per confirmation, so
// a double click or a retry refunds once; the server decides what can be refunded.

import { api, state } from './api.js';
import { dialog, el, formatTime, notice } from './dom.js';
import { moneyText, toDecimal, toMinorUnits } from './money.js';

/** The refunds section of the call `d`; `reload` re-reads the call after a refund. */
export function refundSection(d, reload) {
  const section = el('section', { class: 'card refunds', 'aria-labelledby': 'refund-heading' }, el('h2', { id: 'refund-heading' }, 'Refunds'));
  if (d.refunds.length) {
    section.append(
      el(
        'table',
        { class: 'refund-table' },
        el('caption', { class: 'visually-hidden' }, 'Refunds of this call'),
        el('thead', {}, el('tr', {}, ['Requested', 'Amount', 'Status', 'Stripe refund', 'Note'].map((h) => el('th', { scope: 'col' }, h)))),
        el(
          'tbody',
          {},
          d.refunds.map((r) =>
            el(
              'tr',
              {},
              el('td', {}, formatTime(r.requestedAt)),
              el('td', {}, r.amountText ?? 'the rest'),
              el('td', {}, el('span', { class: `badge badge-${r.status === 'refunded' ? 'refunded' : r.status === 'pending' ? 'running' : 'failed'}` }, r.status)),
              el('td', { class: 'mono' }, r.refundId ?? '—'),
              el('td', {}, r.message ?? ''),
            ),
          ),
        ),
      ),
    );
  }
  const status = el('div', { id: 'refund-status', role: 'status', 'aria-live': 'polite' });
  if (state.flash?.workflowId === d.workflowId) status.append(notice(state.flash.kind, state.flash.text, null));
  if (!d.refundable) {
    const why =
      d.status === 'running'
        ? 'The call is still in progress; it can be refunded once it has ended.'
        : d.refunds.some((r) => r.status === 'pending')
          ? 'A refund is in progress.'
          : d.refundedAmount
            ? 'Fully refunded.'
            : d.callOutcome === 'compensated'
              ? 'The call refunded this payment itself.'
              : `Nothing to refund: the call ended ${d.callOutcome ?? d.status} without a payment.`;
    section.append(el('p', { class: 'muted', id: 'refund-unavailable' }, why), status);
    return section;
  }
  const r = d.refundable;
  const amount = el('input', { id: 'refund-amount', name: 'amount', inputmode: 'decimal', autocomplete: 'off', value: toDecimal(r.amount, r.currencyExponent), 'data-default': toDecimal(r.amount, r.currencyExponent), 'aria-describedby': 'refund-amount-hint' });
  const reason = el(
    'select',
    { id: 'refund-reason', name: 'reason' },
    el('option', { value: 'requested_by_customer' }, 'Requested by the customer'),
    el('option', { value: 'duplicate' }, 'Duplicate payment'),
    el('option', { value: 'fraudulent' }, 'Fraudulent'),
  );
  const form = el(
    'form',
    {
      class: 'refund-form',
      onsubmit: (event) => {
        event.preventDefault();
        const minor = toMinorUnits(amount.value, r.currencyExponent);
        if (minor === undefined || minor <= 0) {
          status.replaceChildren(notice('error', `Enter an amount like ${toDecimal(r.amount, r.currencyExponent)}.`, null));
          amount.focus();
          return;
        }
        if (minor > r.amount) {
          status.replaceChildren(notice('error', `At most ${r.amountText} can be refunded.`, null));
          amount.focus();
          return;
        }
        confirmRefund(d, { amount: minor, full: minor === r.amount, reason: reason.value }, status, reload);
      },
    },
    el('div', { class: 'field' }, el('label', { for: 'refund-amount' }, `Amount (${r.currency.toUpperCase()})`), amount, el('span', { class: 'hint', id: 'refund-amount-hint' }, `Up to ${r.amountText}`)),
    el('div', { class: 'field' }, el('label', { for: 'refund-reason' }, 'Reason'), reason),
    el('div', { class: 'field field-actions' }, el('button', { type: 'submit', class: 'button-danger', id: 'refund-open' }, 'Refund…')),
  );
  section.append(form, status);
  return section;
}

/** The confirmation step. One request id per confirmation: a double click or a retry refunds once. */
function confirmRefund(d, request, status, reload) {
  const requestId = crypto.randomUUID();
  const money = moneyText(request.amount, d.refundable.currency, d.refundable.currencyExponent);
  const card = d.timeline.entries.find((e) => e.step === 'charge' && e.status === 'ok')?.card;
  document.getElementById('refund-dialog-text').textContent =
    `Refund ${money}${request.full ? ' (everything left)' : ''} of the ${d.amountText} paid for order ${d.orderId}${card?.last4 ? ` to the ${card.brand ?? 'card'} ending ${card.last4}` : ''}?`;
  const confirm = document.getElementById('refund-confirm');
  const error = document.getElementById('refund-dialog-error');
  confirm.textContent = `Refund ${money}`;
  confirm.disabled = false;
  error.hidden = true;
  const body = JSON.stringify({ ...(request.full ? { full: true } : { amount: request.amount }), requestId, reason: request.reason });
  confirm.onclick = async () => {
    confirm.disabled = true;
    confirm.textContent = 'Refunding…';
    try {
      const { status: code, body: result } = await api(`/api/calls/${encodeURIComponent(d.workflowId)}/refunds`, { method: 'POST', body });
      dialog.close('done');
      const r = result.refund;
      state.flash = {
        workflowId: d.workflowId,
        kind: r.status === 'failed' ? 'error' : 'ok',
        text:
          r.status === 'refunded'
            ? `Refunded ${r.amountText} (${r.refundId}).`
            : code === 202
              ? 'The refund is in progress; this page updates when it is done.'
              : (r.message ?? `Refund ${r.status}.`),
      };
      status.replaceChildren(notice(state.flash.kind, state.flash.text, null));
      await reload();
      document.getElementById('refund-heading')?.scrollIntoView({ block: 'start' });
    } catch (err) {
      if (err.status === 401) return dialog.close('cancel');
      error.textContent = err.message;
      error.hidden = false;
      confirm.disabled = false;
      // Same request id: trying again cannot refund twice.
      confirm.textContent = err.status === 0 ? `Try again: refund ${money}` : `Refund ${money}`;
      if (err.status === 422 || err.status === 409) {
        confirm.disabled = true;
        reload();
      }
    }
  };
  dialog.onclose = () => document.getElementById('refund-open')?.focus();
  dialog.showModal();
  document.getElementById('refund-cancel').focus();
}
