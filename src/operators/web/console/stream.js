// Operator console: server-sent event streams (GET /api/live, GET /api/calls/:sid/live).
// Read with fetch and a stream reader, not EventSource: EventSource cannot send the
// Authorization header, and the token must never go in a URL (it would end up in access
// logs). sse.js parses the frames (`event:` and `data:` lines, `:` comments ignored); after
// a drop the stream reconnects on its own with a short backoff. The server pushes changes,
// so the page has no polling loop.

import { reportUnauthorized, state } from './api.js';
import { sseParser } from './sse.js';

/** Waits before reconnecting: quick at first, then at most every 10 s. */
const backoffMs = [500, 1000, 2000, 5000, 10000];

/** Streams the open view holds; the router closes them when the view changes. */
const open = new Set();

export function closeStreams() {
  for (const stream of open) stream.close();
  open.clear();
}

/**
 * Opens the event stream at `path`. `onEvent(name, data)` gets each event with its data parsed
 * as JSON; `onStatus(status, detail)` hears 'connecting', 'live', 'reconnecting' (detail: the
 * delay in ms) and 'closed'. Returns `{ close() }`.
 */
export function openEventStream(path, { onEvent, onStatus = () => {} }) {
  let closed = false;
  let controller;
  let timer;
  let failures = 0;

  const close = () => {
    if (closed) return;
    closed = true;
    clearTimeout(timer);
    controller?.abort();
    open.delete(stream);
    onStatus('closed');
  };
  const stream = { close };
  open.add(stream);

  const reconnect = () => {
    if (closed) return;
    const delay = backoffMs[Math.min(failures, backoffMs.length - 1)];
    failures++;
    onStatus('reconnecting', delay);
    timer = setTimeout(connect, delay);
  };

  const connect = async () => {
    if (closed) return;
    controller = new AbortController();
    onStatus('connecting');
    let response;
    try {
      response = await fetch(path, {
        headers: { accept: 'text/event-stream', authorization: `Bearer ${state.token ?? ''}` },
        cache: 'no-store',
        signal: controller.signal,
      });
    } catch {
      return reconnect();
    }
    if (response.status === 401) {
      close();
      reportUnauthorized();
      return;
    }
    if (!response.ok || !response.body) {
      response.body?.cancel().catch(() => {});
      return reconnect();
    }
    onStatus('live');
    const parser = sseParser((name, data) => {
      failures = 0; // a frame arrived: the next drop starts the backoff from the beginning
      let parsed;
      try {
        parsed = JSON.parse(data);
      } catch {
        return; // not ours to show
      }
      if (!closed) onEvent(name, parsed);
    });
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        parser.push(value);
      }
    } catch {
      // dropped (or aborted by close)
    }
    reconnect();
  };

  connect();
  return stream;
}
