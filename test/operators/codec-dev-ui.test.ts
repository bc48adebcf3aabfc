/**
 * The dev server's Web UI decodes through paycall's codec, as `npm start` wires it: the UI is
 * started with --ui-codec-endpoint (startDevServer's codecEndpoint), its settings API hands
 * that endpoint to the browser, and a request made the way the UI makes it (from the UI's
 * origin, to `<endpoint>/decode`, with X-Namespace) gets a history payload back decrypted.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { defaultPayloadConverter } from '@temporalio/common';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logging/logger.js';
import { codecOrigins } from '../../src/operators/web/codec-access.js';
import { createCodecRouter } from '../../src/operators/web/codec-routes.js';
import { OperatorDirectory } from '../../src/operators/web/operator-directory.js';
import { freePort, startDevServer, type DevServer } from '../../src/temporal/dev-server.js';
import { EncryptionCodec } from '../../src/temporal/encryption-codec.js';
import { payloadToJson } from '../../src/temporal/payload-json.js';

const uiKey = randomBytes(16).toString('hex');
const codec = new EncryptionCodec({ k1: randomBytes(32) }, 'k1');
let devServer: DevServer;
let server: http.Server;
let codecBase = '';

beforeAll(async () => {
  server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  codecBase = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const uiPort = await freePort();
  const app = express();
  app.use(
    '/codec',
    createCodecRouter({
      codec,
      namespace: 'default',
      operators: OperatorDirectory.fromConfig({}),
      uiKey,
      allowedOrigins: codecOrigins(undefined, `http://127.0.0.1:${uiPort}`),
      logger: createLogger('codec', 'silent'),
    }),
  );
  server.on('request', app);
  devServer = await startDevServer({ uiPort, codecEndpoint: `${codecBase}/codec/ui/${uiKey}` });
}, 90_000);
afterAll(async () => {
  await devServer?.stop();
  await new Promise<void>((resolve) => server?.close(() => resolve()));
});

async function uiSettings(): Promise<{ Codec?: { Endpoint?: string; PassAccessToken?: boolean; IncludeCredentials?: boolean } }> {
  // The UI server comes up a moment after the gRPC port.
  for (let attempt = 0; ; attempt++) {
    try {
      const response = await fetch(`${devServer.uiUrl}/api/v1/settings`);
      if (response.ok) return (await response.json()) as never;
    } catch (err) {
      if (attempt > 40) throw err;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe("the dev server's Web UI and paycall's codec", () => {
  it('the UI is given the codec link and decodes through it from its origin', async () => {
    const settings = await uiSettings();
    expect(settings.Codec?.Endpoint).toBe(`${codecBase}/codec/ui/${uiKey}`);
    expect(settings.Codec?.PassAccessToken).toBeFalsy();

    const [sealed] = await codec.encode([defaultPayloadConverter.toPayload({ outcome: 'paid', orderId: '73021' })!]);
    const uiOrigin = new URL(devServer.uiUrl!).origin;
    const preflight = await fetch(`${settings.Codec!.Endpoint}/decode`, {
      method: 'OPTIONS',
      headers: { origin: uiOrigin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-namespace' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(uiOrigin);

    const response = await fetch(`${settings.Codec!.Endpoint}/decode`, {
      method: 'POST',
      headers: { origin: uiOrigin, 'content-type': 'application/json', 'x-namespace': 'default' },
      body: JSON.stringify({ payloads: [payloadToJson(sealed!)] }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe(uiOrigin);
    const { payloads } = (await response.json()) as { payloads: { data: string }[] };
    expect(JSON.parse(Buffer.from(payloads[0]!.data, 'base64').toString())).toEqual({ outcome: 'paid', orderId: '73021' });
  });
});
