/** Runs paycall's web app on a free port and sends it Twilio-signed requests. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import twilio from 'twilio';
import { CallGateway } from '../../src/calls/call-gateway.js';
import { loadConfig } from '../../src/config/config.js';
import { createLogger } from '../../src/logging/logger.js';
import { createWebApp } from '../../src/web/app.js';
import { ReadinessCheck } from '../../src/web/readiness.js';
import type { Client } from '@temporalio/client';

export const testAuthToken = 'test-auth-token-0123456789abcdef';
export const testAccountSid = `AC${'0'.repeat(32)}`;

export interface TestWeb {
  baseUrl: string;
  /** The web app's log lines (JSON), when started with captureLogs. */
  logs(): string[];
  clearLogs(): void;
  post(path: string, params: Record<string, string>, options?: PostOptions): Promise<{ status: number; body: string; ms: number }>;
  close(): Promise<void>;
}

export interface PostOptions {
  signature?: 'valid' | 'invalid' | 'none';
  idempotencyToken?: string;
}

export async function startTestWeb(options: {
  client: Client;
  taskQueue: string;
  deadlineMs?: number;
  env?: Record<string, string>;
  captureLogs?: boolean;
  /** Mounts the operator API and console, with this bearer token. */
  operatorToken?: string;
}): Promise<TestWeb> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const config = loadConfig({ PUBLIC_BASE_URL: baseUrl, ...options.env });
  const gateway = new CallGateway(options.client, { taskQueue: options.taskQueue, deadlineMs: options.deadlineMs ?? 3000 });
  let lines: string[] = [];
  const logger = options.captureLogs ? createLogger('test-web', 'info', { write: (line: string) => void lines.push(line.trim()) }) : createLogger('test-web', 'silent');
  const operators = options.operatorToken
    ? { client: options.client, namespace: options.client.options.namespace, taskQueue: options.taskQueue, token: options.operatorToken }
    : undefined;
  const readiness = new ReadinessCheck(options.client, options.taskQueue);
  const app = createWebApp({ gateway, config, authToken: testAuthToken, receiptsEnabled: false, logger, readiness, ...(operators ? { operators } : {}) });
  server.on('request', app);
  return {
    baseUrl,
    logs: () => [...lines],
    clearLogs: () => {
      lines = [];
    },
    async post(path, params, postOptions = {}) {
      const url = path.startsWith('http') ? path : `${baseUrl}${path}`;
      const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
      const mode = postOptions.signature ?? 'valid';
      if (mode !== 'none') {
        const signature = twilio.getExpectedTwilioSignature(mode === 'valid' ? testAuthToken : 'wrong-token', url, params);
        headers['x-twilio-signature'] = signature;
      }
      if (postOptions.idempotencyToken) headers['i-twilio-idempotency-token'] = postOptions.idempotencyToken;
      const started = Date.now();
      const response = await fetch(url, { method: 'POST', headers, body: new URLSearchParams(params).toString() });
      return { status: response.status, body: await response.text(), ms: Date.now() - started };
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export function voiceParams(callSid: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    CallSid: callSid,
    AccountSid: testAccountSid,
    From: '+15005550006',
    To: '+15005550001',
    CallStatus: 'in-progress',
    Direction: 'inbound',
    ApiVersion: '2010-04-01',
    ...extra,
  };
}

/** The URL of the first `<Redirect>` or action attribute named in a TwiML document. */
export function actionUrl(twiml: string, element: 'Gather' | 'Pay' | 'Redirect'): string | undefined {
  const decode = (s: string) => s.replace(/&amp;/g, '&');
  if (element === 'Redirect') {
    const match = /<Redirect[^>]*>([^<]+)<\/Redirect>/.exec(twiml);
    return match?.[1] ? decode(match[1]) : undefined;
  }
  const match = new RegExp(`<${element}[^>]*\\saction="([^"]+)"`).exec(twiml);
  return match?.[1] ? decode(match[1]) : undefined;
}
