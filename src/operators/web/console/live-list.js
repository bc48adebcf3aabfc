// Operator console: the calls on an operator's line right now (#/live), streamed from
// GET /api/live (event `calls`: every live call, sent whenever one changes). Each row says
// where the call's card capture stands and opens the live call page.

import { state } from './api.js';
import { captureSummary } from './capture-words.js';
import { el, formatTime, main, shortSid } from './dom.js';
import { openEventStream } from './stream.js';

export function renderLiveList() {
  const view = state.view;
  document.title = 'Live calls · paycall operator console';
  const streamStatus = el('span', { class: 'stream-status', id: 'stream-status', role: 'status' }, 'Connecting…');
  const results = el('section', { 'aria-labelledby': 'live-heading', id: 'live-results' }, el('p', { class: 'loading' }, 'Loading…'));
  main.replaceChildren(
    el(
      'div',
      { class: 'page-head' },
      el('h1', { id: 'live-heading' }, 'Live calls'),
      el('div', { class: 'head-actions' }, streamStatus, el('a', { href: '#/calls', class: 'button-link' }, 'All calls')),
    ),
    el('p', { class: 'muted' }, 'Callers who pressed 0 (or needed a person) and are on the line with an operator. The list updates by itself.'),
    results,
  );

  openEventStream('/api/live', {
    onStatus(status, delay) {
      if (view !== state.view) return;
      streamStatus.textContent = status === 'reconnecting' ? `Connection lost: reconnecting in ${Math.ceil(delay / 1000)} s…` : status === 'live' ? 'Live' : status === 'connecting' ? 'Connecting…' : '';
      streamStatus.className = `stream-status stream-${status}`;
    },
    onEvent(name, data) {
      if (view !== state.view) return;
      if (name === 'problem') {
        results.replaceChildren(el('p', { class: 'notice notice-error', role: 'alert' }, data.message ?? 'The server could not list the live calls.'));
        return;
      }
      if (name === 'calls' && Array.isArray(data)) drawList(data);
    },
  });

  function drawList(calls) {
    const focused = document.activeElement?.id;
    if (calls.length === 0) {
      results.replaceChildren(el('p', { class: 'empty card', id: 'live-empty' }, "No callers are on an operator's line right now. They appear here as soon as they are put through."));
      return;
    }
    const rows = calls.map((call) => {
      const line = call.state?.operatorLine;
      const capture = line?.capture;
      return el(
        'tr',
        { class: capture?.status === 'paid' ? 'row-paid' : '' },
        el('td', { class: 'nowrap' }, line ? el('time', { datetime: line.connectedAt, title: line.connectedAt }, formatTime(line.connectedAt)) : formatTime(call.startedAt)),
        el(
          'td',
          { class: 'call' },
          el('a', { href: `#/live/${call.callSid}`, class: 'mono', id: `live-${call.callSid}`, 'aria-label': `Live call ${call.callSid}${call.orderId ? `, order ${call.orderId}` : ''}` }, shortSid(call.callSid)),
        ),
        el('td', { class: 'mono' }, call.orderId ?? '—'),
        el('td', { class: 'nowrap num' }, call.amountText ?? '—'),
        el('td', { class: 'live-now' }, call.state ? captureSummary(line) : 'No worker answered for this call just now'),
        el('td', {}, capture?.operator ?? '—'),
      );
    });
    results.replaceChildren(
      el(
        'table',
        { class: 'calls card' },
        el('caption', {}, `${calls.length} ${calls.length === 1 ? 'caller' : 'callers'} on the line, newest first`),
        el('thead', {}, el('tr', {}, ['Connected', 'Call', 'Order', 'Amount', 'Now', 'Operator'].map((h) => el('th', { scope: 'col' }, h)))),
        el('tbody', {}, rows),
      ),
    );
    // The list is redrawn on each change: keep the operator's place.
    if (focused) document.getElementById(focused)?.focus();
  }
}
