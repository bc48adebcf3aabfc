/**
 * The codec server over real HTTP: /codec/encode and /codec/decode round-trip payloads through
 * paycall's payload codec for a named operator or the Web UI's link, refuse every request
 * without a valid credential, answer CORS preflights for the configured Web UI origins only,
 * and refuse another namespace, a malformed body and a payload no key here decrypts.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logging/logger.js';
import { codecOrigins } from '../../src/operators/web/codec-access.js';
import { createCodecRouter } from '../../src/operators/web/codec-routes.js';
import { OperatorDirectory, sha256 } from '../../src/operators/web/operator-directory.js';
import { EncryptionCodec } from '../../src/temporal/encryption-codec.js';
import { payloadToJson } from '../../src/temporal/payload-json.js';

const aliceToken = 'alice-token-0123456789';
const uiKey = 'ui-link-key-0123456789abcdef';
const uiOrigin = 'http://127.0.0.1:8233';
const namespace = 'default';
const k1 = randomBytes(32);
const k0 = randomBytes(32);
const workerCodec = new EncryptionCodec({ k1, k0 }, 'k1');

const logLines: string[] = [];
let base = '';
let passThroughBase = '';
const servers: http.Server[] = [];

async function serve(app: express.Express): Promise<string> {
  const server = http.createServer(app);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  const operators = OperatorDirectory.fromConfig({ OPERATORS: `alice:sha256:${sha256(aliceToken).toString('hex')}` });
  const logger = createLogger('codec-test', 'debug', { write: (line: string) => void logLines.push(line) });
  const allowedOrigins = codecOrigins(undefined, 'http://127.0.0.1:8233');
  const app = express();
  app.use('/codec', createCodecRouter({ codec: workerCodec, namespace, operators, uiKey, allowedOrigins, logger }));
  base = await serve(app);
  const plain = express();
  plain.use('/codec', createCodecRouter({ codec: undefined, namespace, operators, allowedOrigins, logger }));
  passThroughBase = await serve(plain);
});
afterAll(async () => {
  for (const server of servers) await new Promise<void>((resolve) => server.close(() => resolve()));
});

const jsonPayload = (value: unknown) => ({ metadata: { encoding: new TextEncoder().encode('json/plain') }, data: new TextEncoder().encode(JSON.stringify(value)) });

async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-namespace': namespace, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as { payloads?: { metadata: Record<string, string>; data: string }[]; error?: { code: string; message: string } } };
}

const asOperator = { authorization: `Bearer ${aliceToken}` };

describe('codec server', () => {
  it('encodes and decodes for a named operator: the round trip gives the payload back', async () => {
    const original = payloadToJson(jsonPayload({ receiptTo: '+15005550006' }));
    const encoded = await post('/codec/encode', { payloads: [original] }, asOperator);
    expect(encoded.status).toBe(200);
    const sealed = encoded.body.payloads![0]!;
    expect(Buffer.from(sealed.metadata.encoding!, 'base64').toString()).toBe('binary/encrypted');
    expect(Buffer.from(sealed.metadata['encryption-key-id']!, 'base64').toString()).toBe('k1');
    expect(Buffer.from(sealed.data, 'base64').toString('latin1')).not.toContain('15005550006');
    const decoded = await post('/codec/decode', { payloads: [sealed] }, asOperator);
    expect(decoded.status).toBe(200);
    expect(decoded.body.payloads).toEqual([original]);
    expect(JSON.parse(Buffer.from(decoded.body.payloads![0]!.data, 'base64').toString())).toEqual({ receiptTo: '+15005550006' });
  });

  it('decodes what the worker encrypted, with the current key and an older one of the ring', async () => {
    const oldCodec = new EncryptionCodec({ k0 }, 'k0');
    const [byOld] = await oldCodec.encode([jsonPayload({ step: 'greet' })]);
    const [byCurrent] = await workerCodec.encode([jsonPayload({ step: 'charge' })]);
    const unencrypted = payloadToJson(jsonPayload('as is'));
    const decoded = await post('/codec/decode', { payloads: [payloadToJson(byOld!), payloadToJson(byCurrent!), unencrypted] }, asOperator);
    expect(decoded.status).toBe(200);
    expect(decoded.body.payloads!.map((p) => JSON.parse(Buffer.from(p.data, 'base64').toString()))).toEqual([{ step: 'greet' }, { step: 'charge' }, 'as is']);
  });

  it('logs who decoded, never what', async () => {
    logLines.length = 0;
    const [sealed] = await workerCodec.encode([jsonPayload({ receiptTo: '+15005550006' })]);
    await post('/codec/decode', { payloads: [payloadToJson(sealed!)] }, asOperator);
    const line = logLines.map((l) => JSON.parse(l)).find((l) => l.msg === 'codec request');
    expect(line).toMatchObject({ level: 30, operation: 'decode', payloads: 1, by: 'alice', namespace });
    expect(logLines.join('\n')).not.toContain('15005550006');
  });

  it('refuses a request without a token, with a wrong one, or with a wrong link key', async () => {
    const body = { payloads: [payloadToJson(jsonPayload(1))] };
    const missing = await post('/codec/decode', body);
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toBe('Bearer realm="paycall-codec"');
    expect(missing.body.error?.code).toBe('unauthorized');
    expect(missing.body.payloads).toBeUndefined();
    expect((await post('/codec/encode', body)).status).toBe(401);
    expect((await post('/codec/decode', body, { authorization: 'Bearer not-a-token' })).status).toBe(401);
    expect((await post('/codec/decode', body, { authorization: aliceToken })).status).toBe(401); // not a Bearer header
    expect((await post(`/codec/ui/${uiKey}x/decode`, body)).status).toBe(401);
  });

  it('decodes through the Web UI link, as the UI asks: its endpoint + /decode?preserveStorageRefs=true, from its origin', async () => {
    const [sealed] = await workerCodec.encode([jsonPayload({ outcome: 'paid' })]);
    for (const path of [`/codec/ui/${uiKey}/decode?preserveStorageRefs=true`, `/codec/ui/${uiKey}//decode`]) {
      const decoded = await post(path, { payloads: [payloadToJson(sealed!)] }, { origin: uiOrigin });
      expect(decoded.status, path).toBe(200);
      expect(decoded.headers.get('access-control-allow-origin')).toBe(uiOrigin);
      expect(decoded.headers.get('access-control-allow-credentials')).toBe('true');
      expect(JSON.parse(Buffer.from(decoded.body.payloads![0]!.data, 'base64').toString())).toEqual({ outcome: 'paid' });
    }
  });

  it('answers the preflight of the configured UI origins (both names of the dev UI) with the headers the UI sends', async () => {
    for (const origin of [uiOrigin, 'http://localhost:8233']) {
      const response = await fetch(`${base}/codec/ui/${uiKey}/decode`, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type,x-namespace,authorization',
          'access-control-request-private-network': 'true',
        },
      });
      expect(response.status).toBe(204);
      expect(response.headers.get('access-control-allow-origin')).toBe(origin);
      expect(response.headers.get('access-control-allow-methods')).toBe('POST');
      expect(response.headers.get('access-control-allow-headers')).toBe('Content-Type,X-Namespace,Authorization,Authorization-Extras');
      expect(response.headers.get('access-control-allow-credentials')).toBe('true');
      expect(response.headers.get('access-control-allow-private-network')).toBe('true');
      expect(response.headers.get('vary')).toContain('Origin');
    }
  });

  it('refuses another origin, preflight or not', async () => {
    const preflight = await fetch(`${base}/codec/decode`, { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
    expect(preflight.status).toBe(403);
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    const request = await post('/codec/decode', { payloads: [] }, { ...asOperator, origin: 'https://evil.example' });
    expect(request.status).toBe(403);
    expect(request.body.error?.code).toBe('origin-not-allowed');
  });

  it('refuses another namespace, a body that is not the protocol, and a payload no key here decrypts', async () => {
    expect((await post('/codec/decode', { payloads: [] }, { ...asOperator, 'x-namespace': 'other' })).body.error?.code).toBe('wrong-namespace');
    const notJson = await fetch(`${base}/codec/decode`, { method: 'POST', headers: { ...asOperator, 'content-type': 'text/plain' }, body: 'hello' });
    expect(notJson.status).toBe(415);
    const broken = await post('/codec/decode', '{"payloads": [', asOperator);
    expect(broken.status).toBe(400);
    const malformed = await post('/codec/decode', { payloads: [{ data: 'not base64!' }] }, asOperator);
    expect(malformed.status).toBe(400);
    expect(malformed.body.error?.message).toContain('payloads.0.data: must be base64');
    const [foreign] = await new EncryptionCodec({ k9: randomBytes(32) }, 'k9').encode([jsonPayload(1)]);
    const unknownKey = await post('/codec/decode', { payloads: [payloadToJson(foreign!)] }, asOperator);
    expect(unknownKey.status).toBe(422);
    expect(unknownKey.body.error?.message).toContain('encrypted with key id "k9", and this process has k1, k0');
    const get = await fetch(`${base}/codec/decode`, { headers: asOperator });
    expect(get.status).toBe(405);
  });

  it('passes payloads through when paycall does not encrypt, still behind a token', async () => {
    const payload = payloadToJson(jsonPayload({ a: 1 }));
    const refused = await fetch(`${passThroughBase}/codec/decode`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ payloads: [payload] }) });
    expect(refused.status).toBe(401);
    const response = await fetch(`${passThroughBase}/codec/encode`, { method: 'POST', headers: { 'content-type': 'application/json', ...asOperator }, body: JSON.stringify({ payloads: [payload] }) });
    expect(await response.json()).toEqual({ payloads: [payload] });
  });
});

describe('codec origins', () => {
  it('default to the Temporal UI paycall links to, and CODEC_CORS_ORIGINS must list origins', () => {
    expect(codecOrigins(undefined, 'http://127.0.0.1:8233')).toEqual(['http://127.0.0.1:8233', 'http://localhost:8233']);
    expect(codecOrigins(undefined, 'https://cloud.temporal.io')).toEqual(['https://cloud.temporal.io']);
    expect(codecOrigins('https://cloud.temporal.io, https://temporal.internal:8080/', 'http://127.0.0.1:8233')).toEqual(['https://cloud.temporal.io', 'https://temporal.internal:8080']);
    expect(() => codecOrigins('https://cloud.temporal.io/namespaces', 'x')).toThrow('CODEC_CORS_ORIGINS: "https://cloud.temporal.io/namespaces" is not an origin');
    expect(() => codecOrigins('cloud.temporal.io', 'x')).toThrow('is not an origin');
  });
});
