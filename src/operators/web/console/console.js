// paycall operator console: calls list with filters, one call's timeline, refunds, and the
// calls on an operator's line with agent-assisted card capture.
// Plain browser JavaScript, no dependencies, served by paycall itself (works offline).
// Data reaches the page only through textContent: nothing from the API is parsed as HTML.
//
// This is the entry point (index.html loads it as a module): routing by the URL hash,
// sign-in and sign-out, and the page-wide handlers. The views are in calls-list.js and
// call-detail.js (with refund.js), live-list.js and live-call.js (with capture-form.js and
// capture-progress.js); api.js holds the session, dom.js the element helpers, refresh.js the
// list's live refresh, stream.js the event streams of the live views.

import { api, forgetSession, rememberToken, state, whenUnauthorized } from './api.js';
import { renderDetail } from './call-detail.js';
import { renderList } from './calls-list.js';
import { dialog, el, main, notice } from './dom.js';
import { renderLiveCall } from './live-call.js';
import { renderLiveList } from './live-list.js';
import { refreshNow, stopRefresh } from './refresh.js';
import { closeStreams } from './stream.js';

// ---------- routing ----------

/**
 * #/calls/<workflow id> is one call; #/live the calls on an operator's line, #/live/<CallSid>
 * one of them; anything else is the list, its filters in the query.
 */
function route() {
  const hash = location.hash.replace(/^#/, '') || '/calls';
  const [path, query = ''] = hash.split('?');
  const detail = /^\/calls\/([A-Za-z0-9_-]+)$/.exec(path);
  if (detail) return { name: 'detail', id: detail[1] };
  const liveCall = /^\/live\/(CA[0-9a-fA-F]{32})$/.exec(path);
  if (liveCall) return { name: 'live-call', callSid: liveCall[1] };
  if (path === '/live') return { name: 'live' };
  return { name: 'list', params: new URLSearchParams(query) };
}

/** The top bar's links say which part of the console is open. */
function markNav(name) {
  const section = name === 'live' || name === 'live-call' ? 'live' : 'calls';
  for (const link of document.querySelectorAll('#session a[data-section]')) {
    if (link.dataset.section === section) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
}

/** The list the operator last looked at (with its filters): a call's "← All calls" goes back to it. */
function rememberListHash() {
  if (route().name === 'list') sessionStorage.setItem('paycall-list-hash', location.hash || '#/calls');
}

async function show() {
  stopRefresh();
  closeStreams();
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
    document.getElementById('session-operator').textContent = state.session.operator ? `signed in as ${state.session.operator}` : '';
  }
  const current = route();
  markNav(current.name);
  if (current.name === 'detail') return renderDetail(current.id);
  if (current.name === 'live') return renderLiveList();
  if (current.name === 'live-call') return renderLiveCall(current.callSid);
  return renderList(current.params);
}

function signOut(message) {
  forgetSession();
  document.getElementById('session').hidden = true;
  stopRefresh();
  closeStreams();
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
        rememberToken(input.value.trim());
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

// ---------- boot ----------

whenUnauthorized(signOut);
document.getElementById('sign-out').addEventListener('click', () => signOut());
window.addEventListener('hashchange', () => {
  rememberListHash();
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
  if (!document.hidden) refreshNow();
});
rememberListHash();
show();
