// Operator console: the calls list. Filters (outcome, failing step, order number, start time)
// live in the URL hash, so a filtered list can be bookmarked and Back works; pages go by the
// server's page tokens, newest first; the list reloads itself while live refresh is on.

import { api, failableSteps, state, stepName, vocabulary } from './api.js';
import { badge, el, formatTime, main, notice, shortSid } from './dom.js';
import { isLive, refreshMs, setLive, startRefresh } from './refresh.js';

const sinceChoices = [
  ['', 'Any time'],
  ['15m', 'Last 15 minutes'],
  ['1h', 'Last hour'],
  ['2h', 'Last 2 hours'],
  ['24h', 'Last 24 hours'],
  ['7d', 'Last 7 days'],
  ['30d', 'Last 30 days'],
];

function select(id, label, choices, value) {
  return el(
    'div',
    { class: 'field' },
    el('label', { for: id }, label),
    el('select', { id, name: id }, choices.map(([v, text]) => el('option', { value: v, selected: v === value }, text))),
  );
}

/** Renders the list for the hash query `params` (#/calls?outcome=…&pages=…) and keeps it fresh. */
export async function renderList(params) {
  document.title = 'Calls · paycall operator console';
  const view = state.view;
  const filters = {
    outcome: params.get('outcome') ?? '',
    failedAt: params.get('failedAt') ?? '',
    order: params.get('order') ?? '',
    since: params.get('since') ?? '',
  };
  const pageTokens = (params.get('pages') ?? '').split(',').filter(Boolean);

  const form = el(
    'form',
    {
      class: 'filters card',
      role: 'search',
      'aria-label': 'Filter calls',
      onsubmit: (event) => {
        event.preventDefault();
        const data = new FormData(form);
        const next = new URLSearchParams();
        for (const key of ['outcome', 'failedAt', 'order', 'since']) {
          const value = String(data.get(key) ?? '').trim();
          if (value) next.set(key, value);
        }
        location.hash = `#/calls${next.toString() ? `?${next}` : ''}`;
      },
    },
    select('outcome', 'Outcome', [['', 'Any outcome'], ...vocabulary().outcomes.map((o) => [o, o])], filters.outcome),
    select('failedAt', 'Failed at', [['', 'Any step'], ...failableSteps().map((s) => [s, stepName(s)])], filters.failedAt),
    el(
      'div',
      { class: 'field' },
      el('label', { for: 'order' }, 'Order number'),
      el('input', { id: 'order', name: 'order', value: filters.order, inputmode: 'numeric', pattern: '[0-9]{1,20}', autocomplete: 'off', placeholder: 'e.g. 73021', title: 'Digits only' }),
    ),
    select('since', 'Started', sinceChoices, filters.since),
    el(
      'div',
      { class: 'field field-actions' },
      el('button', { type: 'submit', class: 'button-primary' }, 'Apply filters'),
      el('a', { href: '#/calls', class: 'button-link' }, 'Clear'),
    ),
  );

  const live = el('input', {
    type: 'checkbox',
    id: 'live',
    checked: isLive(),
    onchange: (event) => setLive(event.target.checked),
  });
  const updated = el('span', { class: 'muted', id: 'updated' });
  const results = el('section', { 'aria-labelledby': 'calls-heading', id: 'results' });

  main.replaceChildren(
    el(
      'div',
      { class: 'page-head' },
      el('h1', { id: 'calls-heading' }, 'Calls'),
      el('div', { class: 'live' }, live, el('label', { for: 'live' }, `Live refresh (every ${refreshMs / 1000} s)`), updated),
      el('a', { href: '#/live', class: 'button-link', id: 'live-calls-link' }, 'Callers on the line now →'),
    ),
    form,
    results,
  );

  const load = async () => {
    const query = new URLSearchParams();
    for (const [key, value] of Object.entries(filters)) if (value) query.set(key, value);
    query.set('pageSize', '25');
    const token = pageTokens.at(-1);
    if (token) query.set('pageToken', token);
    let page;
    try {
      page = (await api(`/api/calls?${query}`)).body;
    } catch (err) {
      if (view !== state.view || err.status === 401) return;
      results.replaceChildren(notice('error', err.message));
      return;
    }
    if (view !== state.view) return;
    updated.textContent = `Updated ${formatTime(new Date().toISOString(), false)}`;
    results.replaceChildren(...callsTable(page, filters, pageTokens));
  };
  await load();
  startRefresh(load);
}

/** The table of one page of calls, its caption saying what the filters chose, and the pager. */
function callsTable(page, filters, pageTokens) {
  const described = [filters.outcome && `outcome ${filters.outcome}`, filters.failedAt && `failed at ${stepName(filters.failedAt)}`, filters.order && `order ${filters.order}`, filters.since && `started in the last ${filters.since}`]
    .filter(Boolean)
    .join(', ');
  const caption = `${page.calls.length} ${page.calls.length === 1 ? 'call' : 'calls'}${described ? ` with ${described}` : ''}${pageTokens.length ? ` (page ${pageTokens.length + 1})` : ''}, newest first`;
  if (page.calls.length === 0) return [el('p', { class: 'empty card' }, `No calls${described ? ` with ${described}` : ''}.`)];
  const rows = page.calls.map((call) => {
    const failed = vocabulary().troubledOutcomes.includes(call.outcome);
    return el(
      'tr',
      { class: failed ? 'row-failed' : '' },
      el('td', { class: 'nowrap' }, el('time', { datetime: call.startedAt, title: call.startedAt }, formatTime(call.startedAt))),
      el('td', { class: 'call' }, el('a', { href: `#/calls/${call.workflowId}`, class: 'mono', 'aria-label': `Call ${call.callSid}${call.orderId ? `, order ${call.orderId}` : ''}` }, shortSid(call.callSid))),
      el('td', { class: 'mono' }, call.orderId ?? '—'),
      el('td', { class: 'nowrap num' }, call.amountText ?? '—', call.refundedText ? el('div', { class: 'muted small' }, `refunded ${call.refundedText}`) : null),
      el(
        'td',
        {},
        badge(call.outcome, call.status),
        call.status === 'running' && call.stage ? el('div', { class: 'muted small' }, stepName(call.stage)) : null,
        // A caller with an operator right now: the live page is where the operator takes the card.
        call.status === 'running' && call.stage === 'with-operator' ? el('a', { href: `#/live/${call.callSid}`, class: 'small' }, 'Open the live call') : null,
        call.disputeText ? el('div', { class: 'small dispute' }, call.disputeText) : null,
      ),
      el('td', { class: 'where' }, call.whereFailed),
    );
  });
  const nav = el('nav', { class: 'pager', 'aria-label': 'Pages' });
  if (pageTokens.length) {
    const prev = new URLSearchParams(filtersQuery(filters));
    if (pageTokens.length > 1) prev.set('pages', pageTokens.slice(0, -1).join(','));
    nav.append(el('a', { href: `#/calls?${prev}`, class: 'button-link' }, '← Newer calls'));
  }
  if (page.nextPageToken) {
    const next = new URLSearchParams(filtersQuery(filters));
    next.set('pages', [...pageTokens, page.nextPageToken].join(','));
    nav.append(el('a', { href: `#/calls?${next}`, class: 'button-link' }, 'Older calls →'));
  }
  return [
    el(
      'table',
      { class: 'calls card' },
      el('caption', {}, caption),
      el('thead', {}, el('tr', {}, ['Started', 'Call', 'Order', 'Amount', 'Outcome', 'Where did it fail?'].map((h) => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, rows),
    ),
    nav,
  ];
}

/** The filters as a hash query, for the pager's links. */
function filtersQuery(filters) {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(filters)) if (value) query.set(key, value);
  return query;
}
