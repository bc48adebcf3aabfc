// Operator console: one call. What happened and where it failed (the verdict), the facts,
// the live state of a call still in progress, the refunds section (refund.js) and the
// timeline of steps the server joined from the step log and the workflow history.

import { api, state, stepName } from './api.js';
import { badge, cssId, el, formatClock, formatDuration, formatTime, main, notice, shortSid } from './dom.js';
import { startRefresh } from './refresh.js';
import { refundSection } from './refund.js';

/** Renders the call with workflow id `id` and keeps it fresh, without disturbing a refund being filled in. */
export async function renderDetail(id) {
  const view = state.view;
  const container = el('div', { class: 'detail' });
  const back = el('a', { href: sessionStorage.getItem('paycall-list-hash') ?? '#/calls', class: 'back' }, '← All calls');
  main.replaceChildren(back, container);
  let firstLoad = true;
  const load = async (force = false) => {
    // Live refresh never re-renders under an operator who is filling in a refund.
    const amountInput = document.getElementById('refund-amount');
    const editing = amountInput && (amountInput.value !== amountInput.dataset.default || amountInput.form?.contains(document.activeElement));
    if (!firstLoad && !force && editing) return;
    let detail;
    try {
      detail = (await api(`/api/calls/${encodeURIComponent(id)}`)).body;
    } catch (err) {
      if (view !== state.view || err.status === 401) return;
      if (firstLoad || err.status !== 0) container.replaceChildren(notice('error', err.message));
      return;
    }
    if (view !== state.view) return;
    const focused = document.activeElement?.id;
    container.replaceChildren(...detailView(detail, () => load(true)));
    if (firstLoad) {
      container.querySelector('h1')?.focus();
      firstLoad = false;
    } else if (focused) {
      document.getElementById(focused)?.focus();
    }
  };
  await load();
  startRefresh(() => load());
}

/** The sections of the detail page for the call `d` (GET /api/calls/:id); `reload` re-reads it. */
function detailView(d, reload) {
  document.title = `Call ${shortSid(d.callSid)} · ${d.outcome ?? d.status} · paycall operator console`;
  const failed = Boolean(d.timeline.failingEntryId);
  const ok = d.outcome === 'paid' || (d.outcome === 'refunded' && !failed);

  const head = el(
    'div',
    { class: 'page-head' },
    el('h1', { tabindex: '-1', id: 'call-heading' }, 'Call ', el('span', { class: 'mono' }, d.callSid)),
    el('div', { class: 'head-badges' }, badge(d.outcome, d.status)),
  );

  const verdict = el(
    'section',
    { class: `verdict ${failed ? 'verdict-failed' : ok ? 'verdict-ok' : 'verdict-neutral'}`, 'aria-labelledby': 'verdict-heading' },
    el('h2', { id: 'verdict-heading' }, d.status === 'running' ? 'Where is it now?' : 'Where did it fail?'),
    el('p', { id: 'verdict-text' }, d.whereFailed),
    failed
      ? el(
          'button',
          {
            type: 'button',
            class: 'button-quiet',
            id: 'jump-failing',
            onclick: () => {
              const target = document.getElementById(`entry-${cssId(d.timeline.failingEntryId)}`);
              target?.scrollIntoView({ block: 'center' });
              target?.focus();
            },
          },
          'Show the failing step',
        )
      : null,
  );

  const facts = el('dl', { class: 'facts card' });
  const fact = (label, value, mono = false) => {
    if (value === undefined || value === null || value === '') return;
    facts.append(el('div', {}, el('dt', {}, label), el('dd', { class: mono ? 'mono' : '' }, value)));
  };
  fact('Order', d.orderId, true);
  fact('Amount', d.amountText);
  fact('Outcome', d.callOutcome && d.callOutcome !== d.outcome ? `${d.outcome} (call ended ${d.callOutcome})` : d.outcome ?? 'not finished');
  fact('Refunded', d.refundedText);
  fact('PaymentIntent', d.paymentIntentId, true);
  fact('Confirmation code', d.confirmationCode, true);
  fact('Card captures', d.captureAttempts ?? d.state?.captureAttempts);
  fact('Started', formatTime(d.startedAt));
  fact('Ended', d.closedAt ? formatTime(d.closedAt) : d.status === 'running' ? 'still in progress' : undefined);
  if (d.temporalUiUrl) {
    facts.append(
      el(
        'div',
        { class: 'fact-link' },
        el('dt', {}, 'History'),
        el('dd', {}, el('a', { href: d.temporalUiUrl, target: '_blank', rel: 'noopener noreferrer', id: 'temporal-ui-link' }, 'Open in Temporal Web UI ↗')),
      ),
    );
  }

  const sections = [head, verdict, facts];
  if (d.status === 'running') sections.push(liveState(d));
  sections.push(refundSection(d, reload));
  sections.push(timelineSection(d));
  return sections;
}

/** Where a running call is now (its state query) and which activities are in flight. */
function liveState(d) {
  const s = d.state;
  const section = el('section', { class: 'card live-state', 'aria-labelledby': 'live-heading' }, el('h2', { id: 'live-heading' }, 'Live state'));
  if (!s) {
    section.append(el('p', { class: 'muted' }, d.stateUnavailable ?? 'No state available.'));
  } else {
    section.append(
      el(
        'p',
        {},
        `Step: ${stepName(s.step)} · order entries ${s.orderEntryAttempts} · card captures ${s.captureAttempts}`,
        s.lastError ? ` · last error: ${stepName(s.lastError.step)}, ${s.lastError.code}` : '',
        s.hungUp ? ' · caller has hung up' : '',
      ),
    );
  }
  if (s?.step === 'with-operator') {
    section.append(el('p', {}, el('a', { href: `#/live/${d.callSid}`, id: 'open-live-call' }, 'The caller is on the line with an operator: open the live call →')));
  }
  for (const a of d.pendingActivities ?? []) {
    section.append(el('p', { class: 'muted' }, `In flight: ${a.type}, attempt ${a.attempt}${a.lastFailure ? ` (last error: ${a.lastFailure})` : ''}`));
  }
  return section;
}

/** Every step as an entry: when, how long, status, and the ids and errors it carries. */
function timelineSection(d) {
  const entries = d.timeline.entries.map((e) => {
    const name = `${e.title}${e.attempt ? ` #${e.attempt}` : ''}`;
    const meta = [];
    const show = (label, value, mono = false) => meta.push(el('div', {}, el('dt', {}, label), el('dd', { class: mono ? 'mono' : '' }, value)));
    // Ids and messages the summary line already states are not repeated underneath.
    const add = (label, value, mono = false) => value !== undefined && value !== null && value !== '' && !e.summary.includes(String(value)) && show(label, value, mono);
    if (e.error) {
      if (e.error.type) show('Error', e.error.type);
      if (e.error.code) show('Code', e.error.code, true);
      if (e.error.declineCode) show('Decline code', e.error.declineCode, true);
      add('Message', e.error.message);
    }
    add('PaymentIntent', e.paymentIntentId, true);
    add('Refund', e.refundId, true);
    add('Card', e.card?.last4 ? `${e.card.brand ?? 'card'} •••• ${e.card.last4}` : undefined);
    add('PaymentMethod', e.paymentMethodId, true);
    add('Idempotency key', e.idempotencyKey, true);
    if (e.activityAttempts) add('Retries', `attempt ${e.activityAttempts}${e.retriedAfter ? ` after: ${e.retriedAfter}` : ''}`);
    return el(
      'li',
      { class: `entry entry-${e.status}${e.failing ? ' entry-failing' : ''}`, id: `entry-${cssId(e.id)}`, tabindex: e.failing ? '-1' : undefined },
      el('div', { class: 'entry-when' }, el('time', { datetime: e.startedAt }, formatClock(e.startedAt)), el('span', { class: 'muted small' }, formatDuration(e.durationMs))),
      el('div', { class: 'entry-dot', 'aria-hidden': 'true' }),
      el(
        'div',
        { class: 'entry-body' },
        el(
          'h3',
          {},
          e.failing ? el('span', { class: 'failing-label' }, 'Failed here') : null,
          name,
          ' ',
          el('span', { class: `status status-${e.status}` }, e.status === 'ok' ? 'done' : e.status === 'info' ? '' : e.status),
        ),
        el('p', {}, e.summary),
        meta.length ? el('dl', { class: 'entry-meta' }, meta) : null,
      ),
    );
  });
  return el('section', { class: 'card timeline-card', 'aria-labelledby': 'timeline-heading' }, el('h2', { id: 'timeline-heading' }, 'Timeline'), el('ol', { class: 'timeline' }, entries));
}
