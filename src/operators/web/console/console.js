// paycall operator console: calls list with filters, one call's timeline, refunds.
// Plain browser JavaScript, no dependencies, served by paycall itself (works offline).
// Data reaches the page only through textContent: nothing from the API is parsed as HTML.

const tokenKey = 'paycall-operator-token';
const refreshMs = 5000;

// Outcomes, steps and which outcomes are trouble come from the server (GET /api/session),
// which takes them from src/contract/vocabulary.ts: the console keeps no list of its own.
const vocabulary = () => state.session?.vocabulary ?? { steps: [], outcomes: [], troubledOutcomes: [], refundStatuses: [] };
/** The steps a call can fail at (not the bookends greeting and done). */
const failableSteps = () => vocabulary().steps.filter((s) => s !== 'greeting' && s !== 'done');
/** A step's display name, as the server names it (GET /api/session). */
const stepName = (step) => state.session?.stepTitles?.[step] ?? step;
const sinceChoices = [
  ['', 'Any time'],
  ['15m', 'Last 15 minutes'],
  ['1h', 'Last hour'],
  ['2h', 'Last 2 hours'],
  ['24h', 'Last 24 hours'],
  ['7d', 'Last 7 days'],
  ['30d', 'Last 30 days'],
];

const state = {
  token: sessionStorage.getItem(tokenKey),
  session: null,
  live: sessionStorage.getItem('paycall-live') !== 'off',
  timer: undefined,
  refresh: undefined,
  view: 0,
  /** A message for the next render of a call's refund section (survives the reload after a refund). */
  flash: undefined,
};

const main = document.getElementById('main');
const dialog = document.getElementById('refund-dialog');

// ---------- small DOM helpers ----------

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') node.className = value;
    else if (key === 'text') node.textContent = value;
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else if (key in node && typeof value !== 'string') node[key] = value;
    else node.setAttribute(key, value === true ? '' : value);
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function formatTime(iso, withDate = true) {
  if (!iso) return '';
  const date = new Date(iso);
  const today = new Date().toDateString() === date.toDateString();
  const time = date.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
  return withDate && !today ? `${date.toLocaleDateString(undefined, { month: 'short', day: 'numeric' })} ${time}` : time;
}

function formatClock(iso) {
  if (!iso) return '';
  const date = new Date(iso);
  const ms = String(date.getMilliseconds()).padStart(3, '0');
  return `${date.toLocaleTimeString(undefined, { hour12: false })}.${ms}`;
}

function formatDuration(ms) {
  if (ms === undefined || ms === null) return '';
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

function shortSid(sid) {
  return sid && sid.length > 14 ? `${sid.slice(0, 8)}…${sid.slice(-4)}` : sid;
}

function badge(outcome, status) {
  const label = status === 'running' ? 'in progress' : outcome || status || 'unknown';
  const kind = status === 'running' ? 'running' : outcome || 'unknown';
  return el('span', { class: `badge badge-${kind}` }, label);
}

/** `role` defaults to alert/status; pass null inside an existing live region. */
function notice(kind, text, role = kind === 'error' ? 'alert' : 'status') {
  return el('p', { class: `notice notice-${kind}`, role }, text);
}

/** Decimal text in the currency's units → minor units, or undefined when it is not a valid amount. */
function toMinorUnits(text, exponent) {
  // "6,480" and "1,234.50": commas before groups of three digits are thousands separators.
  const match = /^\s*(\d{1,9})(?:[.,](\d*))?\s*$/.exec(text.replace(/,(?=\d{3}(?:\D|$))/g, ''));
  if (!match) return undefined;
  const fraction = match[2] ?? '';
  if (fraction.length > exponent) return undefined;
  return Number(match[1]) * 10 ** exponent + Number(fraction.padEnd(exponent, '0') || '0');
}

function toDecimal(minor, exponent) {
  if (exponent === 0) return String(minor);
  const text = String(minor).padStart(exponent + 1, '0');
  return `${text.slice(0, -exponent)}.${text.slice(-exponent)}`;
}

// ---------- API ----------

class ApiError extends Error {
  constructor(status, code, message, body) {
    super(message);
    this.status = status;
    this.code = code;
    this.body = body;
  }
}

async function api(path, options = {}) {
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
    signOut('That operator token was not accepted. Enter the current OPERATOR_TOKEN.');
    throw new ApiError(401, 'unauthorized', 'Signed out');
  }
  if (!response.ok) throw new ApiError(response.status, body?.error?.code ?? 'error', body?.error?.message ?? `HTTP ${response.status}`, body);
  return { status: response.status, body };
}

// ---------- routing ----------

function route() {
  const hash = location.hash.replace(/^#/, '') || '/calls';
  const [path, query = ''] = hash.split('?');
  const detail = /^\/calls\/([A-Za-z0-9_-]+)$/.exec(path);
  if (detail) return { name: 'detail', id: detail[1] };
  return { name: 'list', params: new URLSearchParams(query) };
}

function stopRefresh() {
  clearInterval(state.timer);
  state.timer = undefined;
  state.refresh = undefined;
}

function startRefresh(fn) {
  stopRefresh();
  state.refresh = fn;
  state.timer = setInterval(() => {
    if (!state.live || document.hidden || dialog.open) return;
    fn().catch(() => {});
  }, refreshMs);
}

async function show() {
  stopRefresh();
  state.view++;
  state.flash = undefined;
  if (!state.token) return renderSignIn();
  if (!state.session) {
    try {
      state.session = (await api('/api/session')).body;
    } catch (err) {
      if (err.status === 401) return;
      return renderSignIn(err.message);
    }
    document.getElementById('session').hidden = false;
    document.getElementById('session-namespace').textContent = `namespace ${state.session.namespace}`;
  }
  const current = route();
  if (current.name === 'detail') return renderDetail(current.id);
  return renderList(current.params);
}

function signOut(message) {
  sessionStorage.removeItem(tokenKey);
  state.token = null;
  state.session = null;
  document.getElementById('session').hidden = true;
  stopRefresh();
  renderSignIn(message);
}

// ---------- sign in ----------

function renderSignIn(message) {
  document.title = 'Sign in · paycall operator console';
  const input = el('input', { id: 'token', name: 'token', type: 'password', autocomplete: 'current-password', required: true, spellcheck: 'false' });
  const form = el(
    'form',
    {
      class: 'signin card',
      onsubmit: (event) => {
        event.preventDefault();
        state.token = input.value.trim();
        sessionStorage.setItem(tokenKey, state.token);
        show();
      },
    },
    el('h1', {}, 'Sign in'),
    el('p', { class: 'muted' }, 'Enter the operator token (OPERATOR_TOKEN) configured for this paycall server. It is kept for this browser tab only.'),
    message ? notice('error', message) : null,
    el('label', { for: 'token' }, 'Operator token'),
    input,
    el('button', { type: 'submit', class: 'button-primary' }, 'Sign in'),
  );
  main.replaceChildren(form);
  input.focus();
}

// ---------- calls list ----------

function select(id, label, choices, value) {
  return el(
    'div',
    { class: 'field' },
    el('label', { for: id }, label),
    el('select', { id, name: id }, choices.map(([v, text]) => el('option', { value: v, selected: v === value }, text))),
  );
}

async function renderList(params) {
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
    checked: state.live,
    onchange: (event) => {
      state.live = event.target.checked;
      sessionStorage.setItem('paycall-live', state.live ? 'on' : 'off');
    },
  });
  const updated = el('span', { class: 'muted', id: 'updated' });
  const results = el('section', { 'aria-labelledby': 'calls-heading', id: 'results' });

  main.replaceChildren(
    el(
      'div',
      { class: 'page-head' },
      el('h1', { id: 'calls-heading' }, 'Calls'),
      el('div', { class: 'live' }, live, el('label', { for: 'live' }, `Live refresh (every ${refreshMs / 1000} s)`), updated),
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
      el('td', {}, badge(call.outcome, call.status), call.status === 'running' && call.stage ? el('div', { class: 'muted small' }, stepName(call.stage)) : null),
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

function filtersQuery(filters) {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(filters)) if (value) query.set(key, value);
  return query;
}

// ---------- one call ----------

async function renderDetail(id) {
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
  for (const a of d.pendingActivities ?? []) {
    section.append(el('p', { class: 'muted' }, `In flight: ${a.type}, attempt ${a.attempt}${a.lastFailure ? ` (last error: ${a.lastFailure})` : ''}`));
  }
  return section;
}

function refundSection(d, reload) {
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
  const money = toDecimal(request.amount, d.refundable.currencyExponent) + ' ' + d.refundable.currency.toUpperCase();
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

function cssId(id) {
  return String(id).replace(/[^A-Za-z0-9_-]/g, '_');
}

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

// ---------- boot ----------

document.getElementById('sign-out').addEventListener('click', () => signOut());
window.addEventListener('hashchange', () => {
  if (route().name === 'list') sessionStorage.setItem('paycall-list-hash', location.hash || '#/calls');
  show();
  main.focus({ preventScroll: true });
});
document.addEventListener('keydown', (event) => {
  const typing = ['INPUT', 'SELECT', 'TEXTAREA'].includes(document.activeElement?.tagName ?? '');
  if (event.key === '/' && !typing && !dialog.open) {
    const order = document.getElementById('order');
    if (order) {
      event.preventDefault();
      order.focus();
    }
  }
});
document.addEventListener('visibilitychange', () => {
  if (!document.hidden && state.refresh && state.live) state.refresh().catch(() => {});
});
if (route().name === 'list') sessionStorage.setItem('paycall-list-hash', location.hash || '#/calls');
show();
