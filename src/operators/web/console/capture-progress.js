// Operator console: a card capture on a live call, while it runs and when it is over. While
// it runs: one line per field (updated in place as the stream reports, so a focused button
// keeps its focus), a button to ask the caller again for a field, and one to cancel. When it
// is over: paid, with the confirmation code large enough to read out; or declined / failed
// with the reason and a button to try another card.

import { currencies } from './api.js';
import { el, notice } from './dom.js';
import { captureHeadline, fieldNames, fieldProgress, maskedCard } from './capture-words.js';
import { moneyText } from './money.js';

const exponentOf = (currency) => currencies().find((c) => c.code === currency)?.exponent ?? 2;

/** "19.99 USD for order 80020 (two concert tickets)". */
export function chargeText(c) {
  const money = moneyText(c.amount, c.currency, exponentOf(c.currency));
  return `${money} ${c.orderId ? `for order ${c.orderId}` : 'with no order'}${c.description ? ` (${c.description})` : ''}`;
}

/**
 * The panel of a running capture. `reask(field)` and `cancel()` post the commands (and throw
 * an ApiError when refused). Returns `{ node, update(capture) }`.
 */
export function runningCapturePanel({ reask, cancel }) {
  const headline = el('p', { class: 'capture-headline', id: 'capture-headline', tabindex: '-1' });
  const charge = el('p', { class: 'muted', id: 'capture-charge' });
  const problem = el('div', { id: 'capture-command-status', role: 'status', 'aria-live': 'polite' });
  const rows = {};
  let last;
  const list = el('ol', { class: 'capture-fields-progress', id: 'capture-progress', 'aria-live': 'polite' });
  const command = async (button, busyText, send) => {
    const label = button.textContent;
    button.disabled = true;
    button.textContent = busyText;
    problem.replaceChildren();
    try {
      await send();
    } catch (err) {
      if (err.status !== 401) problem.replaceChildren(notice('error', err.message, null));
    } finally {
      button.textContent = label;
      button.disabled = false;
      if (last) update(last);
    }
  };
  for (const [field, name] of Object.entries(fieldNames)) {
    const text = el('span', { class: 'field-progress-text', id: `progress-${field}` });
    const again = el('button', { type: 'button', class: 'button-quiet button-small', id: `reask-${field}`, 'aria-label': `Ask again for the ${name}` }, 'Ask again');
    again.addEventListener('click', () => command(again, 'Asking…', () => reask(field)));
    const row = el('li', { class: 'field-progress' }, el('span', { class: 'field-dot', 'aria-hidden': 'true' }), text, again);
    rows[field] = { row, text, again };
    list.append(row);
  }
  const cancelButton = el('button', { type: 'button', class: 'button-quiet', id: 'capture-cancel' }, 'Cancel capture');
  cancelButton.addEventListener('click', () => command(cancelButton, 'Cancelling…', cancel));

  const node = el(
    'div',
    { class: 'capture-running' },
    headline,
    charge,
    list,
    el('div', { class: 'field-actions' }, cancelButton),
    problem,
  );

  function update(c) {
    last = c;
    const head = captureHeadline(c);
    headline.textContent = head.text;
    headline.className = `capture-headline capture-${head.kind}`;
    charge.textContent = `Charging ${chargeText(c)} · capture ${c.attempt}, started by ${c.operator}`;
    const capturing = c.status === 'capturing' && Boolean(c.sessionSid);
    for (const f of c.fields) {
      const parts = rows[f.field];
      if (!parts) continue;
      const progress = fieldProgress(f, c.card);
      parts.text.textContent = progress.text;
      parts.row.className = `field-progress field-${progress.kind}`;
      // Busy buttons stay disabled until their command has answered.
      if (parts.again.textContent === 'Ask again') parts.again.disabled = !capturing || f.state === 'waiting';
    }
    if (cancelButton.textContent === 'Cancel capture') cancelButton.disabled = !(c.status === 'starting' || c.status === 'capturing');
  }

  return { node, update };
}

/** The panel of a capture that is over. `tryAgain()` starts another capture with the same charge. */
export function endedCapturePanel(c, { tryAgain, callOver }) {
  if (c.status === 'paid') {
    const code = c.confirmationCode ?? '';
    return el(
      'div',
      { class: 'capture-result capture-result-paid', id: 'capture-result' },
      el('p', { class: 'result-title' }, `Paid ${chargeText(c)}`),
      el('p', { class: 'muted' }, 'Read the confirmation code to the caller:'),
      // Grouped in threes for reading aloud; the full code stays in the label for screen readers.
      el('p', { class: 'confirmation-code', id: 'confirmation-code', 'aria-label': `Confirmation code ${code.split('').join(' ')}` }, code.replace(/(\d{3})(?=\d)/g, '$1 ')),
      el('p', { class: 'muted small' }, [maskedCard(c.card) && `Card ${maskedCard(c.card)}`, c.paymentIntentId].filter(Boolean).join(' · ')),
      callOver ? null : el('p', { class: 'small' }, 'When you are done, end the call: the caller hears the code once more and the call hangs up.'),
    );
  }
  const head = captureHeadline(c);
  const canRetry = !callOver && (c.status === 'declined' || c.status === 'failed' || c.status === 'cancelled');
  const status = el('div', { id: 'capture-retry-status', role: 'status', 'aria-live': 'polite' });
  const retry = canRetry
    ? el('button', { type: 'button', class: 'button-primary', id: 'capture-retry' }, c.status === 'cancelled' ? 'Start again' : 'Try another card')
    : null;
  retry?.addEventListener('click', async () => {
    retry.disabled = true;
    retry.textContent = 'Starting…';
    try {
      await tryAgain();
    } catch (err) {
      if (err.status === 401) return;
      status.replaceChildren(notice('error', err.message, null));
      retry.disabled = false;
      retry.textContent = 'Try another card';
    }
  });
  return el(
    'div',
    { class: `capture-result capture-result-${head.kind}`, id: 'capture-result', role: head.kind === 'bad' ? 'alert' : null },
    el('p', { class: 'result-title' }, head.text),
    el('p', { class: 'muted' }, `Capture ${c.attempt} by ${c.operator}: ${chargeText(c)}${maskedCard(c.card) ? ` · card ${maskedCard(c.card)}` : ''}`),
    retry ? el('div', { class: 'field-actions' }, retry) : null,
    status,
  );
}

/** Earlier captures of this call, oldest first (a declined card before the one that paid). */
export function earlierCaptures(captures) {
  if (!captures.length) return null;
  return el(
    'details',
    { class: 'earlier-captures', id: 'earlier-captures' },
    el('summary', {}, `${captures.length} earlier ${captures.length === 1 ? 'capture' : 'captures'} on this call`),
    el(
      'ul',
      {},
      captures.map((c) => el('li', {}, `Capture ${c.attempt} by ${c.operator}: ${captureHeadline(c).text}${maskedCard(c.card) ? ` · card ${maskedCard(c.card)}` : ''}`)),
    ),
  );
}
