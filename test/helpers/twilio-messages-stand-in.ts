/** A local stand-in for Twilio's Messages endpoint, for the real `twilio` client in tests. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedMessage {
  url: string;
  authorization: string;
  params: URLSearchParams;
}

export interface MessagesStandIn {
  baseUrl: string;
  received: ReceivedMessage[];
  close(): Promise<void>;
}

export async function startMessagesStandIn(): Promise<MessagesStandIn> {
  const received: ReceivedMessage[] = [];
  let counter = 0;
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      received.push({ url: req.url ?? '', authorization: req.headers.authorization ?? '', params: new URLSearchParams(body) });
      res.writeHead(201, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ sid: `SM${String(++counter).padStart(32, '0')}`, status: 'queued' }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
