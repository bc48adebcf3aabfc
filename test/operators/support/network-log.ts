/**
 * Every response a page received, with its body, for the card-data scan. Ordinary responses
 * are read with Playwright's `response.body()`; an event stream never finishes (the page
 * aborts it when it leaves the view), so its bytes are taken as they arrive through the
 * DevTools protocol (`Network.streamResourceContent`: what was buffered so far, then each
 * `dataReceived` carries its data).
 */
import type { CDPSession, Page, Response } from 'playwright-core';

export interface LoggedResponse {
  url: string;
  status: number;
  contentType: string;
  body: string;
}

interface StreamBytes {
  url: string;
  buffered: string;
  streamed: string[];
}

export class NetworkLog {
  private readonly pending: Promise<LoggedResponse>[] = [];
  private readonly streams = new Map<string, StreamBytes>();
  private cdp: CDPSession | undefined;

  /** Starts listening; call before the page loads anything. */
  async attach(page: Page): Promise<void> {
    this.cdp = await page.context().newCDPSession(page);
    await this.cdp.send('Network.enable');
    this.cdp.on('Network.responseReceived', (event) => {
      if (!event.response.mimeType.includes('event-stream')) return;
      const bytes: StreamBytes = { url: event.response.url, buffered: '', streamed: [] };
      this.streams.set(event.requestId, bytes);
      this.cdp!.send('Network.streamResourceContent', { requestId: event.requestId }).then(
        (r) => (bytes.buffered = Buffer.from(r.bufferedData, 'base64').toString('utf8')),
        () => undefined, // already finished: its dataReceived events carried nothing, body() has it
      );
    });
    this.cdp.on('Network.dataReceived', (event) => {
      const bytes = this.streams.get(event.requestId);
      if (bytes && event.data) bytes.streamed.push(Buffer.from(event.data, 'base64').toString('utf8'));
    });
    page.on('response', (response) => this.pending.push(this.read(response)));
  }

  private async read(response: Response): Promise<LoggedResponse> {
    const contentType = (await response.headerValue('content-type')) ?? '';
    const base = { url: response.url(), status: response.status(), contentType };
    if (contentType.includes('event-stream')) return { ...base, body: '' }; // filled in by `responses()`
    const body = await response.body().then(
      (b) => b.toString('utf8'),
      (err: Error) => `(body unavailable: ${err.message})`,
    );
    return { ...base, body };
  }

  /** Every response so far; an event stream's body is all its bytes received so far. */
  async responses(): Promise<LoggedResponse[]> {
    const all = await Promise.all(this.pending);
    const streamsByUrl = new Map<string, StreamBytes[]>();
    for (const s of this.streams.values()) streamsByUrl.set(s.url, [...(streamsByUrl.get(s.url) ?? []), s]);
    const taken = new Map<string, number>();
    return all.map((r) => {
      if (!r.contentType.includes('event-stream')) return r;
      // The nth stream response for a URL is the nth stream the protocol saw for it.
      const index = taken.get(r.url) ?? 0;
      taken.set(r.url, index + 1);
      const bytes = streamsByUrl.get(r.url)?.[index];
      return { ...r, body: bytes ? bytes.buffered + bytes.streamed.join('') : '' };
    });
  }
}
