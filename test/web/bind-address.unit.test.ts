/** The web server binds HOST: loopback unless told otherwise (a container sets 0.0.0.0). */
import { Client, Connection } from '@temporalio/client';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { freePort } from '../../src/temporal/dev-server.js';
import { createLogger } from '../../src/logging/logger.js';
import { startWebServer, type RunningWebServer } from '../../src/web/server.js';

let running: RunningWebServer | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

async function start(env: Record<string, string>): Promise<RunningWebServer> {
  // A lazy connection that is never used: binding needs no Temporal server.
  const client = new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) });
  running = await startWebServer({ config: loadConfig({ PORT: String(await freePort()), ...env }), client, authToken: 'test-token', logger: createLogger('test', 'silent') });
  return running;
}

describe('web server bind address', () => {
  it('listens on 127.0.0.1 by default', async () => {
    const web = await start({});
    expect(web.bound.address).toBe('127.0.0.1');
    expect((await fetch(`http://127.0.0.1:${web.bound.port}/twilio/voice`, { method: 'POST' })).status).toBe(400);
  });

  it('listens where HOST says (0.0.0.0 in a container)', async () => {
    const web = await start({ HOST: '0.0.0.0' });
    expect(web.bound.address).toBe('0.0.0.0');
  });
});
