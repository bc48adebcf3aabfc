// Operator console: the page's fixed parts and the small helpers every view builds with:
// el() to make elements, time and id formatting, outcome badges and notices.
// Data reaches the page only through textContent: nothing from the API is parsed as HTML.

/** Where each view renders (index.html). */
export const main = document.getElementById('main');
/** The refund confirmation dialog (index.html); live refresh and "/" pause while it is open. */
export const dialog = document.getElementById('refund-dialog');

/**
 * An element with props and children. `class` and `text` are shortcuts, `on…` adds a listener,
 * non-string values of DOM properties are set as properties, the rest as attributes;
 * undefined/null/false props and children are left out, strings become text nodes.
 */
export function el(tag, props = {}, ...children) {
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

/** Time of day, with the date in front when it is not today. */
export function formatTime(iso, withDate = true) {
  if (!iso) return '';
  const date = new Date(iso);
  const today = new Date().toDateString() === date.toDateString();
  const time = date.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
  return withDate && !today ? `${date.toLocaleDateString(undefined, { month: 'short', day: 'numeric' })} ${time}` : time;
}

/** Time of day to the millisecond, for the timeline. */
export function formatClock(iso) {
  if (!iso) return '';
  const date = new Date(iso);
  const ms = String(date.getMilliseconds()).padStart(3, '0');
  return `${date.toLocaleTimeString(undefined, { hour12: false })}.${ms}`;
}

export function formatDuration(ms) {
  if (ms === undefined || ms === null) return '';
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** A Twilio sid short enough for a table cell: its start and its last four. */
export function shortSid(sid) {
  return sid && sid.length > 14 ? `${sid.slice(0, 8)}…${sid.slice(-4)}` : sid;
}

/** An id usable in an element id (timeline entry ids carry characters ids should not). */
export function cssId(id) {
  return String(id).replace(/[^A-Za-z0-9_-]/g, '_');
}

export function badge(outcome, status) {
  const label = status === 'running' ? 'in progress' : outcome || status || 'unknown';
  const kind = status === 'running' ? 'running' : outcome || 'unknown';
  return el('span', { class: `badge badge-${kind}` }, label);
}

/** `role` defaults to alert/status; pass null inside an existing live region. */
export function notice(kind, text, role = kind === 'error' ? 'alert' : 'status') {
  return el('p', { class: `notice notice-${kind}`, role }, text);
}
