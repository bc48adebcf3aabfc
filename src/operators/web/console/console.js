// paycall operator console: calls list with filters, one call's timeline, refunds.
// Plain browser JavaScript, no dependencies, served by paycall itself (works offline).
// Data reaches the page only through textContent: nothing from the API is parsed as HTML.
//
// This is the entry point (index.html loads it as a module): routing by the URL hash,
// sign-in and sign-out, and the page-wide handlers. The views are in calls-list.js and
// call-detail.js (with refund.js); api.js holds the session, dom.js the element helpers,
// refresh.js the live refresh.

import { api, forgetSession, rememberToken, state, whenUnauthorized } from './api.js';
import { renderDetail } from './call-detail.js';
import { renderList } from './calls-list.js';
import { dialog, el, main, notice } from './dom.js';
import { refreshNow, stopRefresh } from './refresh.js';

// ---------- routing ----------

/** #/calls/<workflow id> is one call; anything else is the list, its filters in the query. */
function route() {
  const hash = location.hash.replace(/^#/, '') || '/calls';
  const [path, query = ''] = hash.split('?');
  const detail = /^\/calls\/([A-Za-z0-9_-]+)$/.exec(path);
  if (detail) return { name: 'detail', id: detail[1] };
  return { name: 'list', params: new URLSearchParams(query) };
}

/** The list the operator last looked at (with its filters): a call's "← All calls" goes back to it. */
function rememberListHash() {
  if (route().name === 'list') sessionStorage.setItem('paycall-list-hash', location.hash || '#/calls');
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
  forgetSession();
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
