// Operator console: one call on an operator's line (#/live/<CallSid>), streamed from
// GET /api/calls/:sid/live. Who is on the line, the form that starts a card capture, the
// capture's progress field by field with re-ask and cancel, the result with the
// confirmation code, and "End call". The page changes only what the stream changed: a form
// being filled in or a focused button is left alone.

import { api, operatorName, state } from './api.js';
import { endedCapturePanel, earlierCaptures, runningCapturePanel } from './capture-progress.js';
import { captureForm } from './capture-form.js';
import { runningStatuses } from './capture-words.js';
import { el, formatTime, main, notice, shortSid } from './dom.js';
import { openEventStream } from './stream.js';

const statusWords = { connecting: 'Connecting…', live: 'Live', closed: '' };

/** The charge of a capture, to start another one like it ("try another card"). */
function chargeOf(c) {
  return c.orderId ? { orderId: c.orderId } : { amount: c.amount, currency: c.currency, description: c.description };
}

export function renderLiveCall(callSid) {
  const view = state.view;
  document.title = `Live call ${shortSid(callSid)} · paycall operator console`;
  const path = `/api/calls/${encodeURIComponent(callSid)}`;
  const post = (suffix, body) => api(`${path}${suffix}`, { method: 'POST', ...(body ? { body: JSON.stringify(body) } : {}) });

  const streamStatus = el('span', { class: 'stream-status', id: 'stream-status', role: 'status' }, 'Connecting…');
  const endStatus = el('div', { id: 'end-call-status', role: 'status', 'aria-live': 'polite' });
  const endButton = el('button', { type: 'button', class: 'button-danger', id: 'end-call' }, 'End call');
  const problems = el('div', { id: 'live-problem' });
  const line = el('dl', { class: 'facts card', id: 'line-facts', 'aria-label': 'Who is on the line' });
  const captureBody = el('div', { id: 'capture-body' });
  const captureSection = el('section', { class: 'card capture-card', 'aria-labelledby': 'capture-heading' }, el('h2', { id: 'capture-heading' }, 'Card payment'), captureBody);
  const heading = el('h1', { tabindex: '-1', id: 'live-heading' }, 'Live call ', el('span', { class: 'mono' }, callSid));

  main.replaceChildren(
    el('a', { href: '#/live', class: 'back' }, '← Live calls'),
    el('div', { class: 'page-head' }, heading, el('div', { class: 'head-actions' }, streamStatus, endButton)),
    endStatus,
    problems,
    line,
    captureSection,
  );

  let last; // the last `call` event
  let phase; // what the capture section shows now; rebuilt only when it changes
  let running; // the running capture's panel
  let endRequested = false;
  let firstEvent = true;

  endButton.addEventListener('click', async () => {
    endButton.disabled = true;
    endButton.textContent = 'Ending…';
    endStatus.replaceChildren();
    try {
      await post('/end');
      endRequested = true;
      endButton.textContent = 'Call ending';
      endStatus.replaceChildren(notice('ok', 'Ending the call: the caller hears the last words and is hung up.', null));
    } catch (err) {
      if (err.status === 401) return;
      endStatus.replaceChildren(notice('error', err.message, null));
      endButton.disabled = false;
      endButton.textContent = 'End call';
    }
  });

  const start = (charge) => post('/capture', charge);

  const stream = openEventStream(`${path}/live`, {
    onStatus(status, delay) {
      if (view !== state.view) return;
      streamStatus.textContent = status === 'reconnecting' ? `Connection lost: reconnecting in ${Math.ceil(delay / 1000)} s…` : statusWords[status];
      streamStatus.className = `stream-status stream-${status}`;
    },
    onEvent(name, data) {
      if (view !== state.view) return;
      if (name === 'problem') {
        problems.replaceChildren(notice('error', data.message ?? 'The server could not read this call.'));
        return;
      }
      if (name !== 'call') return;
      problems.replaceChildren();
      last = data;
      draw();
      if (firstEvent) {
        // As the call page does: focus lands on the heading once there is something to read.
        firstEvent = false;
        heading.focus();
      }
    },
  });

  function draw() {
    const s = last.state;
    const ended = Boolean(s?.outcome);
    document.title = `Live call ${shortSid(callSid)}${ended ? ' (ended)' : ''} · paycall operator console`;
    line.replaceChildren(...lineFacts(last));
    if (ended) {
      stream.close(); // a closed call changes no more
      endButton.disabled = true;
      endButton.textContent = 'Call ended';
      endStatus.replaceChildren(
        el('p', { class: 'notice notice-ok' }, `The call has ended: ${s.outcome.outcome}. `, el('a', { href: `#/calls/${last.workflowId}`, id: 'ended-call-link' }, "Open the call's page (timeline, refunds) →")),
      );
    } else if (!endRequested) {
      endButton.disabled = !s?.operatorLine;
    }
    const operatorLine = s?.operatorLine;
    const capture = operatorLine?.capture;
    const isRunning = capture && runningStatuses.includes(capture.status);
    const next = !s ? 'no-state' : !operatorLine ? 'not-on-line' : isRunning ? `running:${capture.attempt}` : `idle:${capture?.attempt ?? 0}:${capture?.status ?? ''}:${ended || endRequested}`;
    if (next !== phase) {
      // Focus in the part being replaced (or lost: a disabled button drops it) moves to what replaces it.
      const hadFocus = captureSection.contains(document.activeElement) || document.activeElement === document.body;
      phase = next;
      running = undefined;
      captureBody.replaceChildren(...captureContent(s, operatorLine, capture, isRunning, ended || endRequested).filter(Boolean));
      if (hadFocus) captureBody.querySelector('[tabindex="-1"], button:not([disabled]), input')?.focus();
    }
    if (running && capture) running.update(capture);
  }

  function captureContent(s, operatorLine, capture, isRunning, over) {
    if (!s) return [notice('error', 'No worker answered for this call just now; this page updates when one does.', null)];
    if (!operatorLine) {
      return [el('p', { class: 'muted' }, `This call is not on an operator's line (it is at: ${s.step}).`), el('a', { href: `#/calls/${last.workflowId}` }, "Open the call's page →")];
    }
    const before = operatorLine.captures.filter((c) => c.attempt !== capture?.attempt);
    if (isRunning) {
      running = runningCapturePanel({
        reask: (field) => post('/capture/reask', { field }),
        cancel: () => post('/capture/cancel'),
      });
      return [running.node, earlierCaptures(before)];
    }
    const parts = [];
    if (capture) {
      const result = endedCapturePanel(capture, { tryAgain: () => start(chargeOf(capture)), callOver: over });
      result.querySelector('.result-title')?.setAttribute('tabindex', '-1');
      parts.push(result);
    }
    parts.push(earlierCaptures(before));
    if (over || capture?.status === 'paid') return parts;
    const form = captureForm({ orderId: last.orderId, previous: capture ? chargeOf(capture) : undefined, start });
    if (capture && capture.status !== 'cancelled') {
      // After a decline "Try another card" is the usual next step; a different charge is one click away.
      parts.push(el('details', { class: 'change-charge', id: 'change-charge' }, el('summary', {}, 'Charge a different order or amount'), form));
    } else {
      parts.push(form);
    }
    return parts;
  }
}

/** Who is on the line: the call, since when, the order, the operator signed in here (no phone numbers). */
function lineFacts(d) {
  const s = d.state;
  const facts = [];
  const fact = (label, value, mono = false, id) => {
    if (value === undefined || value === null || value === '') return;
    facts.push(el('div', {}, el('dt', {}, label), el('dd', { class: mono ? 'mono' : '', id }, value)));
  };
  const line = s?.operatorLine;
  fact('Caller', line ? (s.hungUp ? 'hung up' : 'on the line with an operator') : s?.hungUp ? 'hung up' : 'not with an operator', false, 'line-caller');
  fact('Connected', line ? formatTime(line.connectedAt) : undefined);
  fact('You', operatorName(), false, 'line-operator');
  fact('Order', d.orderId ? `${d.orderId}${d.amountText ? ` · ${d.amountText}` : ''}` : 'not keyed yet', false, 'line-order');
  fact('Call', d.callSid, true);
  return facts;
}
