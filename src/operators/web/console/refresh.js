// Operator console: live refresh. The open view registers how to reload itself; it reloads
// every few seconds while live refresh is on, the tab is visible and no dialog is open,
// and once more when the tab comes back into view.

import { dialog } from './dom.js';

export const refreshMs = 5000;
const liveKey = 'paycall-live';

let live = sessionStorage.getItem(liveKey) !== 'off';
let timer;
let reloadView;

/** The operator's "Live refresh" choice, remembered for this browser tab. */
export const isLive = () => live;
export function setLive(on) {
  live = on;
  sessionStorage.setItem(liveKey, live ? 'on' : 'off');
}

export function stopRefresh() {
  clearInterval(timer);
  timer = undefined;
  reloadView = undefined;
}

export function startRefresh(fn) {
  stopRefresh();
  reloadView = fn;
  timer = setInterval(() => {
    if (!live || document.hidden || dialog.open) return;
    fn().catch(() => {});
  }, refreshMs);
}

/** The tab is visible again: bring the open view up to date now rather than at the next tick. */
export function refreshNow() {
  if (reloadView && live) reloadView().catch(() => {});
}
