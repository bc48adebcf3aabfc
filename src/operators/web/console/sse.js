// Operator console: the server-sent events wire format, parsed from text as it arrives (the
// console reads its streams with fetch, see stream.js). No imports: the browser test feeds it
// chunks cut at awkward places.

/**
 * An SSE frame parser (the WHATWG event-stream format): text in as it arrives, `dispatch(event,
 * data)` for each complete frame. Lines end in \n, \r\n or \r; a blank line ends a frame;
 * `data:` lines join with \n; a line starting with `:` is a comment (the server's keep-alive).
 */
export function sseParser(dispatch) {
  let buffer = '';
  let event = '';
  let data = [];
  const line = (text) => {
    if (text === '') {
      if (data.length) dispatch(event || 'message', data.join('\n'));
      event = '';
      data = [];
      return;
    }
    if (text.startsWith(':')) return;
    const colon = text.indexOf(':');
    const field = colon === -1 ? text : text.slice(0, colon);
    let value = colon === -1 ? '' : text.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
    // `id:` and `retry:` are not used by paycall's streams
  };
  return {
    push(chunk) {
      buffer += chunk;
      for (;;) {
        const match = /\r\n|\r|\n/.exec(buffer);
        // A lone \r at the end may be the first half of \r\n: wait for the next chunk.
        if (!match || (match[0] === '\r' && match.index === buffer.length - 1)) break;
        line(buffer.slice(0, match.index));
        buffer = buffer.slice(match.index + match[0].length);
      }
    },
  };
}
